/* alloy-json-reader.c: the root objects of a JSON array file (.json, .json.gz).
 *
 * A file holds one JSON array of root objects (the historical Burst format)
 * or a single root object. The reader never parses: a byte scanner that
 * knows strings, escapes and bracket nesting finds where each top-level
 * element starts and ends, and hands its bytes out untouched; the core's
 * presser parses them.
 *
 * Memory: the input is read in 64 KiB chunks. Only the element being framed
 * is gathered, and never more than item-max-bytes of it: a longer element is
 * dropped as soon as it passes the limit and scanned to its end without
 * being kept. Beyond that the iterator holds one bracket byte per level up
 * to the depth limit. Nothing grows with the file.
 *
 * Errors (the Java source's defect D6 silently ended a file at its first
 * non-object element): an element that is not an object, is not UTF-8, holds
 * a NUL byte, nests too deep (the root object is level 1; the enclosing array
 * does not count) or is too large is an ITEM error, and reading goes on
 * after it. Where the structure itself is broken (no array or object
 * at the start, an unmatched bracket, garbage between elements or after the
 * end, truncation, a read error such as a broken gzip stream), a STREAM
 * error says what is lost and the iterator is finished.
 *
 * An empty or blank file has no items and is not an error; a UTF-8 BOM at
 * offset 0 is skipped; lines end at LF (so CRLF is one line end and a lone
 * CR none); columns count bytes.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define DEFAULT_ITEM_MAX_BYTES (64 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 512
#define MAX_DEPTH_LIMIT 100000
#define CORE_GROUP "alloy"
#define KEY_MAX_DEPTH "alloy.samplestore.json.max.depth"
#define KEY_ITEM_MAX_BYTES "item-max-bytes"
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

/* --- the iterator ----------------------------------------------------- */

