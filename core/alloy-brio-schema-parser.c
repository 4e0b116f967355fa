/* alloy-brio-schema-parser.c: the lexer and recursive-descent parser of one
 * .brio file into its syntax tree.
 *
 * The grammar is Burst's BrioSchemaGrammar.g4: keywords are reserved (a
 * keyword is a name only when quoted), a quoted name is one identifier in
 * matching quotes, and every non-ASCII character counts as a letter.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-schema-private.h"

#include <string.h>

typedef enum {
  TOKEN_EOF,
  TOKEN_NAME,   /* an identifier, a keyword or a quoted name */
  TOKEN_NUMBER,
  TOKEN_PUNCT,  /* { } ( ) [ ] : , */
} TokenKind;

typedef struct {
  TokenKind kind;
  gboolean quoted;
  char *text;       /* NAME: quotes stripped */
  gint32 number;
  char punct;
  AlloyBrioPos pos;
} Token;

typedef struct {
  const char *file;
  const char *p;
  const char *end;
  AlloyBrioPos at;  /* of *p */
  Token token;      /* the lookahead */
  GError **error;
} Parser;

static const char *const keywords[] = {
  "schema", "version", "root", "structure", "extends", "map", "vector", "key", "ordinal",
  "boolean", "byte", "short", "integer", "long", "double", "string", "elastic", "lookup",
};

gboolean
alloy_brio_schema_fail (GError **error, AlloyBrioError code, const char *file, AlloyBrioPos pos,
                        const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_BRIO_ERROR, code, "%s:%u:%u: %s", file, pos.line, pos.column,
               message);
  return FALSE;
}

#define syntax_error(parser, pos, ...) \
  alloy_brio_schema_fail ((parser)->error, ALLOY_BRIO_ERROR_SYNTAX, (parser)->file, pos, \
                          __VA_ARGS__)

/* The code point at the cursor and its length; (gunichar) -1 when the
 * bytes are not UTF-8. */
