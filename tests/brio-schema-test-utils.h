/* brio-schema-test-utils.h: helpers shared by the Brio schema test
 * programs (test-brio-schema, test-brio-schema-errors).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* A UTF-8 byte order mark. */
#define BOM "\xEF\xBB\xBF"

typedef struct {
  const char *name;  /* relative to the temp dir */
  const char *text;
} SchemaFile;

/* Writes @files (NULL-name terminated) into @dir, in that order, and loads
 * them as one schema. */
AlloyBrioSchema *load_texts (const char *dir, const SchemaFile *files, GError **error);

G_END_DECLS
