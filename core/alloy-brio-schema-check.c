/* alloy-brio-schema-check.c: the checks of Brio schema files before they
 * are merged: each file alone (it is a full snapshot of its version), then
 * the files as a family (one name, versions 1..N without gaps).
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-schema-private.h"

#include <string.h>

/* ---- one file alone ---------------------------------------------------- */

/* The N of a NAME_vN.brio file name, or 0. */
static guint
file_name_version (const char *file)
{
  g_autofree char *base = g_path_get_basename (file);
  const char *v = g_strrstr (base, "_v");
  const char *digits;
  guint64 n = 0;

  if (v == NULL || !g_str_has_suffix (base, ".brio"))
    return 0;
  for (digits = v + 2; g_ascii_isdigit (*digits) && n <= G_MAXUINT; digits++)
    n = n * 10 + (guint64) (*digits - '0');
  if (digits == v + 2 || strcmp (digits, ".brio") != 0 || n > G_MAXUINT)
    return 0;
  return (guint) n;
}

gboolean
alloy_brio_check_version_line (const AlloyBrioFileSyntax *f, GError **error)
{
  guint named = file_name_version (f->file);

  if (f->version == 0)
    return fail_at (error, f->file, f->version_pos, "version 0: versions start at 1");
  if (named != 0 && named != f->version)
    return fail_at (error, f->file, f->version_pos,
                    "version %u differs from version %u in the file name", f->version, named);
  return TRUE;
}

static const AlloyBrioStructureSyntax *
syntax_supertype (GHashTable *structures, const AlloyBrioStructureSyntax *ss)
{
  return ss->supertype != NULL ? g_hash_table_lookup (structures, ss->supertype) : NULL;
}

static gboolean
check_types (const AlloyBrioFileSyntax *f, GHashTable *structures,
             const AlloyBrioStructureSyntax *ss, const AlloyBrioRelationSyntax *rs,
             GError **error)
{
  if (rs->container == ALLOY_BRIO_CONTAINER_MAP)
    {
      const AlloyBrioTypeSyntax *parts[] = { &rs->type, &rs->value };

      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        if (parts[i]->kind == ALLOY_BRIO_TYPE_NAMED)
          return fail_at (error, f->file, parts[i]->pos,
                          "map %s type '%s' of relation '%s' in structure '%s' is not a value "
                          "type (boolean, byte, short, integer, long, double or string)",
                          i == 0 ? "key" : "value", parts[i]->name, rs->name, ss->name);
      return TRUE;
    }
  if (rs->type.kind == ALLOY_BRIO_TYPE_NAMED
      && !g_hash_table_contains (structures, rs->type.name))
    return fail_at (error, f->file, rs->type.pos,
                    "unknown type '%s' in relation '%s' of structure '%s'", rs->type.name,
                    rs->name, ss->name);
  return TRUE;
}

