/* alloy-json-scanner.c: the byte-level element scanner of reader_json:
 * where each top-level element of a JSON array file starts and ends.
 *
 * The scanner never parses: it knows strings, escapes and bracket nesting,
 * counts lines and columns, and hands each element's bytes out untouched;
 * the core's presser parses them. The GObject reader and iterator that use
 * it are in alloy-json-reader.c.
 *
 * Memory: the input is read in 64 KiB chunks. Only the element being framed
 * is gathered, and never more than item-max-bytes of it: a longer element is
 * dropped as soon as it passes the limit and scanned to its end without
 * being kept. Beyond that the scanner holds one bracket byte per level up
 * to the depth limit. Nothing grows with the file.
 *
 * Errors (the Java source's defect D6 silently ended a file at its first
 * non-object element): an element that is not an object, is not UTF-8, holds
 * a NUL byte, nests too deep (the root object is level 1; the enclosing array
 * does not count) or is too large is an ITEM error, and reading goes on
 * after it. Where the structure itself is broken (no array or object
 * at the start, an unmatched bracket, garbage between elements or after the
 * end, truncation, a read error such as a broken gzip stream), a STREAM
 * error says what is lost and the scanner is finished.
 *
 * An empty or blank file has no items and is not an error; a UTF-8 BOM at
 * offset 0 is skipped; lines end at LF (so CRLF is one line end and a lone
 * CR none); columns count bytes.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-json-scanner.h"

#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define NOT_ARRAY_OR_OBJECT "the file is neither a JSON array nor an object: expected '[' or '{'"
/* An item up to this size is copied out of the framing buffer, which is then
 * reused; a larger one takes the buffer with it, so that an iterator keeps at
 * most this much between items. */
#define BUFFER_KEEP_BYTES (1024 * 1024)

/* Bytes that stop the fast loops: inside a string, inside an object or
 * array, and after a number or literal. */
