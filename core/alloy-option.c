/* alloy-option.c: parsing and checking of option values.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (alloy-config-error-quark, alloy_config_error)

const char *
alloy_option_type_to_string (AlloyOptionType type)
{
  switch (type)
    {
    case ALLOY_OPTION_STRING: return "string";
    case ALLOY_OPTION_STRING_LIST: return "string list";
    case ALLOY_OPTION_INT: return "integer";
    case ALLOY_OPTION_BOOL: return "boolean";
    case ALLOY_OPTION_DOUBLE: return "number";
    case ALLOY_OPTION_DURATION: return "duration";
    case ALLOY_OPTION_SIZE: return "size";
    case ALLOY_OPTION_ENUM: return "enum";
    case ALLOY_OPTION_ADDRESS: return "address";
    case ALLOY_OPTION_ADDRESS_LIST: return "address list";
    default: return NULL;
    }
}

static void
set_bad_text (GError **error, const char *text, const char *what)
{
  g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
               "'%s' is not %s", text, what);
}

/* Reads an unsigned decimal at *p, advancing it; FALSE on overflow or when
 * no digit is there. */
static gboolean
read_decimal (const char **p, guint64 *out)
{
  guint64 value = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  for (; g_ascii_isdigit (*s); s++)
    {
      guint digit = *s - '0';
      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  *p = s;
  *out = value;
  return TRUE;
}

gboolean
alloy_option_parse_duration (const char *text, gint64 *out_ms, GError **error)
{
  static const struct { const char *unit; guint64 ms; } units[] = {
    /* "ms" before "m" so that the longest unit matches. */
    { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 }, { "d", 86400 * 1000 },
  };
  const char *what = "a duration (a number with a unit: ms, s, m, h, d; e.g. 500ms, 10s, 1m30s)";
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *p = copy;
  guint64 total = 0;

  if (*p == '\0')
    {
      set_bad_text (error, text, what);
      return FALSE;
    }
  while (*p != '\0')
    {
      guint64 number;
      gsize i;

      if (!read_decimal (&p, &number))
        {
          set_bad_text (error, text, what);
          return FALSE;
        }
      for (i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_str_has_prefix (p, units[i].unit))
          break;
      if (i == G_N_ELEMENTS (units))
        {
          set_bad_text (error, text, what);
          return FALSE;
        }
      p += strlen (units[i].unit);
      if (number > (guint64) G_MAXINT64 / units[i].ms || total > (guint64) G_MAXINT64 - number * units[i].ms)
        {
          g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
                       "'%s' is too long a duration", text);
          return FALSE;
        }
      total += number * units[i].ms;
    }
  *out_ms = (gint64) total;
  return TRUE;
}

gboolean
alloy_option_parse_size (const char *text, guint64 *out_bytes, GError **error)
{
  const char *what = "a size (bytes, or a number with k, M, G or T: powers of 1024; e.g. 64k, 16M)";
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *p = copy;
  guint64 number, scale = 1;

  if (!read_decimal (&p, &number))
    {
      set_bad_text (error, text, what);
      return FALSE;
    }
  switch (*p)
    {
    case 'k': case 'K': scale = G_GUINT64_CONSTANT (1) << 10; p++; break;
    case 'm': case 'M': scale = G_GUINT64_CONSTANT (1) << 20; p++; break;
    case 'g': case 'G': scale = G_GUINT64_CONSTANT (1) << 30; p++; break;
    case 't': case 'T': scale = G_GUINT64_CONSTANT (1) << 40; p++; break;
    default: break;
    }
  /* Accept the spellings people write: 16M, 16MB, 16MiB, 512B. */
  if (scale > 1 && *p == 'i')
    p++;
  if (*p == 'B')
    p++;
  if (*p != '\0')
    {
      set_bad_text (error, text, what);
      return FALSE;
    }
  if (number > G_MAXUINT64 / scale)
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
                   "'%s' is too large a size", text);
      return FALSE;
    }
  *out_bytes = number * scale;
  return TRUE;
}

gboolean
alloy_option_parse_address (const char *text, char **out_host, guint16 *out_port, GError **error)
{
  const char *what = "an address (host:port, or [ipv6]:port)";
  g_autofree char *host = NULL;
  const char *port_text;
  const char *p;
  guint64 port;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');
      if (close == NULL || close[1] != ':' || close == text + 1)
        {
          set_bad_text (error, text, what);
          return FALSE;
        }
      host = g_strndup (text + 1, close - text - 1);
      if (!g_hostname_is_ip_address (host) || strchr (host, ':') == NULL)
        {
          set_bad_text (error, text, "an address: brackets hold an IPv6 literal");
          return FALSE;
        }
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');
      if (colon == NULL || colon == text)
        {
          set_bad_text (error, text, what);
          return FALSE;
        }
      host = g_strndup (text, colon - text);
      if (strchr (host, ':') != NULL)
        {
          set_bad_text (error, text, "an address: write an IPv6 literal in brackets, [::1]:port");
          return FALSE;
        }
      port_text = colon + 1;
    }
  p = port_text;
  if (!read_decimal (&p, &port) || *p != '\0' || port > 65535)
    {
      set_bad_text (error, text, "an address: the port must be a number from 0 to 65535");
      return FALSE;
    }
  if (out_host != NULL)
    *out_host = g_steal_pointer (&host);
  if (out_port != NULL)
    *out_port = (guint16) port;
  return TRUE;
}

