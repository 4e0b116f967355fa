/* test-brio-schema.c: the Brio schema language and the merged model;
 * every validation and syntax error case is in test-brio-schema-errors.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-schema.h"
#include "brio-schema-test-utils.h"
#include "alloy-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef AlloyTestTmpDir Fixture;

/* The fixture file @relative (under schemas/), or NULL after g_test_skip. */
static char *
fixture_path (const char *relative)
{
  const char *fixtures = alloy_test_fixtures_dir ();

  if (fixtures == NULL)
    {
      g_test_skip ("ALLOY_FIXTURES is not set");
      return NULL;
    }
  return g_build_filename (fixtures, "schemas", relative, NULL);
}

static const AlloyBrioRelation *
relation_at (const AlloyBrioStructure *structure, guint version, guint index)
{
  guint n = 0;
  const AlloyBrioRelation *const *relations =
    alloy_brio_structure_get_relations (structure, version, &n);

  g_assert_cmpuint (index, <, n);
  return relations[index];
}

static guint
relation_count (const AlloyBrioStructure *structure, guint version)
{
  guint n = 0;

  alloy_brio_structure_get_relations (structure, version, &n);
  return n;
}

static void
assert_ordered (const AlloyBrioStructure *structure, guint version)
{
  guint n = relation_count (structure, version);

  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (relation_at (structure, version, i)->ordinal, ==, i);
}

/* ---- fixtures ---------------------------------------------------------- */