static gunichar
peek_char (Parser *parser, guint *length)
{
  gunichar c;

  if ((guchar) *parser->p < 0x80)
    {
      *length = 1;
      return (guchar) *parser->p;
    }
  c = g_utf8_get_char_validated (parser->p, parser->end - parser->p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return (gunichar) -1;
  *length = g_utf8_next_char (parser->p) - parser->p;
  return c;
}

/* Steps over one character; FALSE (with the error set) on bad UTF-8. */
static gboolean
advance (Parser *parser)
{
  guint length;
  gunichar c = peek_char (parser, &length);

  if (c == (gunichar) -1)
    return syntax_error (parser, parser->at, "invalid UTF-8");
  parser->p += length;
  if (c == '\n')
    {
      parser->at.line++;
      parser->at.column = 1;
    }
  else
    parser->at.column++;
  return TRUE;
}

static gboolean
at_string (Parser *parser, const char *s)
{
  gsize n = strlen (s);
  return (gsize) (parser->end - parser->p) >= n && memcmp (parser->p, s, n) == 0;
}

static gboolean
skip_blanks (Parser *parser)
{
  while (parser->p < parser->end)
    {
      if (strchr (" \t\r\n\f", *parser->p) != NULL && *parser->p != '\0')
        {
          if (!advance (parser))
            return FALSE;
        }
      else if (at_string (parser, "//"))
        {
          while (parser->p < parser->end && *parser->p != '\n')
            if (!advance (parser))
              return FALSE;
        }
      else if (at_string (parser, "/*"))
        {
          AlloyBrioPos start = parser->at;

          parser->p += 2;
          parser->at.column += 2;
          while (!at_string (parser, "*/"))
            {
              if (parser->p >= parser->end)
                return syntax_error (parser, start, "unterminated comment");
              if (!advance (parser))
                return FALSE;
            }
          parser->p += 2;
          parser->at.column += 2;
        }
      else
        break;
    }
  return TRUE;
}

static gboolean
is_name_start (gunichar c)
{
  return g_ascii_isalpha (c) || c == '$' || c == '_' || (c >= 0x80 && c != (gunichar) -1);
}

static gboolean
is_name_char (gunichar c)
{
  return is_name_start (c) || g_ascii_isdigit (c);
}

static gboolean
lex_name (Parser *parser)
{
  const char *start = parser->p;
  guint length;

  while (parser->p < parser->end && is_name_char (peek_char (parser, &length)))
    if (!advance (parser))
      return FALSE;
  parser->token.kind = TOKEN_NAME;
  parser->token.text = g_strndup (start, parser->p - start);
  return TRUE;
}

static char *
describe_char (gunichar c)
{
  if (c == (gunichar) -1)
    return g_strdup ("invalid UTF-8");
  if (c > 0x20 && c < 0x7f)
    return g_strdup_printf ("unexpected character '%c'", (char) c);
  return g_strdup_printf ("unexpected character U+%04X", c);
}

/* Reads the next token into parser->token. */
static gboolean
next (Parser *parser)
{
  Token *token = &parser->token;
  guint length;
  gunichar c;

  g_clear_pointer (&token->text, g_free);
  token->quoted = FALSE;
  if (!skip_blanks (parser))
    return FALSE;
  token->pos = parser->at;
  if (parser->p >= parser->end)
    {
      token->kind = TOKEN_EOF;
      return TRUE;
    }

  c = peek_char (parser, &length);
  if (is_name_start (c))
    return lex_name (parser);

  if (g_ascii_isdigit (c))
    {
      gint64 value = 0;

      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        {
          value = value * 10 + (*parser->p - '0');
          if (value > G_MAXINT32)
            return syntax_error (parser, token->pos, "number too large");
          parser->p++;
          parser->at.column++;
        }
      token->kind = TOKEN_NUMBER;
      token->number = (gint32) value;
      return TRUE;
    }

  if (c == '\'' || c == '"')
    {
      /* One identifier between matching quotes; the quotes are dropped. */
      parser->p++;
      parser->at.column++;
      if (parser->p >= parser->end || !is_name_start (peek_char (parser, &length)))
        return syntax_error (parser, parser->at, "expected a name after %c", (char) c);
      if (!lex_name (parser))
        return FALSE;
      if (parser->p >= parser->end || *parser->p != (char) c)
        return syntax_error (parser, parser->at, "expected %c to close the quoted name '%s'",
                             (char) c, token->text);
      parser->p++;
      parser->at.column++;
      token->quoted = TRUE;
      return TRUE;
    }

  if (c < 0x80 && c != '\0' && strchr ("{}()[]:,", (int) c) != NULL)
    {
      token->kind = TOKEN_PUNCT;
      token->punct = (char) c;
      parser->p++;
      parser->at.column++;
      return TRUE;
    }

  {
    g_autofree char *what = describe_char (c);
    return syntax_error (parser, token->pos, "%s", what);
  }
}

static gboolean
is_keyword_text (const char *text)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (strcmp (text, keywords[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
token_is_keyword (const Token *token, const char *keyword)
{
  return token->kind == TOKEN_NAME && !token->quoted && strcmp (token->text, keyword) == 0;
}

static gboolean
token_is_name (const Token *token)
{
  return token->kind == TOKEN_NAME && (token->quoted || !is_keyword_text (token->text));
}

static gboolean
token_is_punct (const Token *token, char c)
{
  return token->kind == TOKEN_PUNCT && token->punct == c;
}

static char *
describe_token (const Token *token)
{
  switch (token->kind)
    {
    case TOKEN_EOF:
      return g_strdup ("end of file");
    case TOKEN_NAME:
      if (!token->quoted && is_keyword_text (token->text))
        return g_strdup_printf ("keyword '%s'", token->text);
      return g_strdup_printf ("name '%s'", token->text);
    case TOKEN_NUMBER:
      return g_strdup_printf ("number %d", token->number);
    case TOKEN_PUNCT:
    default:
      return g_strdup_printf ("'%c'", token->punct);
    }
}

static gboolean
unexpected (Parser *parser, const char *expected)
{
  g_autofree char *found = describe_token (&parser->token);

  return syntax_error (parser, parser->token.pos, "expected %s, found %s", expected, found);
}

static gboolean
expect_punct (Parser *parser, char c)
{
  char expected[4] = { '\'', c, '\'', '\0' };

  if (!token_is_punct (&parser->token, c))
    return unexpected (parser, expected);
  return next (parser);
}

static gboolean
expect_keyword (Parser *parser, const char *keyword)
{
  g_autofree char *expected = NULL;

  if (token_is_keyword (&parser->token, keyword))
    return next (parser);
  expected = g_strdup_printf ("'%s'", keyword);
  return unexpected (parser, expected);
}

static gboolean
expect_name (Parser *parser, const char *expected, char **name, AlloyBrioPos *pos)
{
  if (parser->token.kind == TOKEN_NAME && !token_is_name (&parser->token))
    return syntax_error (parser, parser->token.pos,
                         "expected %s, found keyword '%s' (quote a keyword to use it as a name)",
                         expected, parser->token.text);
  if (!token_is_name (&parser->token))
    return unexpected (parser, expected);
  *name = g_steal_pointer (&parser->token.text);
  if (pos != NULL)
    *pos = parser->token.pos;
  return next (parser);
}

static gboolean
expect_number (Parser *parser, const char *expected, gint32 *number, AlloyBrioPos *pos)
{
  if (parser->token.kind != TOKEN_NUMBER)
    return unexpected (parser, expected);
  *number = parser->token.number;
  if (pos != NULL)
    *pos = parser->token.pos;
  return next (parser);
}

static AlloyBrioValueType
value_type_of (const Token *token)
{
  static const char *const names[] = {
    "boolean", "byte", "short", "integer", "long", "double", "string",
  };

  if (token->kind != TOKEN_NAME || token->quoted)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (token->text, names[i]) == 0)
      return ALLOY_BRIO_BOOLEAN + i;
  return 0;
}

/* elastic '(' N [',' N] [',' NAME] ')' and lookup '(' N ',' NAME ')'. */
static gboolean
parse_extended (Parser *parser, AlloyBrioTypeSyntax *type)
{
  gboolean elastic = token_is_keyword (&parser->token, "elastic");

  type->kind = elastic ? ALLOY_BRIO_TYPE_ELASTIC : ALLOY_BRIO_TYPE_LOOKUP;
  type->bytes = -1;
  if (!next (parser) || !expect_punct (parser, '('))
    return FALSE;
  if (!elastic)
    return expect_number (parser, "the lookup's byte count", &type->bytes, NULL)
           && expect_punct (parser, ',')
           && expect_name (parser, "the lookup's name", &type->name, NULL)
           && expect_punct (parser, ')');

  if (!expect_number (parser, "the elastic's blur", &type->blur, NULL))
    return FALSE;
  if (token_is_punct (&parser->token, ','))
    {
      if (!next (parser))
        return FALSE;
      if (parser->token.kind == TOKEN_NUMBER)
        {
          if (!expect_number (parser, "the elastic's byte count", &type->bytes, NULL))
            return FALSE;
          if (token_is_punct (&parser->token, ',')
              && (!next (parser) || !expect_name (parser, "the elastic's name", &type->name, NULL)))
            return FALSE;
        }
      else if (!expect_name (parser, "a byte count or a name", &type->name, NULL))
        return FALSE;
    }
  return expect_punct (parser, ')');
}

/* A value type, an extended type or a structure name. */
static gboolean
parse_element (Parser *parser, const char *expected, AlloyBrioTypeSyntax *type)
{
  AlloyBrioValueType value = value_type_of (&parser->token);

  type->pos = parser->token.pos;
  if (value != 0)
    {
      type->kind = ALLOY_BRIO_TYPE_VALUE;
      type->value = value;
      return next (parser);
    }
  if (token_is_keyword (&parser->token, "elastic") || token_is_keyword (&parser->token, "lookup"))
    return parse_extended (parser, type);
  /* No quoting hint here: a keyword is much likelier a misplaced type. */
  if (!token_is_name (&parser->token))
    return unexpected (parser, expected);
  type->kind = ALLOY_BRIO_TYPE_NAMED;
  return expect_name (parser, expected, &type->name, NULL);
}

static void
relation_syntax_free (AlloyBrioRelationSyntax *relation)
{
  g_free (relation->name);
  alloy_brio_type_syntax_clear (&relation->type);
  alloy_brio_type_syntax_clear (&relation->value);
  g_free (relation);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioRelationSyntax, relation_syntax_free)

/* ORDINAL ')' NAME ':' TYPE ('key' | 'ordinal')* */
static AlloyBrioRelationSyntax *
parse_relation (Parser *parser, const char *expected)
{
  g_autoptr(AlloyBrioRelationSyntax) relation = g_new0 (AlloyBrioRelationSyntax, 1);
  gint32 ordinal = 0;
  const char *type_expected = "a type (a value type, vector[...], map[...], elastic(...), "
                              "lookup(...) or a structure name)";

  if (!expect_number (parser, expected, &ordinal, &relation->pos))
    return NULL;
  relation->ordinal = (guint) ordinal;
  if (!expect_punct (parser, ')')
      || !expect_name (parser, "a relation name", &relation->name, &relation->name_pos)
      || !expect_punct (parser, ':'))
    return NULL;

  relation->type_pos = parser->token.pos;
  if (token_is_keyword (&parser->token, "vector"))
    {
      relation->container = ALLOY_BRIO_CONTAINER_VECTOR;
      if (!next (parser) || !expect_punct (parser, '[')
          || !parse_element (parser, "a value type or a structure name", &relation->type)
          || !expect_punct (parser, ']'))
        return NULL;
    }
  else if (token_is_keyword (&parser->token, "map"))
    {
      relation->container = ALLOY_BRIO_CONTAINER_MAP;
      /* Structure names parse here so that the model can say that they are
       * not value types. */
      if (!next (parser) || !expect_punct (parser, '[')
          || !parse_element (parser, "a map key type", &relation->type)
          || !expect_punct (parser, ',')
          || !parse_element (parser, "a map value type", &relation->value)
          || !expect_punct (parser, ']'))
        return NULL;
    }
  else if (!parse_element (parser, type_expected, &relation->type))
    return NULL;

  for (;;)
    {
      if (token_is_keyword (&parser->token, "key"))
        relation->is_key = TRUE;
      else if (token_is_keyword (&parser->token, "ordinal"))
        relation->is_ordinal = TRUE;
      else
        break;
      if (!next (parser))
        return NULL;
    }
  return g_steal_pointer (&relation);
}

static void
structure_syntax_free (AlloyBrioStructureSyntax *structure)
{
  g_free (structure->name);
  g_free (structure->supertype);
  g_ptr_array_unref (structure->relations);
  g_free (structure);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioStructureSyntax, structure_syntax_free)

/* 'structure' NAME ('extends' NAME)? '{' relation+ '}' */
static AlloyBrioStructureSyntax *
parse_structure (Parser *parser)
{
  g_autoptr(AlloyBrioStructureSyntax) structure = g_new0 (AlloyBrioStructureSyntax, 1);

  structure->relations = g_ptr_array_new_with_free_func ((GDestroyNotify) relation_syntax_free);
  if (!expect_keyword (parser, "structure")
      || !expect_name (parser, "a structure name", &structure->name, &structure->pos))
    return NULL;
  if (token_is_keyword (&parser->token, "extends")
      && (!next (parser) || !expect_name (parser, "the name of the supertype",
                                          &structure->supertype, &structure->supertype_pos)))
    return NULL;
  if (!expect_punct (parser, '{'))
    return NULL;
  do
    {
      AlloyBrioRelationSyntax *relation =
        parse_relation (parser, structure->relations->len == 0 ? "a relation ordinal"
                                                               : "a relation ordinal or '}'");
      if (relation == NULL)
        return NULL;
      g_ptr_array_add (structure->relations, relation);
    }
  while (!token_is_punct (&parser->token, '}'));
  if (!next (parser))
    return NULL;
  return g_steal_pointer (&structure);
}

/* 'schema' NAME '{' 'version' ':' N 'root' ')' NAME ':' NAME structure+ '}' EOF */
static gboolean
parse_file (Parser *parser, AlloyBrioFileSyntax *syntax)
{
  gint32 version = 0;

  syntax->pos = parser->token.pos;
  if (!expect_keyword (parser, "schema")
      || !expect_name (parser, "the schema name", &syntax->name, &syntax->name_pos)
      || !expect_punct (parser, '{')
      || !expect_keyword (parser, "version") || !expect_punct (parser, ':')
      || !expect_number (parser, "the version number", &version, &syntax->version_pos))
    return FALSE;
  syntax->version = (guint) version;
  if (!expect_keyword (parser, "root") || !expect_punct (parser, ')')
      || !expect_name (parser, "the root relation name", &syntax->root_name, &syntax->root_pos)
      || !expect_punct (parser, ':')
      || !expect_name (parser, "the root structure name", &syntax->root_type,
                       &syntax->root_type_pos))
    return FALSE;
  if (!token_is_keyword (&parser->token, "structure"))
    return unexpected (parser, "'structure'");
  while (token_is_keyword (&parser->token, "structure"))
    {
      AlloyBrioStructureSyntax *structure = parse_structure (parser);
      if (structure == NULL)
        return FALSE;
      g_ptr_array_add (syntax->structures, structure);
    }
  if (!token_is_punct (&parser->token, '}'))
    return unexpected (parser, "'structure' or '}'");
  if (!next (parser))
    return FALSE;
  if (parser->token.kind != TOKEN_EOF)
    return unexpected (parser, "end of file after the schema's '}'");
  return TRUE;
}

static void
parser_init (Parser *parser, const char *file, const char *text, gsize length, GError **error)
{
  memset (parser, 0, sizeof *parser);
  parser->file = file;
  parser->p = text;
  parser->end = text + length;
  parser->at.line = 1;
  parser->at.column = 1;
  parser->error = error;
}

AlloyBrioFileSyntax *
alloy_brio_file_syntax_parse (const char *file, const char *text, gsize length, GError **error)
{
  g_autoptr(AlloyBrioFileSyntax) syntax = g_new0 (AlloyBrioFileSyntax, 1);
  Parser parser;
  gboolean ok;

  syntax->file = g_strdup (file);
  syntax->structures = g_ptr_array_new_with_free_func ((GDestroyNotify) structure_syntax_free);
  parser_init (&parser, file, text, length, error);
  ok = next (&parser) && parse_file (&parser, syntax);
  g_free (parser.token.text);
  return ok ? g_steal_pointer (&syntax) : NULL;
}

char *
alloy_brio_file_syntax_peek_name (const char *text, gsize length)
{
  g_autoptr(GError) error = NULL;
  char *name = NULL;
  Parser parser;

  parser_init (&parser, "", text, length, &error);
  if (next (&parser) && token_is_keyword (&parser.token, "schema") && next (&parser)
      && token_is_name (&parser.token))
    name = g_steal_pointer (&parser.token.text);
  g_free (parser.token.text);
  return name;
}

void
alloy_brio_file_syntax_free (AlloyBrioFileSyntax *syntax)
{
  g_free (syntax->file);
  g_free (syntax->name);
  g_free (syntax->root_name);
  g_free (syntax->root_type);
  g_ptr_array_unref (syntax->structures);
  g_free (syntax);
}

void
alloy_brio_type_syntax_copy (AlloyBrioTypeSyntax *dest, const AlloyBrioTypeSyntax *src)
{
  *dest = *src;
  dest->name = g_strdup (src->name);
}

void
alloy_brio_type_syntax_clear (AlloyBrioTypeSyntax *type)
{
  g_clear_pointer (&type->name, g_free);
}

gboolean
alloy_brio_type_syntax_equal (const AlloyBrioTypeSyntax *a, const AlloyBrioTypeSyntax *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case ALLOY_BRIO_TYPE_VALUE:
      return a->value == b->value;
    case ALLOY_BRIO_TYPE_NAMED:
      return g_strcmp0 (a->name, b->name) == 0;
    case ALLOY_BRIO_TYPE_ELASTIC:
    case ALLOY_BRIO_TYPE_LOOKUP:
      return a->blur == b->blur && a->bytes == b->bytes && g_strcmp0 (a->name, b->name) == 0;
    default:
      return TRUE; /* both absent (the value of a non-map) */
    }
}

static void
append_element (GString *out, const AlloyBrioTypeSyntax *type)
{
  switch (type->kind)
    {
    case ALLOY_BRIO_TYPE_VALUE:
      g_string_append (out, alloy_brio_value_type_to_string (type->value));
      break;
    case ALLOY_BRIO_TYPE_NAMED:
      g_string_append (out, type->name);
      break;
    case ALLOY_BRIO_TYPE_ELASTIC:
      g_string_append_printf (out, "elastic(%d", type->blur);
      if (type->bytes >= 0)
        g_string_append_printf (out, ",%d", type->bytes);
      if (type->name != NULL)
        g_string_append_printf (out, ",%s", type->name);
      g_string_append_c (out, ')');
      break;
    case ALLOY_BRIO_TYPE_LOOKUP:
      g_string_append_printf (out, "lookup(%d,%s)", type->bytes, type->name);
      break;
    default:
      g_string_append_c (out, '?');
      break;
    }
}

char *
alloy_brio_type_syntax_format (AlloyBrioContainer container, const AlloyBrioTypeSyntax *type,
                               const AlloyBrioTypeSyntax *value)
{
  GString *out = g_string_new (NULL);

  switch (container)
    {
    case ALLOY_BRIO_CONTAINER_VECTOR:
      g_string_append (out, "vector[");
      append_element (out, type);
      g_string_append_c (out, ']');
      break;
    case ALLOY_BRIO_CONTAINER_MAP:
      g_string_append (out, "map[");
      append_element (out, type);
      g_string_append_c (out, ',');
      append_element (out, value);
      g_string_append_c (out, ']');
      break;
    case ALLOY_BRIO_CONTAINER_SCALAR:
    default:
      append_element (out, type);
      break;
    }
  return g_string_free (out, FALSE);
}
