/* alloy-brio-schema.c: a Brio schema: its version files, validated and
 * merged by (structure, ordinal) into one immutable model.
 *
 * Each file is checked alone and the files as a family first
 * (alloy-brio-schema-check.c); the merge then checks that nothing changes or
 * disappears from one version to the next.
 * The model precomputes, per structure and version, the normalised
 * relations that the presser and the decoder walk.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-schema-private.h"

#include <string.h>

/* Brio's first structure type key; value types use small fixed keys. */
#define FIRST_STRUCTURE_TYPE_KEY 56

/* Burst's Java code caps a structure (its normalised relation set) at 127
 * relations; a blob with more would not read back in a cell. */
#define MAX_STRUCTURE_RELATIONS 127

typedef struct {
  AlloyBrioRelation pub;  /* first, so that a Relation * is a relation */
  char *name;
  AlloyBrioContainer container;
  AlloyBrioTypeSyntax type;
  AlloyBrioTypeSyntax value;
  guint last_version;     /* while merging */
} Relation;

struct _AlloyBrioStructure {
  char *name;
  guint type_key;
  char *supertype_name;
  const AlloyBrioStructure *supertype;
  guint first_version;
  guint last_version;     /* while merging */
  const char *file;       /* of the last version declaring it; schema->files' string */
  AlloyBrioPos pos;       /* of its name there */
  GPtrArray *own;         /* Relation, in order of first declaration; owned */
  GHashTable *by_ordinal; /* ordinal → Relation */
  GHashTable *by_name;    /* name → Relation, over the normalised set */
  GPtrArray **schematics; /* [version - 1]: the normalised Relations valid then */
  guint n_versions;
};

struct _AlloyBrioSchema {
  gatomicrefcount ref_count;
  char *name;
  guint version_count;
  char *root_name;
  char *root_type;
  const AlloyBrioStructure *root;
  GPtrArray *structures;  /* by name once built; owned */
  GHashTable *by_name;    /* name → structure */
  GStrv files;            /* by version */
};


static void
relation_free (Relation *relation)
{
  g_free (relation->name);
  alloy_brio_type_syntax_clear (&relation->type);
  alloy_brio_type_syntax_clear (&relation->value);
  g_free (relation);
}

static void
structure_free (AlloyBrioStructure *structure)
{
  g_free (structure->name);
  g_free (structure->supertype_name);
  for (guint v = 0; structure->schematics != NULL && v < structure->n_versions; v++)
    g_ptr_array_unref (structure->schematics[v]);
  g_free (structure->schematics);
  g_clear_pointer (&structure->by_name, g_hash_table_unref);
  g_hash_table_unref (structure->by_ordinal);
  g_ptr_array_unref (structure->own);
  g_free (structure);
}

static void
schema_free (AlloyBrioSchema *schema)
{
  g_free (schema->name);
  g_free (schema->root_name);
  g_free (schema->root_type);
  g_hash_table_unref (schema->by_name);
  g_ptr_array_unref (schema->structures);
  g_strfreev (schema->files);
  g_free (schema);
}

/* A schema under construction, freed whatever its refcount. */
typedef AlloyBrioSchema AlloyBrioSchemaBuild;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioSchemaBuild, schema_free)

AlloyBrioSchema *
alloy_brio_schema_ref (AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  g_atomic_ref_count_inc (&schema->ref_count);
  return schema;
}

void
alloy_brio_schema_unref (AlloyBrioSchema *schema)
{
  g_return_if_fail (schema != NULL);
  if (g_atomic_ref_count_dec (&schema->ref_count))
    schema_free (schema);
}

/* ---- the merge --------------------------------------------------------- */

static AlloyBrioRelationForm
relation_form (const AlloyBrioRelationSyntax *rs)
{
  gboolean named = rs->type.kind == ALLOY_BRIO_TYPE_NAMED;

  if (rs->type.kind == ALLOY_BRIO_TYPE_ELASTIC || rs->value.kind == ALLOY_BRIO_TYPE_ELASTIC)
    return ALLOY_BRIO_ELASTIC;
  if (rs->type.kind == ALLOY_BRIO_TYPE_LOOKUP || rs->value.kind == ALLOY_BRIO_TYPE_LOOKUP)
    return ALLOY_BRIO_LOOKUP;
  if (rs->container == ALLOY_BRIO_CONTAINER_MAP)
    return ALLOY_BRIO_VALUE_MAP;
  if (rs->container == ALLOY_BRIO_CONTAINER_VECTOR)
    return named ? ALLOY_BRIO_REFERENCE_VECTOR : ALLOY_BRIO_VALUE_VECTOR;
  return named ? ALLOY_BRIO_REFERENCE_SCALAR : ALLOY_BRIO_VALUE_SCALAR;
}

