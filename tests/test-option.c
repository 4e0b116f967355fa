/* test-option.c: parsing of durations, sizes, addresses and typed values.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

static void
test_duration_valid (void)
{
  static const struct { const char *text; gint64 ms; } cases[] = {
    { "0ms", 0 }, { "500ms", 500 }, { "5s", 5000 }, { "2m", 120000 }, { "1h", 3600000 },
    { "1d", 86400000 }, { "1m30s", 90000 }, { " 10s ", 10000 }, { "1h1m1s1ms", 3661001 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ms = -1;

      g_assert_true (alloy_option_parse_duration (cases[i].text, &ms, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ms, ==, cases[i].ms);
    }
}

static void
test_duration_invalid (void)
{
  static const char *const cases[] = { "", "10", "s", "10x", "-5s", "1.5s", "10 s", "ms10",
                                       "99999999999999999999s" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ms = 0;

      g_assert_false (alloy_option_parse_duration (cases[i], &ms, &error));
      g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, cases[i]));
    }
}

static void
test_size_valid (void)
{
  static const struct { const char *text; guint64 bytes; } cases[] = {
    { "0", 0 }, { "512", 512 }, { "512B", 512 }, { "64k", 65536 }, { "64K", 65536 },
    { "16M", 16777216 }, { "16MB", 16777216 }, { "16MiB", 16777216 }, { "1G", 1073741824 },
    { "2T", G_GUINT64_CONSTANT (2199023255552) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 1;

      g_assert_true (alloy_option_parse_size (cases[i].text, &bytes, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bytes, ==, cases[i].bytes);
    }
}

static void
test_size_invalid (void)
{
  static const char *const cases[] = { "", "k", "16Q", "-1", "1.5M", "16 M", "99999999999T" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_assert_false (alloy_option_parse_size (cases[i], &bytes, &error));
      g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
    }
}

static void
test_address (void)
{
  static const struct { const char *text; const char *host; guint16 port; } valid[] = {
    { "127.0.0.1:1270", "127.0.0.1", 1270 }, { "[::1]:0", "::1", 0 },
    { "alloy-0.alloy-peers:1270", "alloy-0.alloy-peers", 1270 }, { "0.0.0.0:65535", "0.0.0.0", 65535 },
  };
  static const char *const invalid[] = { "127.0.0.1", ":1270", "::1:1270", "[::1]1270",
                                         "[127.0.0.1]:1", "host:65536", "host:-1", "host:port",
                                         "[]:1" };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 1;

      g_assert_true (alloy_option_parse_address (valid[i].text, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, valid[i].host);
      g_assert_cmpuint (port, ==, valid[i].port);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (alloy_option_parse_address (invalid[i], NULL, NULL, &error));
      g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
    }
}

static void
test_check_value (void)
{
  static const char *const colors[] = { "red", "green", NULL };
  const AlloyOptionSpec int_spec = { "n", ALLOY_OPTION_INT, 0, NULL, "", 1, 10 };
  const AlloyOptionSpec unbounded = { "n", ALLOY_OPTION_INT, 0, NULL, "" };
  const AlloyOptionSpec bool_spec = { "b", ALLOY_OPTION_BOOL };
  const AlloyOptionSpec enum_spec = { "e", ALLOY_OPTION_ENUM, 0, NULL, "", 0, 0, colors };
  const AlloyOptionSpec size_spec = { "s", ALLOY_OPTION_SIZE, 0, NULL, "", 1024, 1048576 };
  const AlloyOptionSpec duration_spec = { "d", ALLOY_OPTION_DURATION, 0, NULL, "", 0, 10000 };
  const AlloyOptionSpec list_spec = { "l", ALLOY_OPTION_ADDRESS_LIST };
  const AlloyOptionSpec double_spec = { "x", ALLOY_OPTION_DOUBLE };
  g_autoptr(GError) error = NULL;

  g_assert_true (alloy_option_check_value (&int_spec, "10", NULL));
  g_assert_true (alloy_option_check_value (&unbounded, "-99999", NULL));
  g_assert_false (alloy_option_check_value (&int_spec, "11", &error));
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "'11' is out of range (1 to 10)");
  g_clear_error (&error);
  g_assert_false (alloy_option_check_value (&int_spec, "ten", &error));
  g_assert_cmpstr (error->message, ==, "'ten' is not an integer");
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&bool_spec, "false", NULL));
  g_assert_false (alloy_option_check_value (&bool_spec, "yes", &error));
  g_assert_cmpstr (error->message, ==, "'yes' is not a boolean (true or false)");
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&enum_spec, "green", NULL));
  g_assert_false (alloy_option_check_value (&enum_spec, "blue", &error));
  g_assert_cmpstr (error->message, ==, "'blue' is not one of: red, green");
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&size_spec, "64k", NULL));
  g_assert_false (alloy_option_check_value (&size_spec, "2M", &error));
  g_assert_cmpstr (error->message, ==, "'2M' is out of range (1024 to 1048576 bytes)");
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&duration_spec, "10s", NULL));
  g_assert_false (alloy_option_check_value (&duration_spec, "11s", &error));
  g_assert_cmpstr (error->message, ==, "'11s' is out of range (0 to 10000 ms)");
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&list_spec, "127.0.0.1:1;[::1]:2;", NULL));
  g_assert_true (alloy_option_check_value (&list_spec, "", NULL));
  g_assert_false (alloy_option_check_value (&list_spec, "127.0.0.1:1;nope", &error));
  g_assert_nonnull (strstr (error->message, "'nope'"));
  g_clear_error (&error);

  g_assert_true (alloy_option_check_value (&double_spec, "0.25", NULL));
  g_assert_false (alloy_option_check_value (&double_spec, "1/4", &error));
  g_assert_cmpstr (error->message, ==, "'1/4' is not a number");
}

static void
test_key_file_getters (void)
{
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_set_value (config, "g", "wait", "1m30s");
  g_key_file_set_value (config, "g", "size", "16M");
  g_key_file_set_value (config, "g", "bad", "soon");
  g_assert_cmpint (alloy_key_file_get_duration (config, "g", "wait", NULL), ==, 90000);
  g_assert_cmpuint (alloy_key_file_get_size (config, "g", "size", NULL), ==, 16777216);
  g_assert_cmpint (alloy_key_file_get_duration (config, "g", "bad", &error), ==, 0);
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "g:bad: 'soon'"));
  g_clear_error (&error);

  alloy_set_invalid_value (&error, "transport:x", "mode", "'%s' is not octal", "9");
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "transport:x:mode: '9' is not octal");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/option/duration/valid", test_duration_valid);
  g_test_add_func ("/option/duration/invalid", test_duration_invalid);
  g_test_add_func ("/option/size/valid", test_size_valid);
  g_test_add_func ("/option/size/invalid", test_size_invalid);
  g_test_add_func ("/option/address", test_address);
  g_test_add_func ("/option/check-value", test_check_value);
  g_test_add_func ("/option/key-file-getters", test_key_file_getters);

  return g_test_run ();
}
