/* alloy-option.h: option schemas for configuration groups, and value parsing.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <glib.h>
#include <alloy/alloy-macros.h>

G_BEGIN_DECLS

/**
 * ALLOY_CONFIG_ERROR:
 *
 * Errors about the configuration file, the environment or `--set`. Every
 * message starts with `file:group:key:` so that an operator finds the line.
 */
#define ALLOY_CONFIG_ERROR (alloy_config_error_quark ())
ALLOY_AVAILABLE_IN_ALL
GQuark alloy_config_error_quark (void);

typedef enum {
  ALLOY_CONFIG_ERROR_PARSE,         /* the file is not a valid key file */
  ALLOY_CONFIG_ERROR_UNKNOWN_GROUP, /* neither [alloy] nor [kind:instance] */
  ALLOY_CONFIG_ERROR_UNKNOWN_KEY,   /* the message lists the allowed keys */
  ALLOY_CONFIG_ERROR_MISSING_KEY,   /* a required key is absent */
  ALLOY_CONFIG_ERROR_INVALID_VALUE, /* does not parse or is out of range */
  ALLOY_CONFIG_ERROR_KIND_MISMATCH, /* plugin= names a module of another kind */
  ALLOY_CONFIG_ERROR_CONFLICT,      /* two groups claim one address, or two discoveries */
} AlloyConfigError;

typedef enum {
  ALLOY_OPTION_STRING = 1,
  ALLOY_OPTION_STRING_LIST, /* GKeyFile list: a;b;c; */
  ALLOY_OPTION_INT,         /* decimal, within [min, max] */
  ALLOY_OPTION_BOOL,        /* true or false */
  ALLOY_OPTION_DOUBLE,
  ALLOY_OPTION_DURATION,    /* 500ms, 5s, 2m, 1h, 1d, or sums such as 1m30s; within [min, max] ms */
  ALLOY_OPTION_SIZE,        /* 512, 64k, 16M, 1G (powers of 1024); within [min, max] bytes */
  ALLOY_OPTION_ENUM,        /* one of allowed_values */
  ALLOY_OPTION_ADDRESS,     /* host:port or [ipv6]:port */
  ALLOY_OPTION_ADDRESS_LIST,
} AlloyOptionType;

typedef enum {
  ALLOY_OPTION_FLAG_NONE = 0,
  /* The key must be present (default_value is then ignored). */
  ALLOY_OPTION_FLAG_REQUIRED = 1 << 0,
  /* Each value may appear in only one group using the same plugin
   * (listen addresses, socket paths): a repeat is a CONFLICT. */
  ALLOY_OPTION_FLAG_UNIQUE = 1 << 1,
  /* A known name that must not be set in a configuration file; the
   * description says why and is part of the error. */
  ALLOY_OPTION_FLAG_FORBIDDEN = 1 << 2,
} AlloyOptionFlags;

/**
 * AlloyOptionSpec:
 * @key: the GKeyFile key
 * @type: how the value is parsed and checked
 * @flags: #AlloyOptionFlags
 * @default_value: the value when the key is absent, in the key file's own
 *   syntax, or %NULL for "unset"
 * @description: one line for `alloyd --list-plugins`
 * @min: lower bound for INT, DURATION (ms) and SIZE (bytes)
 * @max: upper bound; @min == @max == 0 means unbounded
 * @allowed_values: ENUM only: a %NULL-terminated list
 *
 * One entry of a plugin's option schema. A schema is an array terminated by
 * an entry whose @key is %NULL. The core rejects unknown keys, missing
 * required keys and bad values before any plugin code sees the group, and
 * writes defaults into the group handed to `configure`.
 */
typedef struct {
  const char *key;
  AlloyOptionType type;
  AlloyOptionFlags flags;
  const char *default_value;
  const char *description;
  gint64 min;
  gint64 max;
  const char *const *allowed_values;
  /*< private >*/
  gpointer _reserved[4];
} AlloyOptionSpec;

ALLOY_AVAILABLE_IN_ALL
const char *alloy_option_type_to_string (AlloyOptionType type);

ALLOY_AVAILABLE_IN_ALL
gboolean alloy_option_parse_duration (const char *text, gint64 *out_ms, GError **error);
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_option_parse_size (const char *text, guint64 *out_bytes, GError **error);
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_option_parse_address (const char *text, char **out_host, guint16 *out_port,
                                     GError **error);

/* Checks @value against @spec; the error message says what is allowed. */
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_option_check_value (const AlloyOptionSpec *spec, const char *value, GError **error);

/* Typed access for plugins in `configure` (values were validated already). */
ALLOY_AVAILABLE_IN_ALL
gint64 alloy_key_file_get_duration (GKeyFile *config, const char *group, const char *key,
                                    GError **error);
ALLOY_AVAILABLE_IN_ALL
guint64 alloy_key_file_get_size (GKeyFile *config, const char *group, const char *key,
                                 GError **error);

/* Sets @error to ALLOY_CONFIG_ERROR_INVALID_VALUE with the `group:key:`
 * prefix; for checks a plugin makes in `configure`. */
ALLOY_AVAILABLE_IN_ALL
void alloy_set_invalid_value (GError **error, const char *group, const char *key,
                              const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