static Relation *
relation_new (const AlloyBrioRelationSyntax *rs, guint version, const char *file)
{
  Relation *relation = g_new0 (Relation, 1);

  relation->name = g_strdup (rs->name);
  relation->container = rs->container;
  alloy_brio_type_syntax_copy (&relation->type, &rs->type);
  alloy_brio_type_syntax_copy (&relation->value, &rs->value);
  relation->pub.name = relation->name;
  relation->pub.ordinal = rs->ordinal;
  relation->pub.form = relation_form (rs);
  if (rs->type.kind == ALLOY_BRIO_TYPE_VALUE)
    relation->pub.value_type = rs->type.value;
  if (rs->container == ALLOY_BRIO_CONTAINER_MAP && rs->value.kind == ALLOY_BRIO_TYPE_VALUE)
    relation->pub.map_value_type = rs->value.value;
  relation->pub.is_key = rs->is_key;
  relation->pub.is_ordinal = rs->is_ordinal;
  relation->pub.first_version = version;
  relation->pub.file = file;
  relation->pub.line = rs->pos.line;
  relation->pub.column = rs->pos.column;
  return relation;
}

static const char *
describe_classifiers (gboolean is_key, gboolean is_ordinal)
{
  if (is_key && is_ordinal)
    return "'key ordinal'";
  return is_key ? "'key'" : is_ordinal ? "'ordinal'" : "none";
}

/* The relation at an ordinal must stay what it was. */
static gboolean
merge_relation (const AlloyBrioFileSyntax *f, const AlloyBrioStructureSyntax *ss,
                const AlloyBrioRelationSyntax *rs, const Relation *old, GError **error)
{
  if (strcmp (old->name, rs->name) != 0)
    return fail_at (error, f->file, rs->name_pos,
                    "ordinal %u of structure '%s' is named '%s' but was '%s' in version %u "
                    "(relations cannot be renamed)", rs->ordinal, ss->name, rs->name, old->name,
                    old->pub.first_version);
  if (old->container != rs->container || !alloy_brio_type_syntax_equal (&old->type, &rs->type)
      || !alloy_brio_type_syntax_equal (&old->value, &rs->value))
    {
      g_autofree char *was = alloy_brio_type_syntax_format (old->container, &old->type,
                                                            &old->value);
      g_autofree char *now = alloy_brio_type_syntax_format (rs->container, &rs->type,
                                                            &rs->value);

      return fail_at (error, f->file, rs->type_pos,
                      "relation '%s' of structure '%s' changes its type from '%s' in version %u "
                      "to '%s' (relations cannot change)", rs->name, ss->name, was,
                      old->pub.first_version, now);
    }
  if (old->pub.is_key != rs->is_key || old->pub.is_ordinal != rs->is_ordinal)
    return fail_at (error, f->file, rs->pos,
                    "relation '%s' of structure '%s' changes its classifiers from %s in version "
                    "%u to %s (relations cannot change)", rs->name, ss->name,
                    describe_classifiers (old->pub.is_key, old->pub.is_ordinal),
                    old->pub.first_version, describe_classifiers (rs->is_key, rs->is_ordinal));
  return TRUE;
}