static const guint8 string_stop[256] = { ['"'] = 1, ['\\'] = 1, ['\n'] = 1 };
static const guint8 nest_stop[256] = {
  ['"'] = 1, ['\n'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};
static const guint8 token_stop[256] = {
  [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [','] = 1, [':'] = 1,
  ['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

typedef enum {
  STATE_START, /* before the root: blanks, a BOM at offset 0 */
  STATE_FIRST, /* after '[': an element or ']' */
  STATE_NEXT,  /* after ',': an element */
  STATE_AFTER, /* after an element: ',' or ']' */
  STATE_END,   /* after the closing ']' or the single object: blanks only */
} State;

typedef enum {
  REJECT_NONE,
  REJECT_NOT_OBJECT,
  REJECT_TOO_DEEP,
  REJECT_TOO_LARGE,
} Reject;

typedef enum {
  SCAN_MORE,     /* the chunk ended inside the element */
  SCAN_DONE,     /* the element ended */
  SCAN_MISMATCH, /* a closing bracket of the wrong kind */
} ScanResult;

/* --- the state -------------------------------------------------------- */

struct _AlloyJsonScanner {
  GInputStream *stream;
  char *display_name;
  guint64 max_bytes;
  guint max_depth;
  gboolean finished;

  guint8 *chunk; /* CHUNK_SIZE bytes */
  gsize chunk_len;
  gsize chunk_pos;
  guint64 chunk_offset; /* input offset of chunk[0] */

  /* The line of chunk[chunk_pos], and the offset its line starts at: a
   * column is a subtraction, so only '\n' costs anything. */
  guint64 line;
  guint64 line_start;

  State state;
  gboolean root_is_object;
  guint bom_matched;
  guint64 framed; /* elements framed, rejected ones included */

  /* The element being framed. */
  gboolean in_element;
  guint64 el_offset;
  guint64 el_line;
  guint64 el_column;
  guint64 depth;
  guint64 deepest;
  gboolean in_string;
  gboolean escaped;
  guint8 *open; /* the opening bracket of each level up to max_depth */
  Reject reject;
  const char *what; /* what a non-object is, for the message */
  gboolean is_token;
  char token[8]; /* a literal's first bytes, to name it */
  gsize token_len;
  gboolean buffering;
  GByteArray *buffer;
};

AlloyJsonScanner *
alloy_json_scanner_new (GInputStream *stream, const char *display_name, guint64 max_bytes,
                        guint max_depth)
{
  AlloyJsonScanner *self = g_new0 (AlloyJsonScanner, 1);

  self->line = 1;
  self->chunk = g_malloc (CHUNK_SIZE);
  self->buffer = g_byte_array_new ();
  self->stream = g_object_ref (stream);
  self->display_name = g_strdup (display_name);
  self->max_bytes = max_bytes;
  self->max_depth = max_depth;
  self->open = g_malloc (self->max_depth);
  return self;
}

void
alloy_json_scanner_free (AlloyJsonScanner *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->stream);
  g_free (self->display_name);
  g_free (self->chunk);
  g_free (self->open);
  g_byte_array_unref (self->buffer);
  g_free (self);
}

/* --- framing ---------------------------------------------------------- */

static guint64
position (AlloyJsonScanner *self, const guint8 *p)
{
  return self->chunk_offset + (guint64) (p - self->chunk);
}

static void
set_location (AlloyJsonScanner *self, AlloyItemLocation *location, guint64 line,
              guint64 column, guint64 offset)
{
  location->file = self->display_name;
  location->line = line;
  location->column = column;
  location->offset = offset;
  location->index = self->framed;
}

/* Sets @error with the location's FILE:LINE:COLUMN: prefix. A STREAM error
 * finishes the iterator. */
static gboolean fail (AlloyJsonScanner *self, const AlloyItemLocation *location,
                      AlloyReaderError code, GError **error, const char *format, ...)
  G_GNUC_PRINTF (5, 6);

static gboolean
fail (AlloyJsonScanner *self, const AlloyItemLocation *location, AlloyReaderError code,
      GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (code == ALLOY_READER_ERROR_STREAM)
    self->finished = TRUE;
  g_set_error (error, ALLOY_READER_ERROR, code,
               "%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ": %s", location->file,
               location->line, location->column, message);
  return FALSE;
}

/* Points @location at @p, or at the end of the input when @p is NULL. */
static AlloyItemLocation *
here (AlloyJsonScanner *self, const guint8 *p, AlloyItemLocation *location)
{
  guint64 offset = p ? position (self, p) : self->chunk_offset + self->chunk_len;

  set_location (self, location, self->line, offset - self->line_start + 1, offset);
  return location;
}

/* "after item N", or "before the first item"; items count from 1. */
static char *
after_item (guint64 framed)
{
  if (framed == 0)
    return g_strdup ("before the first item");
  return g_strdup_printf ("after item %" G_GUINT64_FORMAT, framed);
}

static char *
rest_lost (guint64 framed)
{
  if (framed == 0)
    return g_strdup ("the rest of the file is lost");
  return g_strdup_printf ("the rest of the file, after item %" G_GUINT64_FORMAT ", is lost",
                          framed);
}

/* A byte as messages show it: 'x', or byte 0xNN when not printable. */
static char *
describe_byte (guint8 c)
{
  if (c > 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02x", c);
}

/* Drops the gathered bytes; a large buffer is freed rather than kept. */
static void
drop_buffer (AlloyJsonScanner *self)
{
  if (self->buffer->len > BUFFER_KEEP_BYTES)
    {
      g_byte_array_unref (self->buffer);
      self->buffer = g_byte_array_new ();
    }
  else
    g_byte_array_set_size (self->buffer, 0);
}

static GBytes *
take_buffer (AlloyJsonScanner *self)
{
  gsize len = self->buffer->len;
  guint8 *data;

  if (len <= BUFFER_KEEP_BYTES)
    {
      GBytes *bytes = g_bytes_new (self->buffer->data, len);

      g_byte_array_set_size (self->buffer, 0);
      return bytes;
    }
  /* Give the large buffer away, trimmed to its content. */
  data = g_byte_array_steal (self->buffer, &len);
  return g_bytes_new_take (g_realloc (data, len), len);
}

static void
reject_element (AlloyJsonScanner *self, Reject why)
{
  if (self->reject != REJECT_NONE)
    return;
  self->reject = why;
  self->buffering = FALSE;
  drop_buffer (self);
}

/* Keeps @len bytes of the element, up to item-max-bytes. */
static void
keep (AlloyJsonScanner *self, const guint8 *run, gsize len)
{
  if (!self->buffering || len == 0)
    return;
  if (self->buffer->len + len > self->max_bytes)
    {
      reject_element (self, REJECT_TOO_LARGE);
      return;
    }
  g_byte_array_append (self->buffer, run, len);
}

/* Starts an element at @p, or returns FALSE when no element can start
 * there. */
static gboolean
begin_element (AlloyJsonScanner *self, const guint8 *p)
{
  guint8 c = *p;

  self->reject = REJECT_NONE;
  self->is_token = FALSE;
  self->token_len = 0;
  if (c == '{')
    self->what = NULL;
  else if (c == '[')
    self->what = "an array";
  else if (c == '"')
    self->what = "a string";
  else if (c == '-' || g_ascii_isdigit (c))
    {
      self->what = "a number";
      self->is_token = TRUE;
    }
  else if (g_ascii_isalpha (c))
    {
      self->what = NULL; /* named at its end: true, false, null or neither */
      self->is_token = TRUE;
    }
  else
    return FALSE;
  if (c != '{')
    self->reject = REJECT_NOT_OBJECT;
  self->in_element = TRUE;
  self->el_offset = position (self, p);
  self->el_line = self->line;
  self->el_column = self->el_offset - self->line_start + 1;
  self->depth = 0;
  self->deepest = 0;
  self->in_string = FALSE;
  self->escaped = FALSE;
  self->buffering = self->reject == REJECT_NONE;
  g_byte_array_set_size (self->buffer, 0);
  return TRUE;
}

static void
new_line (AlloyJsonScanner *self, const guint8 *after)
{
  self->line++;
  self->line_start = position (self, after);
}

/* Scans the element from *@pp up to @end: strings, escapes and nesting. */
static ScanResult
scan_element (AlloyJsonScanner *self, const guint8 **pp, const guint8 *end)
{
  const guint8 *p = *pp;

  if (self->is_token)
    {
      while (p < end && !token_stop[*p])
        {
          if (self->token_len < sizeof self->token)
            self->token[self->token_len++] = (char) *p;
          p++;
        }
      *pp = p;
      return p < end ? SCAN_DONE : SCAN_MORE;
    }

  while (p < end)
    {
      guint8 c;

      if (self->in_string)
        {
          if (self->escaped)
            {
              self->escaped = FALSE;
              if (*p++ == '\n')
                new_line (self, p);
              continue;
            }
          while (p < end && !string_stop[*p])
            p++;
          if (p == end)
            break;
          c = *p++;
          if (c == '"')
            {
              self->in_string = FALSE;
              if (self->depth == 0)
                goto done;
            }
          else if (c == '\\')
            self->escaped = TRUE;
          else
            new_line (self, p);
          continue;
        }

      while (p < end && !nest_stop[*p])
        p++;
      if (p == end)
        break;
      c = *p++;
      switch (c)
        {
        case '"':
          self->in_string = TRUE;
          break;
        case '\n':
          new_line (self, p);
          break;
        case '{':
        case '[':
          self->depth++;
          self->deepest = MAX (self->deepest, self->depth);
          if (self->depth <= self->max_depth)
            self->open[self->depth - 1] = c;
          else
            reject_element (self, REJECT_TOO_DEEP);
          break;
        default: /* '}' or ']' */
          /* Beyond the depth limit the element is rejected already and only
           * its end matters, so the kinds are no longer compared there. */
          if (self->depth <= self->max_depth && self->open[self->depth - 1] != c - 2)
            {
              *pp = p - 1;
              return SCAN_MISMATCH;
            }
          if (--self->depth == 0)
            goto done;
          break;
        }
    }
  *pp = p;
  return SCAN_MORE;

done:
  *pp = p;
  return SCAN_DONE;
}

/* Where in the input byte @at of the gathered element is. */
static void
position_in_element (AlloyJsonScanner *self, gsize at, guint64 *line, guint64 *column)
{
  const guint8 *data = self->buffer->data;
  const guint8 *last_newline = NULL;

  *line = self->el_line;
  for (gsize i = 0; i < at; i++)
    if (data[i] == '\n')
      {
        (*line)++;
        last_newline = data + i;
      }
  *column = last_newline ? (guint64) (data + at - last_newline) : self->el_column + at;
}

static gboolean
finish_element (AlloyJsonScanner *self, const guint8 *end, GBytes **item,
                AlloyItemLocation *location, GError **error)
{
  guint64 size = position (self, end) - self->el_offset;
  const char *bad = NULL;
  guint64 line, column;

  self->in_element = FALSE;
  self->state = self->root_is_object ? STATE_END : STATE_AFTER;
  set_location (self, location, self->el_line, self->el_column, self->el_offset);
  self->framed++;

  if (self->is_token && self->what == NULL)
    {
      static const char *const literals[] = { "true", "false", "null" };

      self->what = "an invalid literal";
      for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
        if (self->token_len == strlen (literals[i])
            && memcmp (self->token, literals[i], self->token_len) == 0)
          self->what = literals[i];
    }
  switch (self->reject)
    {
    case REJECT_NOT_OBJECT:
      return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                   "expected an object, got %s", self->what);
    case REJECT_TOO_DEEP:
      return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                   "item nested %" G_GUINT64_FORMAT " levels deep, over the limit of %u ("
                   ALLOY_JSON_KEY_MAX_DEPTH ")", self->deepest, self->max_depth);
    case REJECT_TOO_LARGE:
      return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                   "item of %" G_GUINT64_FORMAT " bytes is larger than "
                   ALLOY_JSON_KEY_ITEM_MAX_BYTES " (%" G_GUINT64_FORMAT " bytes)", size,
                   self->max_bytes);
    case REJECT_NONE:
    default:
      break;
    }

  if (!g_utf8_validate_len ((const char *) self->buffer->data, self->buffer->len, &bad))
    {
      gsize at = (gsize) ((const guint8 *) bad - self->buffer->data);
      guint8 c = self->buffer->data[at];

      position_in_element (self, at, &line, &column);
      drop_buffer (self);
      if (c == 0)
        return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                     "a NUL byte at line %" G_GUINT64_FORMAT ", column %" G_GUINT64_FORMAT
                     " (JSON text cannot hold one)", line, column);
      return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                   "not valid UTF-8: byte 0x%02x at line %" G_GUINT64_FORMAT
                   ", column %" G_GUINT64_FORMAT, c, line, column);
    }
  *item = take_buffer (self);
  return TRUE;
}