static gboolean
check_structures (const AlloyBrioFileSyntax *f, GHashTable *structures, GError **error)
{
  for (guint i = 0; i < f->structures->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = f->structures->pdata[i];
      g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) ordinals = g_hash_table_new (NULL, NULL);

      for (guint j = 0; j < ss->relations->len; j++)
        {
          const AlloyBrioRelationSyntax *rs = ss->relations->pdata[j];
          const AlloyBrioRelationSyntax *other;

          if ((other = g_hash_table_lookup (names, rs->name)) != NULL)
            return fail_at (error, f->file, rs->name_pos,
                            "relation '%s' is already defined in structure '%s' at line %u",
                            rs->name, ss->name, other->name_pos.line);
          if ((other = g_hash_table_lookup (ordinals, GUINT_TO_POINTER (rs->ordinal))) != NULL)
            return fail_at (error, f->file, rs->pos,
                            "ordinal %u of structure '%s' is already used by relation '%s'",
                            rs->ordinal, ss->name, other->name);
          g_hash_table_insert (names, rs->name, (gpointer) rs);
          g_hash_table_insert (ordinals, GUINT_TO_POINTER (rs->ordinal), (gpointer) rs);
          if (!check_types (f, structures, ss, rs, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_extends (const AlloyBrioFileSyntax *f, GHashTable *structures, GError **error)
{
  for (guint i = 0; i < f->structures->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = f->structures->pdata[i];

      if (ss->supertype != NULL && !g_hash_table_contains (structures, ss->supertype))
        return fail_at (error, f->file, ss->supertype_pos,
                        "structure '%s' extends unknown structure '%s'", ss->name,
                        ss->supertype);
    }
  for (guint i = 0; i < f->structures->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = f->structures->pdata[i];
      const AlloyBrioStructureSyntax *up = ss;
      g_autoptr(GString) path = g_string_new (ss->name);

      /* A chain longer than the structure count has entered a cycle that
       * does not contain ss: its own members report it. */
      for (guint steps = 0; steps < f->structures->len; steps++)
        {
          if ((up = syntax_supertype (structures, up)) == NULL)
            break;
          g_string_append_printf (path, " -> %s", up->name);
          if (up == ss)
            return fail_at (error, f->file, ss->supertype_pos,
                            "structure '%s' extends itself: %s", ss->name, path->str);
        }
    }
  return TRUE;
}

static const AlloyBrioStructureSyntax *
syntax_hierarchy_root (GHashTable *structures, const AlloyBrioStructureSyntax *ss)
{
  const AlloyBrioStructureSyntax *up;

  while ((up = syntax_supertype (structures, ss)) != NULL)
    ss = up;
  return ss;
}

/* @rs of @ss against the relations of @earlier, an earlier member of its
 * hierarchy. */
static gboolean
check_member (const AlloyBrioFileSyntax *f, const AlloyBrioStructureSyntax *ss,
              const AlloyBrioRelationSyntax *rs, const AlloyBrioStructureSyntax *earlier,
              GError **error)
{
  for (guint m = 0; m < earlier->relations->len; m++)
    {
      const AlloyBrioRelationSyntax *other = earlier->relations->pdata[m];

      if (rs->ordinal == other->ordinal)
        return fail_at (error, f->file, rs->pos,
                        "ordinal %u of relation '%s' in structure '%s' is already used by "
                        "relation '%s' of structure '%s' in the same extends hierarchy",
                        rs->ordinal, rs->name, ss->name, other->name, earlier->name);
      if (strcmp (rs->name, other->name) == 0)
        return fail_at (error, f->file, rs->name_pos,
                        "relation '%s' of structure '%s' is already defined by structure '%s' "
                        "in the same extends hierarchy", rs->name, ss->name, earlier->name);
    }
  return TRUE;
}

/* A hierarchy (a structure that extends nothing is one of its own) shares
 * one schematic, indexed by ordinal, and the data carries no type tag: its
 * names and ordinals are unique and its ordinals dense 0..n-1. */
static gboolean
check_hierarchy (const AlloyBrioFileSyntax *f, GHashTable *structures,
                 const AlloyBrioStructureSyntax *root, GError **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_autofree gboolean *present = NULL;
  guint n = 0;

  for (guint i = 0; i < f->structures->len; i++)
    {
      AlloyBrioStructureSyntax *ss = f->structures->pdata[i];

      if (syntax_hierarchy_root (structures, ss) == root)
        {
          g_ptr_array_add (members, ss);
          n += ss->relations->len;
        }
    }
  present = g_new0 (gboolean, n);
  for (guint i = 0; i < members->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = members->pdata[i];

      for (guint j = 0; j < ss->relations->len; j++)
        {
          const AlloyBrioRelationSyntax *rs = ss->relations->pdata[j];

          if (rs->ordinal < n)
            present[rs->ordinal] = TRUE;
          for (guint k = 0; k < i; k++)
            if (!check_member (f, ss, rs, members->pdata[k], error))
              return FALSE;
        }
    }
  for (guint j = 0; j < n; j++)
    if (!present[j])
      return fail_at (error, f->file, root->pos,
                      "ordinals of structure '%s'%s are not dense: ordinal %u is missing "
                      "(expected 0..%u)", root->name,
                      members->len > 1 ? " and its subtypes" : "", j, n - 1);
  return TRUE;
}

gboolean
alloy_brio_check_file (const AlloyBrioFileSyntax *f, GError **error)
{
  g_autoptr(GHashTable) structures = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < f->structures->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = f->structures->pdata[i];
      const AlloyBrioStructureSyntax *other = g_hash_table_lookup (structures, ss->name);

      if (other != NULL)
        return fail_at (error, f->file, ss->pos, "structure '%s' is already defined at line %u",
                        ss->name, other->pos.line);
      g_hash_table_insert (structures, ss->name, (gpointer) ss);
    }
  if (!g_hash_table_contains (structures, f->root_type))
    return fail_at (error, f->file, f->root_type_pos,
                    "root type '%s' is not a structure of the schema", f->root_type);
  if (!check_extends (f, structures, error) || !check_structures (f, structures, error))
    return FALSE;
  for (guint i = 0; i < f->structures->len; i++)
    {
      const AlloyBrioStructureSyntax *ss = f->structures->pdata[i];

      if (ss->supertype == NULL && !check_hierarchy (f, structures, ss, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- the files as a family --------------------------------------------- */

static gint
compare_versions (gconstpointer a, gconstpointer b)
{
  const AlloyBrioFileSyntax *fa = *(AlloyBrioFileSyntax *const *) a;
  const AlloyBrioFileSyntax *fb = *(AlloyBrioFileSyntax *const *) b;

  return fa->version < fb->version ? -1 : fa->version > fb->version;
}

/* Sorts @files by version (stably: of two files claiming one version, the
 * later one is blamed). */
gboolean
alloy_brio_check_family (GPtrArray *files, GError **error)
{
  const AlloyBrioFileSyntax *first;
  g_autofree char *name = NULL;

  g_ptr_array_sort (files, compare_versions);
  first = files->pdata[0];
  name = g_utf8_casefold (first->name, -1);

  for (guint i = 1; i < files->len; i++)
    {
      const AlloyBrioFileSyntax *f = files->pdata[i];
      g_autofree char *other = g_utf8_casefold (f->name, -1);

      if (strcmp (name, other) != 0)
        return fail_at (error, f->file, f->name_pos, "schema '%s' differs from schema '%s' of %s",
                        f->name, first->name, first->file);
    }
  for (guint i = 0; i < files->len; i++)
    {
      const AlloyBrioFileSyntax *f = files->pdata[i];
      const AlloyBrioFileSyntax *previous = i > 0 ? files->pdata[i - 1] : NULL;
      guint expected = previous != NULL ? previous->version + 1 : 1;

      if (previous != NULL && previous->version == f->version)
        return fail_at (error, f->file, f->version_pos, "version %u is also declared by %s",
                        f->version, previous->file);
      if (f->version != expected)
        return fail_at (error, f->file, f->version_pos,
                        "version %u is missing: versions must run from 1 without gaps",
                        expected);
    }
  return TRUE;
}