static gboolean
merge_structure (AlloyBrioSchema *schema, const AlloyBrioFileSyntax *f,
                 const AlloyBrioStructureSyntax *ss, GError **error)
{
  AlloyBrioStructure *s = g_hash_table_lookup (schema->by_name, ss->name);
  guint v = f->version;

  if (s == NULL)
    {
      s = g_new0 (AlloyBrioStructure, 1);
      s->name = g_strdup (ss->name);
      s->supertype_name = g_strdup (ss->supertype);
      s->first_version = v;
      s->own = g_ptr_array_new_with_free_func ((GDestroyNotify) relation_free);
      s->by_ordinal = g_hash_table_new (NULL, NULL);
      g_ptr_array_add (schema->structures, s);
      g_hash_table_insert (schema->by_name, s->name, s);
    }
  else if (g_strcmp0 (s->supertype_name, ss->supertype) != 0)
    return fail_at (error, f->file, ss->pos,
                    "structure '%s' changes its supertype from '%s' in version %u to '%s'",
                    ss->name, s->supertype_name ? s->supertype_name : "(none)", s->first_version,
                    ss->supertype ? ss->supertype : "(none)");
  s->last_version = v;
  s->file = schema->files[v - 1];
  s->pos = ss->pos;

  for (guint i = 0; i < ss->relations->len; i++)
    {
      const AlloyBrioRelationSyntax *rs = ss->relations->pdata[i];
      Relation *r = g_hash_table_lookup (s->by_ordinal, GUINT_TO_POINTER (rs->ordinal));

      if (r == NULL)
        {
          r = relation_new (rs, v, schema->files[v - 1]);
          g_ptr_array_add (s->own, r);
          g_hash_table_insert (s->by_ordinal, GUINT_TO_POINTER (rs->ordinal), r);
        }
      else if (!merge_relation (f, ss, rs, r, error))
        return FALSE;
      r->last_version = v;
    }
  for (guint i = 0; i < s->own->len; i++)
    {
      const Relation *r = s->own->pdata[i];

      if (r->last_version != v)
        return fail_at (error, f->file, ss->pos,
                        "structure '%s' lacks relation '%s' (ordinal %u) of version %u "
                        "(relations cannot be removed)", ss->name, r->name, r->pub.ordinal,
                        r->last_version);
    }
  return TRUE;
}

static gboolean
merge_file (AlloyBrioSchema *schema, const AlloyBrioFileSyntax *f, GError **error)
{
  if (f->version == 1)
    {
      schema->name = g_strdup (f->name);
      schema->root_name = g_strdup (f->root_name);
      schema->root_type = g_strdup (f->root_type);
    }
  else if (strcmp (schema->root_name, f->root_name) != 0
           || strcmp (schema->root_type, f->root_type) != 0)
    return fail_at (error, f->file, f->root_pos,
                    "the root changes from '%s : %s' in version 1 to '%s : %s'",
                    schema->root_name, schema->root_type, f->root_name, f->root_type);

  for (guint i = 0; i < f->structures->len; i++)
    if (!merge_structure (schema, f, f->structures->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < schema->structures->len; i++)
    {
      const AlloyBrioStructure *s = schema->structures->pdata[i];

      if (s->last_version != f->version)
        return fail_at (error, f->file, f->pos,
                        "structure '%s' of version %u is missing (structures cannot be removed)",
                        s->name, s->last_version);
    }
  return TRUE;
}

static gint
compare_structure_names (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(AlloyBrioStructure *const *) a)->name,
                 (*(AlloyBrioStructure *const *) b)->name);
}

static gint
compare_ordinals (gconstpointer a, gconstpointer b)
{
  guint oa = (*(Relation *const *) a)->pub.ordinal;
  guint ob = (*(Relation *const *) b)->pub.ordinal;

  return oa < ob ? -1 : oa > ob;
}

static const AlloyBrioStructure *
hierarchy_root (const AlloyBrioStructure *s)
{
  while (s->supertype != NULL)
    s = s->supertype;
  return s;
}

