/* brio-schema-test-utils.c: helpers shared by the Brio schema test
 * programs (test-brio-schema, test-brio-schema-errors).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "brio-schema-test-utils.h"

AlloyBrioSchema *
load_texts (const char *dir, const SchemaFile *files, GError **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (const SchemaFile *f = files; f->name != NULL; f++)
    {
      char *path = g_build_filename (dir, f->name, NULL);

      g_assert_true (g_file_set_contents (path, f->text, -1, NULL));
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  return alloy_brio_schema_load_files ((const char *const *) paths->pdata, error);
}