/* Reads the next chunk. FALSE with an error for a read error or a
 * cancellation; at the end of the input, TRUE with chunk_len 0. */
static gboolean
fill (AlloyJsonScanner *self, AlloyItemLocation *location, GCancellable *cancellable,
      GError **error)
{
  g_autoptr(GError) read_error = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *after = NULL;
  gssize n;

  self->chunk_offset += self->chunk_len;
  self->chunk_len = self->chunk_pos = 0;
  /* Streams with the data at hand do not look at the cancellable. */
  if (!g_cancellable_set_error_if_cancelled (cancellable, &read_error))
    n = g_input_stream_read (self->stream, self->chunk, CHUNK_SIZE, cancellable, &read_error);
  else
    n = -1;
  if (n >= 0)
    {
      self->chunk_len = (gsize) n;
      return TRUE;
    }
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->finished = TRUE;
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }
  lost = rest_lost (self->framed);
  if (self->in_element)
    return fail (self, here (self, NULL, location), ALLOY_READER_ERROR_STREAM, error,
                 "cannot read item %" G_GUINT64_FORMAT " (starting at line %" G_GUINT64_FORMAT
                 "): %s: %s", self->framed + 1, self->el_line, read_error->message, lost);
  after = after_item (self->framed);
  return fail (self, here (self, NULL, location), ALLOY_READER_ERROR_STREAM, error,
               "cannot read %s: %s: %s", after, read_error->message, lost);
}