/* Type keys, pointers, and the per-version normalised schematics. */
static void
finish_model (AlloyBrioSchema *schema)
{
  GPtrArray *structures = schema->structures;

  g_ptr_array_sort (structures, compare_structure_names);
  for (guint i = 0; i < structures->len; i++)
    {
      AlloyBrioStructure *s = structures->pdata[i];

      s->type_key = FIRST_STRUCTURE_TYPE_KEY + i;
      if (s->supertype_name != NULL)
        s->supertype = g_hash_table_lookup (schema->by_name, s->supertype_name);
      for (guint j = 0; j < s->own->len; j++)
        {
          Relation *r = s->own->pdata[j];

          if (r->pub.form == ALLOY_BRIO_REFERENCE_SCALAR
              || r->pub.form == ALLOY_BRIO_REFERENCE_VECTOR)
            r->pub.structure = g_hash_table_lookup (schema->by_name, r->type.name);
        }
    }
  schema->root = g_hash_table_lookup (schema->by_name, schema->root_type);

  for (guint i = 0; i < structures->len; i++)
    {
      AlloyBrioStructure *s = structures->pdata[i];
      const AlloyBrioStructure *root = hierarchy_root (s);
      g_autoptr(GPtrArray) all = g_ptr_array_new ();

      for (guint k = 0; k < structures->len; k++)
        {
          const AlloyBrioStructure *member = structures->pdata[k];

          if (hierarchy_root (member) == root)
            for (guint j = 0; j < member->own->len; j++)
              g_ptr_array_add (all, member->own->pdata[j]);
        }
      g_ptr_array_sort (all, compare_ordinals);

      s->by_name = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint j = 0; j < all->len; j++)
        g_hash_table_insert (s->by_name, ((Relation *) all->pdata[j])->name, all->pdata[j]);
      s->n_versions = schema->version_count;
      s->schematics = g_new0 (GPtrArray *, s->n_versions);
      for (guint v = 1; v <= s->n_versions; v++)
        {
          s->schematics[v - 1] = g_ptr_array_sized_new (all->len);
          for (guint j = 0; j < all->len; j++)
            if (((Relation *) all->pdata[j])->pub.first_version <= v)
              g_ptr_array_add (s->schematics[v - 1], all->pdata[j]);
        }
    }
}

AlloyBrioSchema *
alloy_brio_schema_load_files (const char *const *files, GError **error)
{
  g_autoptr(GPtrArray) syntaxes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_brio_file_syntax_free);
  g_autoptr(AlloyBrioSchemaBuild) schema = NULL;

  g_return_val_if_fail (files != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (files[0] == NULL)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND, "no schema file given");
      return NULL;
    }
  for (const char *const *file = files; *file != NULL; file++)
    {
      g_autofree char *text = NULL;
      g_autoptr(GError) local_error = NULL;
      AlloyBrioFileSyntax *syntax;
      const char *start;
      gsize length;

      if (!g_file_get_contents (*file, &text, &length, &local_error))
        {
          g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND, "%s: %s", *file,
                       local_error->message);
          return NULL;
        }
      start = alloy_brio_skip_bom (text, &length);
      if ((syntax = alloy_brio_file_syntax_parse (*file, start, length, error)) == NULL)
        return NULL;
      g_ptr_array_add (syntaxes, syntax);
      if (!alloy_brio_check_version_line (syntax, error))
        return NULL;
    }
  if (!alloy_brio_check_family (syntaxes, error))
    return NULL;
  for (guint i = 0; i < syntaxes->len; i++)
    if (!alloy_brio_check_file (syntaxes->pdata[i], error))
      return NULL;

  schema = g_new0 (AlloyBrioSchema, 1);
  g_atomic_ref_count_init (&schema->ref_count);
  schema->version_count = syntaxes->len;
  schema->structures = g_ptr_array_new_with_free_func ((GDestroyNotify) structure_free);
  schema->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  schema->files = g_new0 (char *, syntaxes->len + 1);
  for (guint i = 0; i < syntaxes->len; i++)
    schema->files[i] = g_strdup (((AlloyBrioFileSyntax *) syntaxes->pdata[i])->file);
  for (guint i = 0; i < syntaxes->len; i++)
    if (!merge_file (schema, syntaxes->pdata[i], error))
      return NULL;
  finish_model (schema);
  return g_steal_pointer (&schema);
}

/* ---- finding a schema -------------------------------------------------- */

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Whether @base is NAME_vN.brio (N one or more digits) for the schema
 * whose case-folded name is @folded_name. */