static void
test_quo (void)
{
  g_autofree char *v1 = fixture_path ("quo/quo_v1.brio");
  g_autofree char *v2 = fixture_path ("quo/quo_v2.brio");
  g_autofree char *v3 = fixture_path ("quo/quo_v3.brio");
  const char *files[] = { v3, v1, v2, NULL }; /* any order */
  const char *names[] = { "Channel", "Event", "Persona", "Project", "Segment", "Session", "User" };
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyBrioStructure *user, *session, *event;
  const AlloyBrioRelation *relation;
  GPtrArray *structures;

  if (v1 == NULL)
    return;
  schema = alloy_brio_schema_load_files (files, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (schema), ==, "Quo");
  g_assert_cmpuint (alloy_brio_schema_get_version_count (schema), ==, 3);
  g_assert_cmpstr (alloy_brio_schema_get_root_name (schema), ==, "user");
  g_assert_cmpstr (alloy_brio_schema_get_files (schema)[0], ==, v1);
  g_assert_cmpstr (alloy_brio_schema_get_files (schema)[2], ==, v3);
  g_assert_null (alloy_brio_schema_get_files (schema)[3]);
  g_assert_true (alloy_brio_schema_check_pressable (schema, &error));
  g_assert_no_error (error);

  structures = alloy_brio_schema_get_structures (schema);
  g_assert_cmpuint (structures->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const AlloyBrioStructure *s = structures->pdata[i];

      g_assert_cmpstr (alloy_brio_structure_get_name (s), ==, names[i]);
      g_assert_cmpuint (alloy_brio_structure_get_type_key (s), ==, 56 + i);
      g_assert_true (alloy_brio_schema_lookup_structure (schema, names[i]) == s);
      g_assert_null (alloy_brio_structure_get_supertype (s));
      for (guint v = 1; v <= 3; v++)
        assert_ordered (s, v);
    }
  g_assert_null (alloy_brio_schema_lookup_structure (schema, "user"));

  user = alloy_brio_schema_get_root (schema);
  g_assert_cmpstr (alloy_brio_structure_get_name (user), ==, "User");
  g_assert_cmpuint (relation_count (user, 1), ==, 8);
  g_assert_cmpuint (relation_count (user, 2), ==, 9);
  g_assert_cmpuint (relation_count (user, 3), ==, 9);

  session = alloy_brio_schema_lookup_structure (schema, "Session");
  event = alloy_brio_schema_lookup_structure (schema, "Event");
  g_assert_cmpuint (relation_count (session, 1), ==, 16);
  g_assert_cmpuint (relation_count (session, 2), ==, 21);
  g_assert_cmpuint (relation_count (session, 3), ==, 23);
  g_assert_cmpuint (relation_at (session, 3, 0)->first_version, ==, 1);
  g_assert_cmpuint (relation_at (session, 3, 16)->first_version, ==, 2);
  g_assert_cmpuint (relation_at (session, 3, 21)->first_version, ==, 3);
  g_assert_cmpstr (relation_at (session, 3, 22)->name, ==, "genderReported");
  g_assert_cmpint (relation_at (session, 3, 22)->value_type, ==, ALLOY_BRIO_BYTE);

  /* Maps, references, classifiers, positions. */
  relation = alloy_brio_structure_lookup_relation (user, 3, "parameters");
  g_assert_nonnull (relation);
  g_assert_null (alloy_brio_structure_lookup_relation (user, 1, "parameters"));
  g_assert_cmpint (relation->form, ==, ALLOY_BRIO_VALUE_MAP);
  g_assert_cmpint (relation->value_type, ==, ALLOY_BRIO_STRING);
  g_assert_cmpint (relation->map_value_type, ==, ALLOY_BRIO_STRING);
  g_assert_cmpuint (relation->ordinal, ==, 8);
  g_assert_cmpuint (relation->first_version, ==, 2);
  g_assert_cmpstr (relation->file, ==, v2);
  g_assert_cmpuint (relation->line, ==, 17);
  g_assert_cmpuint (relation->column, ==, 9);
  relation = alloy_brio_structure_lookup_relation (event, 1, "parameters");
  g_assert_cmpint (relation->form, ==, ALLOY_BRIO_VALUE_MAP);
  g_assert_cmpuint (relation->first_version, ==, 1);
  {
    g_autofree char *type = alloy_brio_relation_format_type (relation);
    g_assert_cmpstr (type, ==, "map[string,string]");
  }

  relation = alloy_brio_structure_lookup_relation (user, 1, "flurryId");
  g_assert_true (relation->is_key);
  g_assert_false (relation->is_ordinal);
  g_assert_cmpint (relation->form, ==, ALLOY_BRIO_VALUE_SCALAR);
  relation = alloy_brio_structure_lookup_relation (session, 1, "startTime");
  g_assert_false (relation->is_key);
  g_assert_true (relation->is_ordinal);
  g_assert_cmpint (relation->value_type, ==, ALLOY_BRIO_LONG);
  relation = alloy_brio_structure_lookup_relation (user, 1, "sessions");
  g_assert_cmpint (relation->form, ==, ALLOY_BRIO_REFERENCE_VECTOR);
  g_assert_true (relation->structure == session);
  relation = alloy_brio_structure_lookup_relation (user, 1, "project");
  g_assert_cmpint (relation->form, ==, ALLOY_BRIO_REFERENCE_SCALAR);
  g_assert_cmpstr (alloy_brio_structure_get_name (relation->structure), ==, "Project");
  g_assert_null (alloy_brio_structure_lookup_relation (user, 3, "Sessions"));
}

static void
copy_fixture (const char *relative, const char *dir)
{
  g_autofree char *from = fixture_path (relative);
  g_autofree char *base = g_path_get_basename (relative);
  g_autofree char *to = g_build_filename (dir, base, NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (to, text, -1, NULL));
}