static gboolean
check_bounds (const AlloyOptionSpec *spec, const char *value, gint64 number, GError **error)
{
  if (spec->min == 0 && spec->max == 0)
    return TRUE;
  if (number < spec->min || number > spec->max)
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
                   "'%s' is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT "%s)", value,
                   spec->min, spec->max,
                   spec->type == ALLOY_OPTION_DURATION ? " ms" :
                   spec->type == ALLOY_OPTION_SIZE ? " bytes" : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_list (const char *value, gboolean addresses, GError **error)
{
  g_autoptr(GKeyFile) scratch = g_key_file_new ();
  g_auto(GStrv) items = NULL;
  g_autofree char *data = g_strdup_printf ("[x]\nv=%s\n", value);

  /* Parse the list exactly as GKeyFile will when the plugin reads it. */
  if (!g_key_file_load_from_data (scratch, data, -1, G_KEY_FILE_NONE, NULL) ||
      (items = g_key_file_get_string_list (scratch, "x", "v", NULL, NULL)) == NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (value));
      if (stripped[0] == '\0')
        return TRUE;
      set_bad_text (error, value, "a list (items separated by ';')");
      return FALSE;
    }
  if (addresses)
    for (char **item = items; *item != NULL; item++)
      if (!alloy_option_parse_address (*item, NULL, NULL, error))
        return FALSE;
  return TRUE;
}

gboolean
alloy_option_check_value (const AlloyOptionSpec *spec, const char *value, GError **error)
{
  switch (spec->type)
    {
    case ALLOY_OPTION_STRING:
      return TRUE;
    case ALLOY_OPTION_STRING_LIST:
      return check_list (value, FALSE, error);
    case ALLOY_OPTION_ADDRESS_LIST:
      return check_list (value, TRUE, error);
    case ALLOY_OPTION_ADDRESS:
      return alloy_option_parse_address (value, NULL, NULL, error);
    case ALLOY_OPTION_BOOL:
      if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "false") == 0)
        return TRUE;
      set_bad_text (error, value, "a boolean (true or false)");
      return FALSE;
    case ALLOY_OPTION_INT:
      {
        gint64 number;
        if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL))
          {
            set_bad_text (error, value, "an integer");
            return FALSE;
          }
        return check_bounds (spec, value, number, error);
      }
    case ALLOY_OPTION_DOUBLE:
      {
        char *end = NULL;
        errno = 0;
        g_ascii_strtod (value, &end);
        if (errno != 0 || end == value || *end != '\0')
          {
            set_bad_text (error, value, "a number");
            return FALSE;
          }
        return TRUE;
      }
    case ALLOY_OPTION_DURATION:
      {
        gint64 ms;
        return alloy_option_parse_duration (value, &ms, error) &&
               check_bounds (spec, value, ms, error);
      }
    case ALLOY_OPTION_SIZE:
      {
        guint64 bytes;
        return alloy_option_parse_size (value, &bytes, error) &&
               check_bounds (spec, value, (gint64) MIN (bytes, (guint64) G_MAXINT64), error);
      }
    case ALLOY_OPTION_ENUM:
      {
        g_autofree char *allowed = NULL;
        if (spec->allowed_values != NULL && g_strv_contains (spec->allowed_values, value))
          return TRUE;
        allowed = spec->allowed_values ? g_strjoinv (", ", (char **) spec->allowed_values)
                                       : g_strdup ("");
        g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
                     "'%s' is not one of: %s", value, allowed);
        return FALSE;
      }
    default:
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE,
                   "option %s has an unknown type %d", spec->key, spec->type);
      return FALSE;
    }
}

gint64
alloy_key_file_get_duration (GKeyFile *config, const char *group, const char *key, GError **error)
{
  g_autofree char *text = g_key_file_get_string (config, group, key, error);
  gint64 ms = 0;

  if (text == NULL)
    return 0;
  if (!alloy_option_parse_duration (text, &ms, error))
    {
      g_prefix_error (error, "%s:%s: ", group, key);
      return 0;
    }
  return ms;
}

guint64
alloy_key_file_get_size (GKeyFile *config, const char *group, const char *key, GError **error)
{
  g_autofree char *text = g_key_file_get_string (config, group, key, error);
  guint64 bytes = 0;

  if (text == NULL)
    return 0;
  if (!alloy_option_parse_size (text, &bytes, error))
    {
      g_prefix_error (error, "%s:%s: ", group, key);
      return 0;
    }
  return bytes;
}

void
alloy_set_invalid_value (GError **error, const char *group, const char *key, const char *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE, "%s:%s: %s", group,
               key, message);
}
