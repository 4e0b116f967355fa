/* alloy-brio-coerce.c: JSON values into Brio scalars, with Jackson's rules.
 *
 * Burst's Java presser read JSON through Jackson's lenient accessors; a cell
 * must see the same values whichever presser wrote a blob. The rules, from
 * Jackson's NumericNode/TextNode/BooleanNode and NumberInput: integers that
 * do not fit wrap as Java casts do; text is trimmed, parsed as an integer,
 * else as a double, else it is 0; a double narrows with Java's saturating
 * cast.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-coerce.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Java's (long) and (int) of a double: NaN is 0, out of range saturates. */
static gint64
java_double_to_long (gdouble value)
{
  if (isnan (value))
    return 0;
  if (value >= 9223372036854775807.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) value;
}

static gint32
java_double_to_int (gdouble value)
{
  if (isnan (value))
    return 0;
  if (value >= 2147483647.0)
    return G_MAXINT32;
  if (value <= -2147483648.0)
    return G_MININT32;
  return (gint32) value;
}

/* Java's String.trim: every byte <= 0x20 goes at both ends, control
 * characters included, not only ASCII white space. */
static char *
java_trim (const char *text)
{
  const char *end = text + strlen (text);

  while (*text != '\0' && (guchar) *text <= 0x20)
    text++;
  while (end > text && (guchar) end[-1] <= 0x20)
    end--;
  return g_strndup (text, (gsize) (end - text));
}

/* Double.parseDouble's grammar for decimal text: [sign] then "NaN",
 * "Infinity", or digits [. digits] (".5" and "5." too) [eE [sign] digits]
 * [fFdD]. g_ascii_strtod alone would also take "inf", "nan" in any case
 * and hexadecimal, which Java rejects (Java's hexadecimal floating literals
 * are not accepted either: no JSON writer produces them). */
static gboolean
is_java_double_text (const char *p)
{
  gboolean digits = FALSE;

  if (*p == '+' || *p == '-')
    p++;
  if (strcmp (p, "NaN") == 0 || strcmp (p, "Infinity") == 0)
    return TRUE;
  for (; g_ascii_isdigit (*p); p++)
    digits = TRUE;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      digits = TRUE;
  if (!digits)
    return FALSE;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'f' || *p == 'F' || *p == 'd' || *p == 'D')
    p++;
  return *p == '\0';
}

/* Java's Double.parseDouble on trimmed text: FALSE when it would throw. */
static gboolean
parse_java_double (const char *text, gdouble *out)
{
  g_autofree char *trimmed = java_trim (text);
  const char *unsigned_text = trimmed + (*trimmed == '+' || *trimmed == '-');
  gboolean negative = *trimmed == '-';

  if (!is_java_double_text (trimmed))
    return FALSE;
  /* Java's NaN is the canonical one, whatever the sign. */
  if (strcmp (unsigned_text, "NaN") == 0)
    *out = NAN;
  else if (strcmp (unsigned_text, "Infinity") == 0)
    *out = negative ? -INFINITY : INFINITY;
  else
    /* Stops before a d/D/f/F suffix; the syntax is already checked. */
    *out = g_ascii_strtod (trimmed, NULL);
  return TRUE;
}

/* NumberInput.parseAsLong: all digits parse as a long (overflow gives the
 * default, 0); anything else goes through parseDouble. */
static gint64
parse_text_as_long (const char *text, gint64 min, gint64 max)
{
  g_autofree char *trimmed = java_trim (text);
  const char *digits = trimmed;
  gboolean all_digits = TRUE;
  gdouble as_double;
  gint64 value;

  if (*digits == '+')
    digits++;
  else if (*digits == '-')
    digits++;
  if (*digits == '\0')
    return 0;
  for (const char *p = digits; *p; p++)
    if (!g_ascii_isdigit (*p))
      all_digits = FALSE;
  if (all_digits)
    {
      const char *number = trimmed[0] == '+' ? trimmed + 1 : trimmed;
      return g_ascii_string_to_signed (number, 10, min, max, &value, NULL) ? value : 0;
    }
  if (!parse_java_double (trimmed, &as_double))
    return 0;
  return min == G_MININT32 ? java_double_to_int (as_double) : java_double_to_long (as_double);
}