static gboolean
file_name_matches (const char *base, const char *folded_name)
{
  gsize length = strlen (base) - strlen (".brio");
  const char *version = g_strrstr_len (base, length, "_v");
  g_autofree char *name = NULL;
  g_autofree char *folded = NULL;

  if (version == NULL || version + 2 == base + length)
    return FALSE;
  for (const char *c = version + 2; c < base + length; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  name = g_strndup (base, version - base);
  folded = g_utf8_casefold (name, -1);
  return strcmp (folded, folded_name) == 0;
}

/* Adds to @found the *.brio files of @dir (and, if @descend, of its
 * immediate subdirectories) whose header names @name (@folded_name, case
 * folded). A file named as one of its versions (NAME_vN.brio, the name
 * matched case-insensitively) that cannot be read or whose `schema NAME`
 * header does not parse is an error, not a silently missing version:
 * ALLOY_BRIO_ERROR_NOT_FOUND or ALLOY_BRIO_ERROR_SYNTAX, naming the file and
 * why. Other *.brio files without a readable header are ignored. A leading
 * byte order mark is skipped. */
static gboolean
collect_files (const char *dir, const char *name, const char *folded_name, gboolean descend,
               GPtrArray *found, GError **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (handle == NULL)
    return TRUE;
  while ((entry = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (entries, g_strdup (entry));
  /* Directory order is arbitrary; keep the result reproducible. */
  g_ptr_array_sort (entries, compare_strings);
  for (guint i = 0; i < entries->len; i++)
    {
      const char *base = entries->pdata[i];
      g_autofree char *path = g_build_filename (dir, base, NULL);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *header = NULL;
      g_autofree char *folded = NULL;
      const char *start;
      gboolean named_for_it;
      gsize length;

      /* Hidden entries are skipped: a Kubernetes ConfigMap mount holds
       * every file twice, under `..data/` and a `..TIMESTAMP/` directory. */
      if (base[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (descend && !collect_files (path, name, folded_name, FALSE, found, error))
            return FALSE;
          continue;
        }
      if (!g_str_has_suffix (base, ".brio"))
        continue;
      named_for_it = file_name_matches (base, folded_name);
      if (!g_file_get_contents (path, &text, &length, &local_error))
        {
          if (!named_for_it)
            continue;
          g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND,
                       "%s: cannot read this file of schema '%s': %s", path, name,
                       local_error->message);
          return FALSE;
        }
      start = alloy_brio_skip_bom (text, &length);
      if ((header = alloy_brio_file_syntax_peek_name (start, length)) == NULL)
        {
          g_autoptr(AlloyBrioFileSyntax) syntax = NULL;

          if (!named_for_it)
            continue;
          /* The parser says where and why the header does not parse. */
          syntax = alloy_brio_file_syntax_parse (path, start, length, &local_error);
          if (syntax == NULL)
            g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_SYNTAX,
                         "%s (the file is named as a version of schema '%s' but its "
                         "'schema NAME' header does not parse)", local_error->message, name);
          else
            g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_SYNTAX,
                         "%s: the file is named as a version of schema '%s' but its "
                         "'schema NAME' header does not parse", path, name);
          return FALSE;
        }
      folded = g_utf8_casefold (header, -1);
      if (strcmp (folded, folded_name) == 0)
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
  return TRUE;
}

AlloyBrioSchema *
alloy_brio_schema_find (const char *const *search_path, const char *name, GError **error)
{
  g_autofree char *folded_name = NULL;
  g_autoptr(GString) searched = g_string_new (NULL);

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  folded_name = g_utf8_casefold (name, -1);
  for (const char *const *dir = search_path; dir != NULL && *dir != NULL; dir++)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

      if (!collect_files (*dir, name, folded_name, TRUE, found, error))
        return NULL;
      if (found->len > 0)
        {
          g_ptr_array_add (found, NULL);
          return alloy_brio_schema_load_files ((const char *const *) found->pdata, error);
        }
      g_string_append_printf (searched, "%s%s", searched->len > 0 ? ", " : "", *dir);
    }
  if (searched->len == 0)
    g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND,
                 "no schema '%s': the schema search path is empty", name);
  else
    g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_NOT_FOUND,
                 "no schema '%s' in %s (nor in their subdirectories)", name, searched->str);
  return NULL;
}

/* ---- accessors --------------------------------------------------------- */

const char *
alloy_brio_schema_get_name (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  return schema->name;
}

guint
alloy_brio_schema_get_version_count (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, 0);
  return schema->version_count;
}

const char *
alloy_brio_schema_get_root_name (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  return schema->root_name;
}

const AlloyBrioStructure *
alloy_brio_schema_get_root (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  return schema->root;
}

GPtrArray *
alloy_brio_schema_get_structures (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  return schema->structures;
}

