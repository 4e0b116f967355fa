/* alloy-cli-schema.c: `alloy schema check`: parse, validate and describe
 * Brio schemas.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-brio-schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_schema (const AlloyBrioSchema *schema)
{
  guint versions = alloy_brio_schema_get_version_count (schema);
  GPtrArray *structures = alloy_brio_schema_get_structures (schema);
  g_autoptr(GError) unsupported = NULL;

  printf ("schema %s: %u version(s), root %s : %s\n", alloy_brio_schema_get_name (schema),
          versions, alloy_brio_schema_get_root_name (schema),
          alloy_brio_structure_get_name (alloy_brio_schema_get_root (schema)));
  for (const char *const *file = alloy_brio_schema_get_files (schema); file && *file; file++)
    printf ("  file %s\n", *file);
  for (guint i = 0; i < structures->len; i++)
    {
      const AlloyBrioStructure *structure = g_ptr_array_index (structures, i);
      const AlloyBrioStructure *super = alloy_brio_structure_get_supertype (structure);
      guint n = 0;
      const AlloyBrioRelation *const *relations =
          alloy_brio_structure_get_relations (structure, versions, &n);

      printf ("  structure %s (type key %u)%s%s: %u relation(s)\n",
              alloy_brio_structure_get_name (structure),
              alloy_brio_structure_get_type_key (structure), super ? " extends " : "",
              super ? alloy_brio_structure_get_name (super) : "", n);
      for (guint r = 0; r < n; r++)
        {
          g_autofree char *type = alloy_brio_relation_format_type (relations[r]);
          printf ("    %u) %s : %s%s%s  (since v%u)\n", relations[r]->ordinal, relations[r]->name,
                  type, relations[r]->is_key ? " key" : "",
                  relations[r]->is_ordinal ? " ordinal" : "", relations[r]->first_version);
        }
    }
  if (!alloy_brio_schema_check_pressable (schema, &unsupported))
    printf ("  cannot be pressed: %s\n", unsupported->message);
}

/* NAME_vN.brio → NAME, the family a file belongs to. */
static char *
family_of (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *version = g_strrstr (base, "_v");

  if (version != NULL)
    *version = '\0';
  else if (g_str_has_suffix (base, ".brio"))
    base[strlen (base) - strlen (".brio")] = '\0';
  return g_steal_pointer (&base);
}

static void
add_brio_files (GHashTable *families, GPtrArray *order, const char *path)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *family = family_of (path);
  g_autofree char *key = g_build_filename (directory, family, NULL);
  GPtrArray *files = g_hash_table_lookup (families, key);

  if (files == NULL)
    {
      files = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (families, g_strdup (key), files);
      g_ptr_array_add (order, g_strdup (key));
    }
  g_ptr_array_add (files, g_strdup (path));
}

/* For g_ptr_array_sort(), which passes pointers to the elements. */
static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Adds to @paths the *.brio files of @dir, sorted, then, if @descend, those
 * of each immediate subdirectory (in name order), as the schema path finds
 * schemas directly in a directory or one directory down. */
static void
list_brio_files (const char *dir, gboolean descend, GPtrArray *paths)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (descend)
            g_ptr_array_add (subdirs, g_steal_pointer (&path));
        }
      else if (g_str_has_suffix (name, ".brio"))
        g_ptr_array_add (names, g_steal_pointer (&path));
    }
  g_ptr_array_sort (names, compare_paths);
  g_ptr_array_sort (subdirs, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup (g_ptr_array_index (names, i)));
  for (guint i = 0; i < subdirs->len; i++)
    list_brio_files (g_ptr_array_index (subdirs, i), FALSE, paths);
}

int
alloy_cli_schema (int argc, char **argv)
{
  g_autoptr(GHashTable) families = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  int status = EXIT_SUCCESS;

  if (argc < 3 || strcmp (argv[1], "check") != 0)
    {
      fprintf (stderr, "Usage: alloy schema check DIR_OR_FILE...\n"
                       "Parses and validates the Brio schemas given (a directory stands for its "
                       "*.brio files and those of its immediate subdirectories, grouped per "
                       "directory) and prints their structures, relations and versions.\n");
      return 2;
    }
  for (int i = 2; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

          list_brio_files (argv[i], TRUE, names);
          if (names->len == 0)
            {
              fprintf (stderr, "alloy: %s: no .brio files in it or its immediate "
                               "subdirectories\n", argv[i]);
              status = EXIT_FAILURE;
            }
          for (guint n = 0; n < names->len; n++)
            add_brio_files (families, order, g_ptr_array_index (names, n));
        }
      else
        add_brio_files (families, order, argv[i]);
    }
  for (guint i = 0; i < order->len; i++)
    {
      GPtrArray *files = g_hash_table_lookup (families, g_ptr_array_index (order, i));
      /* Borrowed strings, NULL-terminated for the loader. */
      g_autoptr(GPtrArray) paths = g_ptr_array_new ();
      g_autoptr(AlloyBrioSchema) schema = NULL;
      g_autoptr(GError) error = NULL;

      for (guint f = 0; f < files->len; f++)
        g_ptr_array_add (paths, g_ptr_array_index (files, f));
      g_ptr_array_add (paths, NULL);
      schema = alloy_brio_schema_load_files ((const char *const *) paths->pdata, &error);
      if (schema == NULL)
        {
          fprintf (stderr, "alloy: %s\n", error->message);
          status = EXIT_FAILURE;
          continue;
        }
      print_schema (schema);
    }
  return status;
}