static void
test_presser (Fixture *fixture, gconstpointer data)
{
  const char *search_path[] = { fixture->dir, NULL };
  g_autoptr(AlloyBrioSchema) v1 = NULL;
  g_autoptr(AlloyBrioSchema) both = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyBrioStructure *root, *third, *application;

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("ALLOY_FIXTURES is not set");
      return;
    }
  copy_fixture ("presser/presser_v1.brio", fixture->dir);
  v1 = alloy_brio_schema_find (search_path, "presser", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (v1), ==, "Presser");
  g_assert_cmpuint (alloy_brio_schema_get_version_count (v1), ==, 1);
  g_assert_cmpstr (alloy_brio_schema_get_root_name (v1), ==, "root");
  root = alloy_brio_schema_get_root (v1);
  g_assert_cmpstr (alloy_brio_structure_get_name (root), ==, "RootStructure");
  g_assert_cmpuint (relation_count (root, 1), ==, 5);
  g_assert_cmpint (relation_at (root, 1, 2)->value_type, ==, ALLOY_BRIO_SHORT);
  g_assert_cmpint (relation_at (root, 1, 3)->form, ==, ALLOY_BRIO_REFERENCE_SCALAR);
  g_assert_cmpint (relation_at (root, 1, 4)->form, ==, ALLOY_BRIO_REFERENCE_VECTOR);

  copy_fixture ("presser/presser_v2.brio", fixture->dir);
  both = alloy_brio_schema_find (search_path, "PRESSER", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alloy_brio_schema_get_version_count (both), ==, 2);
  root = alloy_brio_schema_get_root (both);
  g_assert_cmpuint (relation_count (root, 1), ==, 5);
  g_assert_cmpuint (relation_count (root, 2), ==, 7);
  g_assert_cmpuint (relation_at (root, 2, 5)->first_version, ==, 2);
  /* `3) 'f3' : vector[double]`: the quotes are stripped. */
  third = alloy_brio_schema_lookup_structure (both, "ThirdLevelStructure");
  g_assert_cmpstr (relation_at (third, 2, 3)->name, ==, "f3");
  g_assert_cmpint (relation_at (third, 2, 3)->form, ==, ALLOY_BRIO_VALUE_VECTOR);
  g_assert_cmpint (relation_at (third, 2, 3)->value_type, ==, ALLOY_BRIO_DOUBLE);
  application = alloy_brio_schema_lookup_structure (both, "ApplicationStructure");
  g_assert_cmpuint (relation_count (application, 1), ==, 0);
  g_assert_cmpuint (relation_count (application, 2), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (relation_at (application, 2, i)->structure
                   == alloy_brio_schema_lookup_structure (both, "UseStructure"));
  g_assert_cmpuint (alloy_brio_schema_get_structures (both)->len, ==, 6);
  g_assert_true (alloy_brio_schema_check_pressable (both, &error));
  g_assert_no_error (error);
}