gboolean
alloy_brio_coerce_boolean (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node);
    case G_TYPE_INT64:
      return json_node_get_int (node) != 0;
    case G_TYPE_STRING:
      {
        g_autofree char *trimmed = java_trim (json_node_get_string (node));
        return strcmp (trimmed, "true") == 0;
      }
    default:
      /* Jackson's DoubleNode answers the default, false. */
      return FALSE;
    }
}

gint32
alloy_brio_coerce_int (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return 0;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? 1 : 0;
    case G_TYPE_INT64:
      /* Java's (int) of a long keeps the low 32 bits. */
      return (gint32) (guint32) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return java_double_to_int (json_node_get_double (node));
    case G_TYPE_STRING:
      return (gint32) parse_text_as_long (json_node_get_string (node), G_MININT32, G_MAXINT32);
    default:
      return 0;
    }
}

gint64
alloy_brio_coerce_long (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return 0;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? 1 : 0;
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return java_double_to_long (json_node_get_double (node));
    case G_TYPE_STRING:
      return parse_text_as_long (json_node_get_string (node), G_MININT64, G_MAXINT64);
    default:
      return 0;
    }
}

gdouble
alloy_brio_coerce_double (JsonNode *node)
{
  gdouble value = 0.0;

  if (JSON_NODE_HOLDS_NULL (node))
    return 0.0;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? 1.0 : 0.0;
    case G_TYPE_INT64:
      return (gdouble) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    case G_TYPE_STRING:
      return parse_java_double (json_node_get_string (node), &value) ? value : 0.0;
    default:
      return 0.0;
    }
}

char *
alloy_brio_java_double_to_string (gdouble value)
{
  char digits[32];
  char buffer[40];
  int exponent = 0;
  int precision;
  gboolean negative = signbit (value);
  GString *out;
  int n_digits;

  if (isnan (value))
    return g_strdup ("NaN");
  if (isinf (value))
    return g_strdup (negative ? "-Infinity" : "Infinity");
  if (value == 0.0)
    return g_strdup (negative ? "-0.0" : "0.0");

  /* The shortest %e that reads back as the same double. g_ascii_formatd,
   * not printf: the programs call setlocale, and a comma-decimal locale
   * would make g_ascii_strtod stop at the comma. */
  for (precision = 1; precision <= 17; precision++)
    {
      char format[16];

      g_snprintf (format, sizeof format, "%%.%de", precision - 1);
      g_ascii_formatd (buffer, sizeof buffer, format, fabs (value));
      if (g_ascii_strtod (buffer, NULL) == fabs (value))
        break;
    }
  /* buffer is "D.DDDDe±XX": take the digits and the exponent apart. */
  n_digits = 0;
  for (const char *p = buffer; *p && *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n_digits++] = *p;
  digits[n_digits] = '\0';
  exponent = atoi (strchr (buffer, 'e') + 1);
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    digits[--n_digits] = '\0';

  out = g_string_new (negative ? "-" : "");
  if (fabs (value) >= 1e-3 && fabs (value) < 1e7)
    {
      /* Plain notation, with at least one digit after the point. */
      if (exponent < 0)
        {
          g_string_append (out, "0.");
          for (int i = -1; i > exponent; i--)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
      else
        {
          for (int i = 0; i <= exponent; i++)
            g_string_append_c (out, i < n_digits ? digits[i] : '0');
          g_string_append_c (out, '.');
          if (n_digits > exponent + 1)
            g_string_append (out, digits + exponent + 1);
          else
            g_string_append_c (out, '0');
        }
    }
  else
    {
      /* Java's computerized scientific notation: 1.0E10, 1.25E-5. */
      g_string_append_c (out, digits[0]);
      g_string_append_c (out, '.');
      g_string_append (out, n_digits > 1 ? digits + 1 : "0");
      g_string_append_printf (out, "E%d", exponent);
    }
  return g_string_free (out, FALSE);
}

char *
alloy_brio_coerce_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("null");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return alloy_brio_java_double_to_string (json_node_get_double (node));
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    default:
      return g_strdup ("");
    }
}