const AlloyBrioStructure *
alloy_brio_schema_lookup_structure (const AlloyBrioSchema *schema, const char *name)
{
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (schema->by_name, name);
}

const char *const *
alloy_brio_schema_get_files (const AlloyBrioSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  return (const char *const *) schema->files;
}

char *
alloy_brio_relation_format_type (const AlloyBrioRelation *relation)
{
  const Relation *r = (const Relation *) relation;

  g_return_val_if_fail (relation != NULL, NULL);
  return alloy_brio_type_syntax_format (r->container, &r->type, &r->value);
}

gboolean
alloy_brio_schema_check_pressable (const AlloyBrioSchema *schema, GError **error)
{
  g_return_val_if_fail (schema != NULL, FALSE);

  for (guint i = 0; i < schema->structures->len; i++)
    {
      const AlloyBrioStructure *s = schema->structures->pdata[i];
      guint n_relations = s->schematics[s->n_versions - 1]->len;

      /* The normalised set at the last version, which items are pressed at:
       * an extends hierarchy shares one set. */
      if (n_relations > MAX_STRUCTURE_RELATIONS)
        return alloy_brio_schema_fail (error, ALLOY_BRIO_ERROR_UNSUPPORTED, s->file, s->pos,
                                       "structure '%s' has %u relations in version %u, more "
                                       "than Burst's limit of %u relations per structure",
                                       s->name, n_relations, s->n_versions,
                                       MAX_STRUCTURE_RELATIONS);
      for (guint j = 0; j < s->own->len; j++)
        {
          const Relation *r = s->own->pdata[j];
          const AlloyBrioRelation *pub = &r->pub;
          g_autofree char *type = NULL;
          const char *why;
          AlloyBrioPos pos = { pub->line, pub->column };

          if (pub->form == ALLOY_BRIO_ELASTIC || pub->form == ALLOY_BRIO_LOOKUP)
            why = "elastic and lookup types cannot be pressed";
          else if (pub->form == ALLOY_BRIO_VALUE_MAP && pub->map_value_type == ALLOY_BRIO_STRING
                   && (pub->value_type == ALLOY_BRIO_STRING || pub->value_type == ALLOY_BRIO_LONG))
            continue;
          else if (pub->form == ALLOY_BRIO_VALUE_MAP)
            why = "only map[string,string] and map[long,string] can be pressed";
          else
            continue;
          type = alloy_brio_relation_format_type (pub);
          return alloy_brio_schema_fail (error, ALLOY_BRIO_ERROR_UNSUPPORTED, pub->file, pos,
                                         "relation '%s' of structure '%s' has type %s: %s",
                                         pub->name, s->name, type, why);
        }
    }
  return TRUE;
}

const char *
alloy_brio_structure_get_name (const AlloyBrioStructure *structure)
{
  g_return_val_if_fail (structure != NULL, NULL);
  return structure->name;
}

guint
alloy_brio_structure_get_type_key (const AlloyBrioStructure *structure)
{
  g_return_val_if_fail (structure != NULL, 0);
  return structure->type_key;
}

const AlloyBrioStructure *
alloy_brio_structure_get_supertype (const AlloyBrioStructure *structure)
{
  g_return_val_if_fail (structure != NULL, NULL);
  return structure->supertype;
}

const AlloyBrioRelation *const *
alloy_brio_structure_get_relations (const AlloyBrioStructure *structure, guint version,
                                    guint *n_relations)
{
  const GPtrArray *schematic;

  g_return_val_if_fail (structure != NULL, NULL);
  g_return_val_if_fail (version >= 1 && version <= structure->n_versions, NULL);

  schematic = structure->schematics[version - 1];
  if (n_relations != NULL)
    *n_relations = schematic->len;
  return (const AlloyBrioRelation *const *) schematic->pdata;
}

const AlloyBrioRelation *
alloy_brio_structure_lookup_relation (const AlloyBrioStructure *structure, guint version,
                                      const char *name)
{
  const Relation *relation;

  g_return_val_if_fail (structure != NULL, NULL);
  g_return_val_if_fail (version >= 1 && version <= structure->n_versions, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  relation = g_hash_table_lookup (structure->by_name, name);
  if (relation == NULL || relation->pub.first_version > version)
    return NULL;
  return &relation->pub;
}
