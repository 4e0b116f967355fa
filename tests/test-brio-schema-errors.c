/* test-brio-schema-errors.c: every validation error and syntax error of
 * the Brio schema language, with its exact message and position.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-schema.h"
#include "brio-schema-test-utils.h"
#include "alloy-test-utils.h"

/* ---- errors ------------------------------------------------------------ */

typedef struct {
  const char *path;     /* the test's name */
  AlloyBrioError code;
  const char *message;  /* with the temp dir removed */
  SchemaFile files[3];
} ErrorCase;

#define HEAD(V) "schema T {\n  version: " V "\n  root) r : A\n"
#define ONE(V, RELATIONS) HEAD (V) "  structure A {\n" RELATIONS "  }\n}\n"
#define TWO(V, A, B) HEAD (V) "  structure A {\n" A "  }\n  structure B {\n" B "  }\n}\n"

static const ErrorCase error_cases[] = {
  /* Within one file. */
  { "unknown-type", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:6:19: unknown type 'C' in relation 'b' of structure 'A'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    1) b : vector[C]\n") } } },
  { "unknown-reference", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:6:12: unknown type 'Sesion' in relation 'b' of structure 'A'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    1) b : Sesion\n") } } },
  { "duplicate-structure", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:7:13: structure 'A' is already defined at line 4",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n"
                                "  structure A {\n    0) b : long\n  }\n}\n" } } },
  { "duplicate-relation", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:6:8: relation 'a' is already defined in structure 'A' at line 5",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    1) a : string\n") } } },
  { "duplicate-ordinal", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:6:5: ordinal 0 of structure 'A' is already used by relation 'a'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    0) b : long\n") } } },
  { "ordinals-not-dense", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:13: ordinals of structure 'A' are not dense: ordinal 1 is missing "
    "(expected 0..1)",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    2) b : long\n") } } },
  { "ordinals-not-from-zero", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:13: ordinals of structure 'A' are not dense: ordinal 0 is missing "
    "(expected 0..1)",
    { { "t_v1.brio", ONE ("1", "    1) a : long\n    2) b : long\n") } } },
  { "root-not-structure", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:3:13: root type 'Z' is not a structure of the schema",
    { { "t_v1.brio", "schema T {\n  version: 1\n  root) r : Z\n"
                     "  structure A {\n    0) a : long\n  }\n}\n" } } },
  { "extends-unknown", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:23: structure 'A' extends unknown structure 'Q'",
    { { "t_v1.brio", HEAD ("1") "  structure A extends Q {\n    0) a : long\n  }\n}\n" } } },
  { "extends-cycle", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:23: structure 'A' extends itself: A -> B -> A",
    { { "t_v1.brio", HEAD ("1") "  structure A extends B {\n    0) a : long\n  }\n"
                                "  structure B extends A {\n    1) b : long\n  }\n}\n" } } },
  { "extends-itself", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:23: structure 'A' extends itself: A -> A",
    { { "t_v1.brio", HEAD ("1") "  structure A extends A {\n    0) a : long\n  }\n}\n" } } },
  { "hierarchy-ordinal", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:8:5: ordinal 0 of relation 'b' in structure 'B' is already used by relation 'a' "
    "of structure 'A' in the same extends hierarchy",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n"
                                "  structure B extends A {\n    0) b : long\n  }\n}\n" } } },
  { "hierarchy-name", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:8:8: relation 'a' of structure 'B' is already defined by structure 'A' in the "
    "same extends hierarchy",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n"
                                "  structure B extends A {\n    1) a : long\n  }\n}\n" } } },
  { "hierarchy-not-dense", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:4:13: ordinals of structure 'A' and its subtypes are not dense: ordinal 1 is "
    "missing (expected 0..1)",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n"
                                "  structure B extends A {\n    2) b : long\n  }\n}\n" } } },
  { "map-key-not-value-type", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:5:16: map key type 'A' of relation 'm' in structure 'A' is not a value type "
    "(boolean, byte, short, integer, long, double or string)",
    { { "t_v1.brio", ONE ("1", "    0) m : map[A, string]\n") } } },
  { "map-value-not-value-type", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:5:24: map value type 'A' of relation 'm' in structure 'A' is not a value type "
    "(boolean, byte, short, integer, long, double or string)",
    { { "t_v1.brio", ONE ("1", "    0) m : map[string, A]\n") } } },
  { "file-name-version", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:2:12: version 1 differs from version 2 in the file name",
    { { "t_v2.brio", ONE ("1", "    0) a : long\n") } } },
  { "version-zero", ALLOY_BRIO_ERROR_SCHEMA,
    "t.brio:2:12: version 0: versions start at 1",
    { { "t.brio", ONE ("0", "    0) a : long\n") } } },
  /* Across the files. */
  { "version-gap", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v3.brio:2:12: version 2 is missing: versions must run from 1 without gaps",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v3.brio", ONE ("3", "    0) a : long\n") } } },
  { "version-one-missing", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:2:12: version 1 is missing: versions must run from 1 without gaps",
    { { "t_v2.brio", ONE ("2", "    0) a : long\n") } } },
  { "version-twice", ALLOY_BRIO_ERROR_SCHEMA,
    "t_copy.brio:2:12: version 1 is also declared by t_v1.brio",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_copy.brio", ONE ("1", "    0) a : long\n") } } },
  { "schema-names-differ", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:1:8: schema 'U' differs from schema 'T' of t_v1.brio",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", "schema U {\n  version: 2\n  root) r : A\n"
                     "  structure A {\n    0) a : long\n  }\n}\n" } } },
  { "type-changes", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:5:12: relation 'a' of structure 'A' changes its type from 'long' in version 1 to "
    "'string' (relations cannot change)",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", ONE ("2", "    0) a : string\n") } } },
  { "container-changes", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:5:12: relation 'a' of structure 'A' changes its type from 'long' in version 1 to "
    "'vector[long]' (relations cannot change)",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", ONE ("2", "    0) a : vector[long]\n") } } },
  { "name-changes", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:5:8: ordinal 0 of structure 'A' is named 'b' but was 'a' in version 1 "
    "(relations cannot be renamed)",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", ONE ("2", "    0) b : long\n") } } },
  { "classifiers-change", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:5:5: relation 'a' of structure 'A' changes its classifiers from 'key' in "
    "version 1 to none (relations cannot change)",
    { { "t_v1.brio", ONE ("1", "    0) a : long key\n") },
      { "t_v2.brio", ONE ("2", "    0) a : long\n") } } },
  { "relation-removed", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:4:13: structure 'A' lacks relation 'b' (ordinal 1) of version 1 "
    "(relations cannot be removed)",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    1) b : long\n") },
      { "t_v2.brio", ONE ("2", "    0) a : long\n") } } },
  { "structure-removed", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:1:1: structure 'B' of version 1 is missing (structures cannot be removed)",
    { { "t_v1.brio", TWO ("1", "    0) a : long\n", "    0) x : long\n") },
      { "t_v2.brio", ONE ("2", "    0) a : long\n") } } },
  { "supertype-changes", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:7:13: structure 'B' changes its supertype from 'A' in version 1 to '(none)'",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n"
                                "  structure B extends A {\n    1) b : long\n  }\n}\n" },
      { "t_v2.brio", TWO ("2", "    0) a : long\n", "    0) c : long\n") } } },
  { "root-changes", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v2.brio:3:9: the root changes from 'r : A' in version 1 to 'q : A'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", "schema T {\n  version: 2\n  root) q : A\n"
                     "  structure A {\n    0) a : long\n  }\n}\n" } } },
  /* Syntax. */
  { "syntax/unterminated-comment", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:6:5: unterminated comment",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n    /* never closed\n") } } },
  { "syntax/missing-brace", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:6:3: expected a relation ordinal or '}', found keyword 'structure'",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  structure B {\n"
                                "    0) b : long\n  }\n}\n" } } },
  { "syntax/missing-final-brace", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:7:1: expected 'structure' or '}', found end of file",
    { { "t_v1.brio", HEAD ("1") "  structure A {\n    0) a : long\n  }\n" } } },
  { "syntax/bad-token", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:16: unexpected character ';'",
    { { "t_v1.brio", ONE ("1", "    0) a : long;\n") } } },
  { "syntax/bad-character-columns", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:21: unexpected character '#'",
    { { "t_v1.brio", ONE ("1", "    0) prénom : long#\n") } } },
  { "syntax/invalid-utf8", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:9: invalid UTF-8",
    { { "t_v1.brio", ONE ("1", "    0) a\xff : long\n") } } },
  { "syntax/keyword-as-name", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:8: expected a relation name, found keyword 'key' (quote a keyword to use it "
    "as a name)",
    { { "t_v1.brio", ONE ("1", "    0) key : long\n") } } },
  { "syntax/keyword-as-structure", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:3:13: expected the root structure name, found keyword 'string' (quote a keyword "
    "to use it as a name)",
    { { "t_v1.brio", "schema T {\n  version: 1\n  root) r : string\n}\n" } } },
  { "syntax/unterminated-quote", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:12: expected ' to close the quoted name 'abc'",
    { { "t_v1.brio", ONE ("1", "    0) 'abc : long\n") } } },
  { "syntax/mismatched-quotes", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:12: expected \" to close the quoted name 'abc'",
    { { "t_v1.brio", ONE ("1", "    0) \"abc' : long\n") } } },
  { "syntax/empty-quotes", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:9: expected a name after '",
    { { "t_v1.brio", ONE ("1", "    0) '' : long\n") } } },
  { "syntax/missing-version", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:2:3: expected 'version', found keyword 'root'",
    { { "t_v1.brio", "schema T {\n  root) r : A\n  structure A {\n    0) a : long\n  }\n}\n" } } },
  { "syntax/empty-structure", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:3: expected a relation ordinal, found '}'",
    { { "t_v1.brio", ONE ("1", "") } } },
  { "syntax/no-structure", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:4:1: expected 'structure', found '}'",
    { { "t_v1.brio", HEAD ("1") "}\n" } } },
  { "syntax/vector-of-vector", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:19: expected a value type or a structure name, found keyword 'vector'",
    { { "t_v1.brio", ONE ("1", "    0) a : vector[vector[long]]\n") } } },
  { "syntax/lookup-without-name", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:20: expected ',', found ')'",
    { { "t_v1.brio", ONE ("1", "    0) a : lookup(2)\n") } } },
  { "syntax/trailing-text", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:8:1: expected end of file after the schema's '}', found name 'extra'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") "extra\n" } } },
  { "syntax/number-too-large", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:5:5: number too large",
    { { "t_v1.brio", ONE ("1", "    99999999999) a : long\n") } } },
  { "syntax/negative-version", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:2:12: unexpected character '-'",
    { { "t_v1.brio", ONE ("-1", "    0) a : long\n") } } },
  { "syntax/bom-positions", ALLOY_BRIO_ERROR_SCHEMA,
    "t_v1.brio:1:21: version 2 differs from version 1 in the file name",
    { { "t_v1.brio", BOM "schema T { version: 2 root) r : A structure A { 0) a : long } }\n" } } },
  { "syntax/bom-not-at-start", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v1.brio:2:1: expected 'version', found name '" BOM "'",
    { { "t_v1.brio", "schema T {\n" BOM "  version: 1\n  root) r : A\n"
                     "  structure A {\n    0) a : long\n  }\n}\n" } } },
  { "syntax/first-of-two-files", ALLOY_BRIO_ERROR_SYNTAX,
    "t_v2.brio:5:17: expected a relation ordinal or '}', found name 'x'",
    { { "t_v1.brio", ONE ("1", "    0) a : long\n") },
      { "t_v2.brio", ONE ("2", "    0) a : long x\n") } } },
};

static void
test_error (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *prefix = g_strconcat (dir, G_DIR_SEPARATOR_S, NULL);
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) message = NULL;

  schema = load_texts (dir, c->files, &error);
  g_assert_null (schema);
  g_assert_error (error, ALLOY_BRIO_ERROR, (gint) c->code);
  message = g_string_new (error->message);
  g_string_replace (message, prefix, "", 0);
  g_assert_cmpstr (message->str, ==, c->message);
  alloy_test_remove_tree (dir);
}

static void
test_unreadable (void)
{
  const char *files[] = { "/nonexistent/alloy/x_v1.brio", NULL };
  const char *none[] = { NULL };
  g_autoptr(GError) error = NULL;

  g_assert_null (alloy_brio_schema_load_files (files, &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/alloy/x_v1.brio: "));
  g_clear_error (&error);
  g_assert_null (alloy_brio_schema_load_files (none, &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/brio-schema/error/", error_cases[i].path, NULL);
      g_test_add_data_func (path, &error_cases[i], test_error);
    }
  g_test_add_func ("/brio-schema/error/unreadable", test_unreadable);

  return g_test_run ();
}