/* The input ended: the right end, or truncation. */
static gboolean
at_end (AlloyJsonScanner *self, AlloyItemLocation *location, GError **error)
{
  g_autofree char *after = after_item (self->framed);

  if (self->in_element)
    return fail (self, here (self, NULL, location), ALLOY_READER_ERROR_STREAM, error,
                 "truncated %s: item %" G_GUINT64_FORMAT " starting at line %" G_GUINT64_FORMAT
                 " is lost", after, self->framed + 1, self->el_line);
  switch (self->state)
    {
    case STATE_START:
      if (self->bom_matched % 3 != 0)
        return fail (self, here (self, NULL, location), ALLOY_READER_ERROR_STREAM, error,
                     "the file ends inside a byte order mark");
      break;
    case STATE_FIRST:
    case STATE_NEXT:
    case STATE_AFTER:
      return fail (self, here (self, NULL, location), ALLOY_READER_ERROR_STREAM, error,
                   "truncated %s: the array has no closing ']'; any later items are lost", after);
    case STATE_END:
    default:
      break;
    }
  /* An empty or blank file has no items. */
  self->finished = TRUE;
  return FALSE;
}

/* A STREAM error at @p about an unexpected byte: "@what, got X: LOST". */
static gboolean
fail_unexpected (AlloyJsonScanner *self, const guint8 *p, const char *what,
                 AlloyItemLocation *location, GError **error)
{
  g_autofree char *shown = describe_byte (*p);
  g_autofree char *lost = rest_lost (self->framed);

  return fail (self, here (self, p, location), ALLOY_READER_ERROR_STREAM, error, "%s, got %s: %s",
               what, shown, lost);
}

