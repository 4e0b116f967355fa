/* alloy-brio-schema.h: Brio schemas: the language, versions, validation.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-brio-types.h"

G_BEGIN_DECLS

typedef struct _AlloyBrioSchema AlloyBrioSchema;
typedef struct _AlloyBrioStructure AlloyBrioStructure;

/**
 * AlloyBrioRelation:
 * @name: the relation name (quotes stripped)
 * @ordinal: its ordinal
 * @form: scalar, vector, map or reference
 * @value_type: VALUE_SCALAR and VALUE_VECTOR: the element type; VALUE_MAP:
 *   the key type
 * @map_value_type: VALUE_MAP: the value type
 * @structure: REFERENCE_SCALAR and REFERENCE_VECTOR: the structure
 * @is_key: declared with the `key` classifier
 * @is_ordinal: declared with the `ordinal` classifier
 * @first_version: the first version whose file has it; it stays valid up
 *   to the last version (relations are never removed)
 * @file: the file of that first declaration
 * @line: its 1-based line
 * @column: its 1-based column
 *
 * One relation of a structure, merged across the schema's versions. Owned
 * by the schema.
 */
typedef struct {
  const char *name;
  guint ordinal;
  AlloyBrioRelationForm form;
  AlloyBrioValueType value_type;
  AlloyBrioValueType map_value_type;
  const AlloyBrioStructure *structure;
  gboolean is_key;
  gboolean is_ordinal;
  guint first_version;
  const char *file;
  guint line;
  guint column;
} AlloyBrioRelation;

/* Loads one schema from all its version files (NAME_v1.brio ...
 * NAME_vN.brio, in any order) and validates it. Errors name FILE:LINE:COL. */
ALLOY_INTERNAL
AlloyBrioSchema *alloy_brio_schema_load_files (const char *const *files, GError **error);

/* Finds the schema called @name (matched case-insensitively against the
 * `schema NAME` header, as Burst matches a view's schemaName) among the
 * *.brio files of each directory of @search_path and of their immediate
 * subdirectories; the first directory holding it wins. A file named as one
 * of its versions (NAME_vN.brio) that cannot be read or whose header does
 * not parse is an error, never skipped. */
ALLOY_INTERNAL
AlloyBrioSchema *alloy_brio_schema_find (const char *const *search_path, const char *name,
                                         GError **error);

ALLOY_INTERNAL
AlloyBrioSchema *alloy_brio_schema_ref (AlloyBrioSchema *schema);
ALLOY_INTERNAL
void alloy_brio_schema_unref (AlloyBrioSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioSchema, alloy_brio_schema_unref)

/* The name in the files' `schema NAME` header. */
ALLOY_INTERNAL
const char *alloy_brio_schema_get_name (const AlloyBrioSchema *schema);
/* N: the number of version files; items are pressed at version N. */
ALLOY_INTERNAL
guint alloy_brio_schema_get_version_count (const AlloyBrioSchema *schema);
/* The root relation's name (`user` in `root) user : User`). */
ALLOY_INTERNAL
const char *alloy_brio_schema_get_root_name (const AlloyBrioSchema *schema);
ALLOY_INTERNAL
const AlloyBrioStructure *alloy_brio_schema_get_root (const AlloyBrioSchema *schema);
/* Every structure, sorted by name (transfer none). */
ALLOY_INTERNAL
GPtrArray *alloy_brio_schema_get_structures (const AlloyBrioSchema *schema);
ALLOY_INTERNAL
const AlloyBrioStructure *alloy_brio_schema_lookup_structure (const AlloyBrioSchema *schema,
                                                              const char *name);
/* The files the schema came from, by version (transfer none). */
ALLOY_INTERNAL
const char *const *alloy_brio_schema_get_files (const AlloyBrioSchema *schema);

/* FALSE, with ALLOY_BRIO_ERROR_UNSUPPORTED naming FILE:LINE:COL and the
 * relation, when the schema uses something the presser cannot write:
 * elastic or lookup relations, a map other than map[string,string] and
 * map[long,string], or a structure of more than 127 relations (Burst's
 * limit). */
ALLOY_INTERNAL
gboolean alloy_brio_schema_check_pressable (const AlloyBrioSchema *schema, GError **error);

/* The relation's type as the schema language spells it: "long",
 * "vector[Session]", "map[string,string]", "elastic(8,2,name)". */
ALLOY_INTERNAL
char *alloy_brio_relation_format_type (const AlloyBrioRelation *relation);

ALLOY_INTERNAL
const char *alloy_brio_structure_get_name (const AlloyBrioStructure *structure);
/* Brio's structure type key: 56, 57, ... in alphabetical order of names. */
ALLOY_INTERNAL
guint alloy_brio_structure_get_type_key (const AlloyBrioStructure *structure);
/* The `extends` supertype, or NULL. */
ALLOY_INTERNAL
const AlloyBrioStructure *alloy_brio_structure_get_supertype (const AlloyBrioStructure *structure);

/* The structure's schematic at @version (1..N): its normalised relations
 * (its own, its supertypes', and those of every subtype of its hierarchy's
 * root type) that are valid at @version, sorted by ordinal. Owned by the
 * schema; *n_relations receives the count. */
ALLOY_INTERNAL
const AlloyBrioRelation *const *alloy_brio_structure_get_relations (
    const AlloyBrioStructure *structure, guint version, guint *n_relations);

/* The relation called @name (exact, case-sensitive) in the schematic at
 * @version, or NULL. */
ALLOY_INTERNAL
const AlloyBrioRelation *alloy_brio_structure_lookup_relation (const AlloyBrioStructure *structure,
                                                               guint version, const char *name);

G_END_DECLS