struct _AlloyJsonReaderIter {
  AlloyItemIter parent_instance;

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

#define ALLOY_TYPE_JSON_READER_ITER (alloy_json_reader_iter_get_type ())
G_DECLARE_FINAL_TYPE (AlloyJsonReaderIter, alloy_json_reader_iter, ALLOY, JSON_READER_ITER,
                      AlloyItemIter)
G_DEFINE_FINAL_TYPE (AlloyJsonReaderIter, alloy_json_reader_iter, ALLOY_TYPE_ITEM_ITER)

static guint64
position (AlloyJsonReaderIter *self, const guint8 *p)
{
  return self->chunk_offset + (guint64) (p - self->chunk);
}

static void
set_location (AlloyJsonReaderIter *self, AlloyItemLocation *location, guint64 line,
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
static gboolean fail (AlloyJsonReaderIter *self, const AlloyItemLocation *location,
                      AlloyReaderError code, GError **error, const char *format, ...)
  G_GNUC_PRINTF (5, 6);

static gboolean
fail (AlloyJsonReaderIter *self, const AlloyItemLocation *location, AlloyReaderError code,
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
here (AlloyJsonReaderIter *self, const guint8 *p, AlloyItemLocation *location)
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
drop_buffer (AlloyJsonReaderIter *self)
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
take_buffer (AlloyJsonReaderIter *self)
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
reject_element (AlloyJsonReaderIter *self, Reject why)
{
  if (self->reject != REJECT_NONE)
    return;
  self->reject = why;
  self->buffering = FALSE;
  drop_buffer (self);
}

/* Keeps @len bytes of the element, up to item-max-bytes. */
static void
keep (AlloyJsonReaderIter *self, const guint8 *run, gsize len)
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
begin_element (AlloyJsonReaderIter *self, const guint8 *p)
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
new_line (AlloyJsonReaderIter *self, const guint8 *after)
{
  self->line++;
  self->line_start = position (self, after);
}

/* Scans the element from *@pp up to @end: strings, escapes and nesting. */
static ScanResult
scan_element (AlloyJsonReaderIter *self, const guint8 **pp, const guint8 *end)
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
position_in_element (AlloyJsonReaderIter *self, gsize at, guint64 *line, guint64 *column)
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
finish_element (AlloyJsonReaderIter *self, const guint8 *end, GBytes **item,
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
                   KEY_MAX_DEPTH ")", self->deepest, self->max_depth);
    case REJECT_TOO_LARGE:
      return fail (self, location, ALLOY_READER_ERROR_ITEM, error,
                   "item of %" G_GUINT64_FORMAT " bytes is larger than " KEY_ITEM_MAX_BYTES
                   " (%" G_GUINT64_FORMAT " bytes)", size, self->max_bytes);
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
fill (AlloyJsonReaderIter *self, AlloyItemLocation *location, GCancellable *cancellable,
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
at_end (AlloyJsonReaderIter *self, AlloyItemLocation *location, GError **error)
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
fail_unexpected (AlloyJsonReaderIter *self, const guint8 *p, const char *what,
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
scan_between (AlloyJsonReaderIter *self, const guint8 **pp, const guint8 *end,
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

static gboolean
alloy_json_reader_iter_next (AlloyItemIter *iter, GBytes **item, AlloyItemLocation *location,
                             GCancellable *cancellable, GError **error)
{
  AlloyJsonReaderIter *self = ALLOY_JSON_READER_ITER (iter);

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

static void
alloy_json_reader_iter_finalize (GObject *object)
{
  AlloyJsonReaderIter *self = ALLOY_JSON_READER_ITER (object);

  g_object_unref (self->stream);
  g_free (self->display_name);
  g_free (self->chunk);
  g_free (self->open);
  g_byte_array_unref (self->buffer);

  G_OBJECT_CLASS (alloy_json_reader_iter_parent_class)->finalize (object);
}

static void
alloy_json_reader_iter_class_init (AlloyJsonReaderIterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_json_reader_iter_finalize;
  ALLOY_ITEM_ITER_CLASS (klass)->next = alloy_json_reader_iter_next;
}

static void
alloy_json_reader_iter_init (AlloyJsonReaderIter *self)
{
  self->line = 1;
  self->chunk = g_malloc (CHUNK_SIZE);
  self->buffer = g_byte_array_new ();
}

/* --- the reader ------------------------------------------------------- */

struct _AlloyJsonReader {
  GObject parent_instance;

  guint64 max_bytes;
  guint max_depth;
};

#define ALLOY_TYPE_JSON_READER (alloy_json_reader_get_type ())
G_DECLARE_FINAL_TYPE (AlloyJsonReader, alloy_json_reader, ALLOY, JSON_READER, GObject)

static void alloy_json_reader_instance_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_json_reader_reader_iface_init (AlloyReaderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyJsonReader, alloy_json_reader, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_json_reader_instance_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_READER, alloy_json_reader_reader_iface_init))

static gboolean
alloy_json_reader_configure (AlloyPluginInstance *instance, GKeyFile *config, const char *group,
                             GError **error)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (instance);
  guint64 max_bytes = DEFAULT_ITEM_MAX_BYTES;
  gint64 max_depth = DEFAULT_MAX_DEPTH;

  /* The core has checked and defaulted our key; an instance made without
   * the core (a test, a tool) may lack it. */
  if (g_key_file_has_key (config, group, KEY_ITEM_MAX_BYTES, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      max_bytes = alloy_key_file_get_size (config, group, KEY_ITEM_MAX_BYTES, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (max_bytes < 1024 || max_bytes > G_MAXINT32)
        {
          alloy_set_invalid_value (error, group, KEY_ITEM_MAX_BYTES,
                                   "expected a size from 1k to 2G-1 bytes");
          return FALSE;
        }
    }
  /* A core key: absent when the [alloy] group is, as in a lone reader. */
  if (g_key_file_has_key (config, CORE_GROUP, KEY_MAX_DEPTH, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      max_depth = g_key_file_get_int64 (config, CORE_GROUP, KEY_MAX_DEPTH, &local_error);
      if (local_error != NULL || max_depth < 1 || max_depth > MAX_DEPTH_LIMIT)
        {
          alloy_set_invalid_value (error, CORE_GROUP, KEY_MAX_DEPTH,
                                   "expected a whole number from 1 to %d", MAX_DEPTH_LIMIT);
          return FALSE;
        }
    }
  self->max_bytes = max_bytes;
  self->max_depth = (guint) max_depth;
  return TRUE;
}

static char *
alloy_json_reader_describe (AlloyPluginInstance *instance)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (instance);

  return g_strdup_printf ("[%s] JSON arrays of objects: items up to %" G_GUINT64_FORMAT
                          " bytes, nested up to %u levels",
                          alloy_plugin_instance_get_name (instance), self->max_bytes,
                          self->max_depth);
}

static guint
alloy_json_reader_probe (AlloyReader *reader, const char *basename, const guint8 *head,
                         gsize head_len)
{
  gboolean json_name = basename != NULL && (g_str_has_suffix (basename, ".json")
                                            || g_str_has_suffix (basename, ".json.gz"));
  gsize i = 0;
  guint8 first;

  if (head_len >= 3 && memcmp (head, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < head_len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    i++;
  first = i < head_len ? head[i] : 0;
  if (json_name)
    return first == '[' || first == '{' ? 60 : 30;
  /* A single object without the name is more likely NDJSON. */
  return first == '[' ? 20 : 0;
}

static AlloyItemIter *
alloy_json_reader_open (AlloyReader *reader, GInputStream *stream, const AlloyReaderInput *input,
                        GCancellable *cancellable, GError **error)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (reader);
  AlloyJsonReaderIter *iter;

  if (input->range_start != 0 || input->range_end != G_MAXUINT64)
    {
      g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED,
                   "%s: reader_json reads whole files only: a JSON array has no record "
                   "boundaries to split it into byte ranges", input->display_name);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  iter = g_object_new (ALLOY_TYPE_JSON_READER_ITER, NULL);
  iter->stream = g_object_ref (stream);
  iter->display_name = g_strdup (input->display_name);
  iter->max_bytes = self->max_bytes;
  iter->max_depth = self->max_depth;
  iter->open = g_malloc (iter->max_depth);
  return ALLOY_ITEM_ITER (iter);
}

static void
alloy_json_reader_class_init (AlloyJsonReaderClass *klass)
{
}

/* Defaults, for an instance that was never configured. */
static void
alloy_json_reader_init (AlloyJsonReader *self)
{
  self->max_bytes = DEFAULT_ITEM_MAX_BYTES;
  self->max_depth = DEFAULT_MAX_DEPTH;
}

static void
alloy_json_reader_instance_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_json_reader_configure;
  iface->describe = alloy_json_reader_describe;
}

static void
alloy_json_reader_reader_iface_init (AlloyReaderInterface *iface)
{
  iface->probe = alloy_json_reader_probe;
  iface->open = alloy_json_reader_open;
}

/* --- the descriptor --------------------------------------------------- */

static const AlloyOptionSpec alloy_json_reader_options[] = {
  { .key = KEY_ITEM_MAX_BYTES, .type = ALLOY_OPTION_SIZE, .default_value = "64M",
    .description = "an array element larger than this is rejected and skipped without being kept",
    .min = 1024, .max = G_MAXINT32 },
  { .key = NULL },
};

static const AlloyPluginDescriptor alloy_json_reader_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "reader_json",
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = ALLOY_VERSION_STRING,
  .description = "The root objects of a JSON array file, or a single object (.json, .json.gz)",
  .license = "Apache-2.0",
  .options = alloy_json_reader_options,
  .get_type = alloy_json_reader_get_type,
};

ALLOY_PLUGIN_EXPORT (reader_json, alloy_json_reader_descriptor)