static void
test_find (Fixture *fixture, gconstpointer data)
{
  g_autofree char *schemas = fixture_path ("");
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  const char *search_path[] = { missing, schemas, NULL };
  const char *empty[] = { NULL };
  g_autoptr(AlloyBrioSchema) quo = NULL;
  g_autoptr(AlloyBrioSchema) presser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (schemas == NULL)
    return;
  /* Each directory and its immediate subdirectories (quo/, presser/). */
  quo = alloy_brio_schema_find (search_path, "QUO", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (quo), ==, "Quo");
  g_assert_cmpuint (alloy_brio_schema_get_version_count (quo), ==, 3);
  presser = alloy_brio_schema_find (search_path, "pReSsEr", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alloy_brio_schema_get_version_count (presser), ==, 2);

  g_assert_null (alloy_brio_schema_find (search_path, "nope", &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("no schema 'nope' in %s, %s (nor in their subdirectories)",
                              missing, schemas);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_null (alloy_brio_schema_find (empty, "quo", &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no schema 'quo': the schema search path is empty");
}

#define SMALL(NAME, RELATIONS) \
  "// a comment before the header\nschema " NAME " {\n  version: 1\n  root) r : A\n" \
  "  structure A {\n" RELATIONS "  }\n}\n"

static void
test_find_first_directory_wins (Fixture *fixture, gconstpointer data)
{
  g_autofree char *d1 = g_build_filename (fixture->dir, "d1", NULL);
  g_autofree char *sub = g_build_filename (d1, "nested", NULL);
  g_autofree char *d2 = g_build_filename (fixture->dir, "d2", NULL);
  g_autofree char *deep = g_build_filename (d2, "a", "b", NULL);
  g_autofree char *f1 = g_build_filename (sub, "x_v1.brio", NULL);
  g_autofree char *f2 = g_build_filename (d2, "whatever.brio", NULL);
  g_autofree char *f3 = g_build_filename (deep, "deep_v1.brio", NULL);
  g_autofree char *junk = g_build_filename (d2, "junk.brio", NULL);
  const char *d1_first[] = { d1, d2, NULL };
  const char *d2_first[] = { d2, d1, NULL };
  const char *only_d2[] = { d2, NULL };
  g_autoptr(AlloyBrioSchema) a = NULL;
  g_autoptr(AlloyBrioSchema) b = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  g_assert_true (g_file_set_contents (f1, SMALL ("X", "    0) a : long\n"), -1, NULL));
  g_assert_true (g_file_set_contents (f2, SMALL ("x", "    0) a : long\n    1) b : long\n"), -1,
                                      NULL));
  g_assert_true (g_file_set_contents (f3, SMALL ("deep", "    0) a : long\n"), -1, NULL));
  /* A file that does not even start with a header does not stop the search. */
  g_assert_true (g_file_set_contents (junk, "not a schema", -1, NULL));

  a = alloy_brio_schema_find (d1_first, "x", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (a), ==, "X");
  g_assert_cmpuint (relation_count (alloy_brio_schema_get_root (a), 1), ==, 1);
  b = alloy_brio_schema_find (d2_first, "X", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (b), ==, "x");
  g_assert_cmpuint (relation_count (alloy_brio_schema_get_root (b), 1), ==, 2);
  /* Only one level of subdirectories. */
  g_assert_null (alloy_brio_schema_find (only_d2, "deep", &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
}


/* A file named as a version of the schema that cannot be read, or whose
 * header does not parse, fails the lookup instead of silently dropping a
 * version; a leading byte order mark is skipped. */
static void
test_find_unreadable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fixture->dir, "sub", NULL);
  g_autofree char *v1 = g_build_filename (fixture->dir, "x_v1.brio", NULL);
  g_autofree char *v2 = g_build_filename (sub, "x_v2.brio", NULL);
  g_autofree char *other = g_build_filename (fixture->dir, "y_v1.brio", NULL);
  g_autofree char *headless = g_build_filename (fixture->dir, "notes.brio", NULL);
  g_autofree char *expected = NULL;
  const char *search_path[] = { fixture->dir, NULL };
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyBrioRelation *relation;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_true (g_file_set_contents (v1, SMALL ("X", "    0) a : long\n"), -1, NULL));
  /* Unreadable or headless files that are not named for X do not matter. */
  g_assert_cmpint (symlink ("/nonexistent/alloy/y_v1.brio", other), ==, 0);
  g_assert_true (g_file_set_contents (headless, "not a schema", -1, NULL));

  /* Unreadable (a dangling link), in a subdirectory, the name in another case. */
  g_assert_cmpint (symlink ("/nonexistent/alloy/x_v2.brio", v2), ==, 0);
  g_assert_null (alloy_brio_schema_find (search_path, "X", &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("%s: cannot read this file of schema 'X': ", v2);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);
  g_assert_cmpint (g_unlink (v2), ==, 0);

  /* Readable, but the header does not parse: the parser's position. */
  g_assert_true (g_file_set_contents (v2, "// version 2\nschema: X {", -1, NULL));
  g_assert_null (alloy_brio_schema_find (search_path, "x", &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s:2:7: expected the schema name, found ':' (the file is named "
                              "as a version of schema 'x' but its 'schema NAME' header does not "
                              "parse)", v2);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* With a byte order mark, the file is found and parsed; positions count
   * from the character after the mark. */
  g_assert_true (g_file_set_contents (v2, BOM "schema X {\n  version: 2\n  root) r : A\n"
                                      "  structure A {\n    0) a : long\n    1) b : string\n"
                                      "  }\n}\n", -1, NULL));
  schema = alloy_brio_schema_find (search_path, "x", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alloy_brio_schema_get_version_count (schema), ==, 2);
  relation = alloy_brio_structure_lookup_relation (alloy_brio_schema_get_root (schema), 2, "b");
  g_assert_nonnull (relation);
  g_assert_cmpstr (relation->file, ==, v2);
  g_assert_cmpuint (relation->line, ==, 6);
  g_assert_cmpuint (relation->column, ==, 5);
}

/* The review's case: quo_v3.brio saved with a byte order mark still makes
 * quo a schema of three versions. */
static void
test_find_bom_fixture (Fixture *fixture, gconstpointer data)
{
  const char *search_path[] = { fixture->dir, NULL };
  g_autofree char *v3 = g_build_filename (fixture->dir, "quo_v3.brio", NULL);
  g_autofree char *text = NULL;
  g_autofree char *with_bom = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("ALLOY_FIXTURES is not set");
      return;
    }
  copy_fixture ("quo/quo_v1.brio", fixture->dir);
  copy_fixture ("quo/quo_v2.brio", fixture->dir);
  copy_fixture ("quo/quo_v3.brio", fixture->dir);
  g_assert_true (g_file_get_contents (v3, &text, NULL, NULL));
  with_bom = g_strconcat (BOM, text, NULL);
  g_assert_true (g_file_set_contents (v3, with_bom, -1, NULL));

  schema = alloy_brio_schema_find (search_path, "quo", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alloy_brio_schema_get_version_count (schema), ==, 3);
  g_assert_cmpuint (relation_count (alloy_brio_schema_lookup_structure (schema, "Session"), 3),
                    ==, 23);
}

/* ---- the language ------------------------------------------------------ */

static void
test_grammar (Fixture *fixture, gconstpointer data)
{
  const SchemaFile files[] = {
    { "lang_v1.brio",
      "/* leading\n   block */ schema \"Lang\"{version:1 root)'root':'A'\n"
      "structure A{0)'key':long key ordinal 1)$dollar:vector[ string ]/* inline */2)_under:\n"
      "map[ long ,string ]\n"
      "    3) prénom : \"B\" 4) \"schema\" : vector['B'] 5) 日本 : boolean\n"
      "}\n"
      "structure B { 0) x : double // trailing\n}}\n// no newline at the end" },
    { NULL, NULL },
  };
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyBrioStructure *a, *b;
  const AlloyBrioRelation *r;
  const char *names[] = { "key", "$dollar", "_under", "prénom", "schema", "日本" };

  schema = load_texts (fixture->dir, files, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alloy_brio_schema_get_name (schema), ==, "Lang");
  g_assert_cmpstr (alloy_brio_schema_get_root_name (schema), ==, "root");
  a = alloy_brio_schema_get_root (schema);
  b = alloy_brio_schema_lookup_structure (schema, "B");
  g_assert_cmpuint (relation_count (a, 1), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (relation_at (a, 1, i)->name, ==, names[i]);

  r = relation_at (a, 1, 0);
  g_assert_true (r->is_key && r->is_ordinal);
  g_assert_cmpuint (r->line, ==, 3);
  g_assert_cmpuint (r->column, ==, 13);
  r = relation_at (a, 1, 1);
  g_assert_cmpint (r->form, ==, ALLOY_BRIO_VALUE_VECTOR);
  g_assert_cmpint (r->value_type, ==, ALLOY_BRIO_STRING);
  r = relation_at (a, 1, 2);
  g_assert_cmpint (r->form, ==, ALLOY_BRIO_VALUE_MAP);
  g_assert_cmpint (r->value_type, ==, ALLOY_BRIO_LONG);
  g_assert_cmpint (r->map_value_type, ==, ALLOY_BRIO_STRING);
  r = relation_at (a, 1, 3);
  g_assert_cmpint (r->form, ==, ALLOY_BRIO_REFERENCE_SCALAR);
  g_assert_true (r->structure == b);
  r = relation_at (a, 1, 4);
  g_assert_cmpint (r->form, ==, ALLOY_BRIO_REFERENCE_VECTOR);
  g_assert_true (r->structure == b);
  /* Columns count characters, not bytes. */
  r = relation_at (a, 1, 5);
  g_assert_cmpuint (r->line, ==, 5);
  g_assert_cmpuint (r->column, ==, 47);
  g_assert_true (alloy_brio_schema_check_pressable (schema, &error));
  g_assert_no_error (error);
}

static void
test_extends (Fixture *fixture, gconstpointer data)
{
#define HIERARCHY(V, EXTRA)                                                          \
  "schema H {\n  version: " V "\n  root) r : Holder\n"                               \
  "  structure Holder {\n    0) items : vector[Base]\n  }\n"                         \
  "  structure Base {\n    0) id : long\n  }\n"                                      \
  "  structure Sub1 extends Base {\n    1) a : string\n  }\n"                        \
  "  structure Sub2 extends Base {\n    2) b : double\n" EXTRA "  }\n"               \
  "  structure Leaf extends Sub1 {\n    3) c : boolean\n  }\n}\n"
  const SchemaFile files[] = {
    { "h_v1.brio", HIERARCHY ("1", "") },
    { "h_v2.brio", HIERARCHY ("2", "    4) d : integer\n") },
    { NULL, NULL },
  };
  const char *members[] = { "Base", "Sub1", "Sub2", "Leaf" };
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyBrioStructure *base, *leaf;

  schema = load_texts (fixture->dir, files, &error);
  g_assert_no_error (error);
  base = alloy_brio_schema_lookup_structure (schema, "Base");
  leaf = alloy_brio_schema_lookup_structure (schema, "Leaf");
  g_assert_true (alloy_brio_structure_get_supertype (leaf)
                 == alloy_brio_schema_lookup_structure (schema, "Sub1"));
  g_assert_true (alloy_brio_structure_get_supertype (alloy_brio_structure_get_supertype (leaf))
                 == base);
  g_assert_null (alloy_brio_structure_get_supertype (base));
  /* Every member sees the whole hierarchy, ordered by ordinal. */
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      const AlloyBrioStructure *s = alloy_brio_schema_lookup_structure (schema, members[i]);

      g_assert_cmpuint (relation_count (s, 1), ==, 4);
      g_assert_cmpuint (relation_count (s, 2), ==, 5);
      assert_ordered (s, 1);
      assert_ordered (s, 2);
      g_assert_null (alloy_brio_structure_lookup_relation (s, 1, "d"));
      g_assert_nonnull (alloy_brio_structure_lookup_relation (s, 2, "d"));
      g_assert_nonnull (alloy_brio_structure_lookup_relation (s, 1, "a"));
    }
  g_assert_cmpuint (relation_count (alloy_brio_schema_get_root (schema), 2), ==, 1);
  g_assert_cmpuint (alloy_brio_structure_get_type_key (base), ==, 56);
  g_assert_cmpuint (alloy_brio_structure_get_type_key (leaf), ==, 58);
#undef HIERARCHY
}

/* ---- unsupported constructs --------------------------------------------- */

typedef struct {
  const char *type;
  AlloyBrioRelationForm form;
  const char *message;  /* of check_pressable, or NULL when pressable */
} PressCase;

static void
test_unsupported (Fixture *fixture, gconstpointer data)
{
  const PressCase cases[] = {
    { "elastic(8)", ALLOY_BRIO_ELASTIC, "relation 'e' of structure 'A' has type elastic(8): "
      "elastic and lookup types cannot be pressed" },
    { "elastic( 8 , 2 )", ALLOY_BRIO_ELASTIC, NULL },
    { "elastic(8,2,offset)", ALLOY_BRIO_ELASTIC, NULL },
    { "elastic(8, offset)", ALLOY_BRIO_ELASTIC, NULL },
    { "lookup(2, table)", ALLOY_BRIO_LOOKUP, "relation 'e' of structure 'A' has type "
      "lookup(2,table): elastic and lookup types cannot be pressed" },
    { "vector[elastic(4)]", ALLOY_BRIO_ELASTIC, NULL },
    { "map[string, lookup(2,t)]", ALLOY_BRIO_LOOKUP, NULL },
    { "map[double, string]", ALLOY_BRIO_VALUE_MAP, "relation 'e' of structure 'A' has type "
      "map[double,string]: only map[string,string] and map[long,string] can be pressed" },
    { "map[string, long]", ALLOY_BRIO_VALUE_MAP, "relation 'e' of structure 'A' has type "
      "map[string,long]: only map[string,string] and map[long,string] can be pressed" },
    { "map[long, string]", ALLOY_BRIO_VALUE_MAP, NULL },
    { "map[string,string]", ALLOY_BRIO_VALUE_MAP, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("schema U {\n  version: 1\n  root) r : A\n"
                                               "  structure A {\n    0) id : long\n"
                                               "    1) e : %s\n  }\n}\n", cases[i].type);
      const SchemaFile files[] = { { "u_v1.brio", text }, { NULL, NULL } };
      g_autoptr(AlloyBrioSchema) schema = NULL;
      g_autoptr(GError) error = NULL;
      const AlloyBrioRelation *r;

      schema = load_texts (fixture->dir, files, &error);
      g_assert_no_error (error);
      r = alloy_brio_structure_lookup_relation (alloy_brio_schema_get_root (schema), 1, "e");
      g_assert_cmpint (r->form, ==, cases[i].form);
      if (cases[i].form == ALLOY_BRIO_ELASTIC || cases[i].form == ALLOY_BRIO_LOOKUP)
        {
          g_assert_false (alloy_brio_schema_check_pressable (schema, &error));
          g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_UNSUPPORTED);
        }
      else if (cases[i].message != NULL)
        g_assert_false (alloy_brio_schema_check_pressable (schema, &error));
      else
        g_assert_true (alloy_brio_schema_check_pressable (schema, &error));
      if (cases[i].message != NULL)
        {
          g_autofree char *expected = g_strdup_printf ("%s/u_v1.brio:6:5: %s", fixture->dir,
                                                       cases[i].message);
          g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_UNSUPPORTED);
          g_assert_cmpstr (error->message, ==, expected);
        }
      else if (cases[i].form == ALLOY_BRIO_VALUE_MAP)
        g_assert_no_error (error);
    }

  {
    const SchemaFile files[] = {
      { "f_v1.brio", "schema F { version: 1 root) r : A structure A { 0) e : elastic(8, 2, off)\n"
        "1) l : lookup(4,tbl) 2) v : vector[elastic(1)] 3) m : map[lookup(2,k), string] } }" },
      { NULL, NULL },
    };
    const char *types[] = { "elastic(8,2,off)", "lookup(4,tbl)", "vector[elastic(1)]",
                            "map[lookup(2,k),string]" };
    g_autoptr(AlloyBrioSchema) schema = load_texts (fixture->dir, files, NULL);

    g_assert_nonnull (schema);
    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        g_autofree char *type =
          alloy_brio_relation_format_type (relation_at (alloy_brio_schema_get_root (schema), 1, i));
        g_assert_cmpstr (type, ==, types[i]);
      }
  }
}

/* Java caps a structure at 127 relations, counted over the normalised set
 * (an extends hierarchy shares one) at the last version. */
static char *
wide_text (guint version, guint n_relations)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "schema W {\n  version: %u\n  root) r : A\n"
                                "  structure A {\n", version);
  for (guint i = 0; i < n_relations; i++)
    g_string_append_printf (text, "    %u) r%u : long\n", i, i);
  g_string_append (text, "  }\n}\n");
  return g_string_free (text, FALSE);
}

static void
test_too_many_relations (Fixture *fixture, gconstpointer data)
{
  g_autofree char *v1 = wide_text (1, 127);
  g_autofree char *v2 = wide_text (2, 128);
  g_autofree char *expected = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  {
    const SchemaFile files[] = { { "w_v1.brio", v1 }, { NULL, NULL } };

    schema = load_texts (fixture->dir, files, &error);
    g_assert_no_error (error);
    g_assert_true (alloy_brio_schema_check_pressable (schema, &error));
    g_assert_no_error (error);
    g_clear_pointer (&schema, alloy_brio_schema_unref);
  }
  {
    const SchemaFile files[] = { { "w_v1.brio", v1 }, { "w_v2.brio", v2 }, { NULL, NULL } };

    schema = load_texts (fixture->dir, files, &error);
    g_assert_no_error (error);
    g_assert_false (alloy_brio_schema_check_pressable (schema, &error));
    g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_UNSUPPORTED);
    expected = g_strdup_printf ("%s/w_v2.brio:4:13: structure 'A' has 128 relations in version "
                                "2, more than Burst's limit of 127 relations per structure",
                                fixture->dir);
    g_assert_cmpstr (error->message, ==, expected);
    g_clear_error (&error);
    g_clear_pointer (&expected, g_free);
    g_clear_pointer (&schema, alloy_brio_schema_unref);
  }
  {
    /* 64 + 64 in one hierarchy: each member has 128. */
    GString *text = g_string_new ("schema H {\n  version: 1\n  root) r : Base\n"
                                  "  structure Base {\n");
    g_autofree char *hierarchy = NULL;

    for (guint i = 0; i < 64; i++)
      g_string_append_printf (text, "    %u) b%u : long\n", i, i);
    g_string_append (text, "  }\n  structure Sub extends Base {\n");
    for (guint i = 64; i < 128; i++)
      g_string_append_printf (text, "    %u) s%u : long\n", i, i);
    g_string_append (text, "  }\n}\n");
    hierarchy = g_string_free (text, FALSE);
    {
      const SchemaFile files[] = { { "h_v1.brio", hierarchy }, { NULL, NULL } };

      schema = load_texts (fixture->dir, files, &error);
      g_assert_no_error (error);
      g_assert_false (alloy_brio_schema_check_pressable (schema, &error));
      g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_UNSUPPORTED);
      expected = g_strdup_printf ("%s/h_v1.brio:4:13: structure 'Base' has 128 relations in "
                                  "version 1, more than Burst's limit of 127 relations per "
                                  "structure", fixture->dir);
      g_assert_cmpstr (error->message, ==, expected);
    }
  }
}