/* Handles the bytes between elements from *@pp, up to the start of an
 * element or @end. FALSE with a STREAM error when the structure is broken. */
static gboolean
scan_between (AlloyJsonScanner *self, const guint8 **pp, const guint8 *end,
              AlloyItemLocation *location, GError **error)
{
  static const guint8 bom[] = { 0xef, 0xbb, 0xbf };
  const guint8 *p;

  for (p = *pp; p < end; p++)
    {
      guint8 c = *p;

      if (self->state == STATE_START && self->bom_matched < 3
          && position (self, p) == self->bom_matched && c == bom[self->bom_matched])
        {
          self->bom_matched++;
          continue;
        }
      if (self->bom_matched % 3 != 0) /* a BOM that stopped halfway */
        return fail_unexpected (self, p, NOT_ARRAY_OR_OBJECT, location, error);
      if (c == '\n')
        {
          new_line (self, p + 1);
          continue;
        }
      if (c == ' ' || c == '\t' || c == '\r')
        continue;

      switch (self->state)
        {
        case STATE_START:
          if (c == '[')
            {
              self->state = STATE_FIRST;
              continue;
            }
          if (c == '{')
            {
              self->root_is_object = TRUE;
              begin_element (self, p);
              *pp = p;
              return TRUE;
            }
          return fail_unexpected (self, p, NOT_ARRAY_OR_OBJECT, location, error);
        case STATE_FIRST:
        case STATE_NEXT:
          if (c == ']' && self->state == STATE_FIRST)
            {
              self->state = STATE_END;
              continue;
            }
          if (begin_element (self, p))
            {
              *pp = p;
              return TRUE;
            }
          if (self->framed == 0)
            return fail_unexpected (self, p, "expected an array element", location, error);
          else
            {
              g_autofree char *what = g_strdup_printf ("expected an array element after item %"
                                                       G_GUINT64_FORMAT " and ','", self->framed);

              return fail_unexpected (self, p, what, location, error);
            }
        case STATE_AFTER:
          if (c == ',')
            self->state = STATE_NEXT;
          else if (c == ']')
            self->state = STATE_END;
          else
            {
              g_autofree char *what = g_strdup_printf ("expected ',' or ']' after item %"
                                                       G_GUINT64_FORMAT, self->framed);

              return fail_unexpected (self, p, what, location, error);
            }
          continue;
        case STATE_END:
        default:
          return fail_unexpected (self, p,
                                  self->root_is_object ? "expected nothing after the root object"
                                  : "expected nothing after the closing ']'", location, error);
        }
    }
  *pp = p;
  return TRUE;
}

/* --- the next item ---------------------------------------------------- */

gboolean
alloy_json_scanner_next (AlloyJsonScanner *self, GBytes **item, AlloyItemLocation *location,
                         GCancellable *cancellable, GError **error)
{
  if (self->finished)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->finished = TRUE;
      return FALSE;
    }
  while (TRUE)
    {
      const guint8 *p, *end;

      if (self->chunk_pos == self->chunk_len)
        {
          if (!fill (self, location, cancellable, error))
            return FALSE;
          if (self->chunk_len == 0)
            return at_end (self, location, error);
        }
      p = self->chunk + self->chunk_pos;
      end = self->chunk + self->chunk_len;
      if (!self->in_element)
        {
          if (!scan_between (self, &p, end, location, error))
            return FALSE;
          self->chunk_pos = (gsize) (p - self->chunk);
          continue;
        }
      else
        {
          const guint8 *run = p;
          ScanResult result = scan_element (self, &p, end);
          g_autofree char *lost = NULL;

          keep (self, run, (gsize) (p - run));
          self->chunk_pos = (gsize) (p - self->chunk);
          if (result == SCAN_MORE)
            continue;
          if (result == SCAN_DONE)
            return finish_element (self, p, item, location, error);
          lost = rest_lost (self->framed);
          return fail (self, here (self, p, location), ALLOY_READER_ERROR_STREAM, error,
                       "'%c' does not match the '%c' it closes in item %" G_GUINT64_FORMAT
                       " (starting at line %" G_GUINT64_FORMAT "): %s", *p,
                       self->open[self->depth - 1], self->framed + 1, self->el_line, lost);
        }
    }
}
