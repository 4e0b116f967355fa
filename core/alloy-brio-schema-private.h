/* alloy-brio-schema-private.h: the syntax tree of one .brio file, shared
 * by the parser (alloy-brio-schema-parser.c) and the model builder
 * (alloy-brio-schema.c).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* 1-based; columns count Unicode code points, a tab counts as one. */
typedef struct {
  guint line;
  guint column;
} AlloyBrioPos;

typedef enum {
  ALLOY_BRIO_TYPE_VALUE = 1, /* boolean ... string */
  ALLOY_BRIO_TYPE_NAMED,     /* a structure name, resolved by the model */
  ALLOY_BRIO_TYPE_ELASTIC,   /* elastic(BLUR[,BYTES][,NAME]) */
  ALLOY_BRIO_TYPE_LOOKUP,    /* lookup(BYTES,NAME) */
} AlloyBrioTypeKind;

typedef struct {
  AlloyBrioTypeKind kind;
  AlloyBrioValueType value;  /* VALUE */
  char *name;                /* NAMED: the structure; ELASTIC, LOOKUP: the name or NULL */
  gint32 blur;               /* ELASTIC */
  gint32 bytes;              /* ELASTIC (-1 when absent), LOOKUP */
  AlloyBrioPos pos;
} AlloyBrioTypeSyntax;

typedef enum {
  ALLOY_BRIO_CONTAINER_SCALAR,
  ALLOY_BRIO_CONTAINER_VECTOR,
  ALLOY_BRIO_CONTAINER_MAP,
} AlloyBrioContainer;

typedef struct {
  guint ordinal;
  AlloyBrioPos pos;          /* of the ordinal: where the relation starts */
  char *name;
  AlloyBrioPos name_pos;
  AlloyBrioContainer container;
  AlloyBrioTypeSyntax type;  /* scalar, vector element or map key */
  AlloyBrioTypeSyntax value; /* map value */
  AlloyBrioPos type_pos;     /* of the whole type (`vector`, `map` or the type) */
  gboolean is_key;
  gboolean is_ordinal;
} AlloyBrioRelationSyntax;

typedef struct {
  char *name;
  AlloyBrioPos pos;          /* of the name */
  char *supertype;           /* or NULL */
  AlloyBrioPos supertype_pos;
  GPtrArray *relations;      /* AlloyBrioRelationSyntax, in file order */
} AlloyBrioStructureSyntax;

typedef struct {
  char *file;
  char *name;
  AlloyBrioPos pos;          /* of the `schema` keyword */
  AlloyBrioPos name_pos;
  guint version;
  AlloyBrioPos version_pos;  /* of the number */
  char *root_name;
  AlloyBrioPos root_pos;     /* of the root relation name */
  char *root_type;
  AlloyBrioPos root_type_pos;
  GPtrArray *structures;     /* AlloyBrioStructureSyntax, in file order */
} AlloyBrioFileSyntax;

/* A leading UTF-8 byte order mark (EF BB BF), which some editors write, is
 * not part of a schema's text: pass the text of a file through this before
 * alloy_brio_file_syntax_parse() and alloy_brio_file_syntax_peek_name(), so
 * that both ignore it and positions count from the character after it.
 * Returns the text after the mark and shortens *@length by it. */
static inline const char *
alloy_brio_skip_bom (const char *text, gsize *length)
{
  if (*length >= 3 && (guchar) text[0] == 0xEF && (guchar) text[1] == 0xBB
      && (guchar) text[2] == 0xBF)
    {
      *length -= 3;
      return text + 3;
    }
  return text;
}

/* Parses @text (@length bytes, not necessarily NUL-terminated) of @file,
 * without a leading byte order mark (alloy_brio_skip_bom()).
 * ALLOY_BRIO_ERROR_SYNTAX, with "FILE:LINE:COLUMN: ", when it does not
 * parse. */
AlloyBrioFileSyntax *alloy_brio_file_syntax_parse (const char *file, const char *text,
                                                   gsize length, GError **error);
void alloy_brio_file_syntax_free (AlloyBrioFileSyntax *syntax);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioFileSyntax, alloy_brio_file_syntax_free)

/* The NAME of a leading `schema NAME` (comments may precede it; strip a
 * byte order mark first), or NULL; reads no further. */
char *alloy_brio_file_syntax_peek_name (const char *text, gsize length);

void alloy_brio_type_syntax_copy (AlloyBrioTypeSyntax *dest, const AlloyBrioTypeSyntax *src);
void alloy_brio_type_syntax_clear (AlloyBrioTypeSyntax *type);
gboolean alloy_brio_type_syntax_equal (const AlloyBrioTypeSyntax *a, const AlloyBrioTypeSyntax *b);

/* The type as the language spells it: "long", "vector[Session]",
 * "map[string,string]", "elastic(8,2,name)". */
char *alloy_brio_type_syntax_format (AlloyBrioContainer container, const AlloyBrioTypeSyntax *type,
                                     const AlloyBrioTypeSyntax *value);

/* The version line, and the N of a NAME_vN.brio file name against it. */
gboolean alloy_brio_check_version_line (const AlloyBrioFileSyntax *syntax, GError **error);
/* One file alone: types, names, ordinals, hierarchy. */
gboolean alloy_brio_check_file (const AlloyBrioFileSyntax *syntax, GError **error);
/* The files of one schema: one name, versions 1..N, each once. Sorts
 * @files (AlloyBrioFileSyntax) by version. */
gboolean alloy_brio_check_family (GPtrArray *files, GError **error);

#define fail_at(error, file, pos, ...) \
  alloy_brio_schema_fail (error, ALLOY_BRIO_ERROR_SCHEMA, file, pos, __VA_ARGS__)

/* Sets @error to "FILE:LINE:COLUMN: message" and returns FALSE. */
gboolean alloy_brio_schema_fail (GError **error, AlloyBrioError code, const char *file,
                                 AlloyBrioPos pos, const char *format, ...) G_GNUC_PRINTF (5, 6);

G_END_DECLS