/* ---- sharing ----------------------------------------------------------- */

static gpointer
read_schema (gpointer data)
{
  AlloyBrioSchema *schema = data;

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(AlloyBrioSchema) ref = alloy_brio_schema_ref (schema);
      const AlloyBrioStructure *session = alloy_brio_schema_lookup_structure (ref, "Session");

      g_assert_cmpuint (relation_count (session, 3), ==, 23);
      g_assert_nonnull (alloy_brio_structure_lookup_relation (session, 3, "events"));
    }
  alloy_brio_schema_unref (schema);
  return NULL;
}

static void
test_threads (void)
{
  g_autofree char *schemas = fixture_path ("");
  const char *search_path[] = { schemas, NULL };
  AlloyBrioSchema *schema;
  GThread *threads[4];

  if (schemas == NULL)
    return;
  schema = alloy_brio_schema_find (search_path, "quo", NULL);
  g_assert_nonnull (schema);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("reader", read_schema, alloy_brio_schema_ref (schema));
  alloy_brio_schema_unref (schema);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/brio-schema/quo", test_quo);
  g_test_add ("/brio-schema/presser", Fixture, NULL, alloy_test_tmp_dir_set_up, test_presser,
              alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/find", Fixture, NULL, alloy_test_tmp_dir_set_up, test_find, alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/find-first-directory-wins", Fixture, NULL, alloy_test_tmp_dir_set_up,
              test_find_first_directory_wins, alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/find-unreadable", Fixture, NULL, alloy_test_tmp_dir_set_up,
              test_find_unreadable, alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/find-bom-fixture", Fixture, NULL, alloy_test_tmp_dir_set_up,
              test_find_bom_fixture, alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/grammar", Fixture, NULL, alloy_test_tmp_dir_set_up, test_grammar,
              alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/extends", Fixture, NULL, alloy_test_tmp_dir_set_up, test_extends,
              alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/unsupported", Fixture, NULL, alloy_test_tmp_dir_set_up, test_unsupported,
              alloy_test_tmp_dir_tear_down);
  g_test_add ("/brio-schema/too-many-relations", Fixture, NULL, alloy_test_tmp_dir_set_up,
              test_too_many_relations, alloy_test_tmp_dir_tear_down);
  g_test_add_func ("/brio-schema/threads", test_threads);

  return g_test_run ();
}
