/* alloy-ndjson-reader.c: one JSON object per line (.ndjson, .jsonl).
 *
 * Lines end at '\n'; the item is the line without its line end and without
 * leading or trailing JSON whitespace (so a CR before the LF goes too).
 * Blank lines are skipped and do not count; a UTF-8 BOM opening the file
 * is skipped. The reader only frames: it checks the first byte, UTF-8, NUL
 * bytes, the nesting depth and the size, and leaves the JSON itself to the
 * core's presser.
 *
 * Memory: the input is read in 64 KiB chunks. A line that fits in a chunk
 * is copied once, straight into its GBytes; a longer one is gathered, but
 * never beyond item-max-bytes: a longer line is skipped without buffering.
 *
 * Byte ranges: a line belongs to the range holding its first byte (the
 * byte after the previous '\n'). A range starting at S > 0 looks at byte
 * S - 1: after a '\n' a line begins at S, otherwise the range starts after
 * the next '\n'. Its last line is the one straddling its end. Line numbers
 * are unknown there (counting them would read the file from 0), so such
 * items have line 0 and messages say FILE@OFFSET instead of FILE:LINE:COL.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define DEFAULT_ITEM_MAX_BYTES (64 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 512
#define MAX_DEPTH_LIMIT 1000 /* as the configuration allows: json-glib recurses */
#define CORE_GROUP "alloy"
#define KEY_MAX_DEPTH "alloy.samplestore.json.max.depth"
#define KEY_ITEM_MAX_BYTES "item-max-bytes"

/* JSON whitespace, '\n' aside: it ends the line. */
#define IS_BLANK(c) ((c) == ' ' || (c) == '\t' || (c) == '\r')

/* --- checks on one line ----------------------------------------------- */

typedef enum {
  SCAN_OK,
  SCAN_NUL,
  SCAN_UTF8,
  SCAN_DEEP,
} ScanResult;

/* The length of the valid UTF-8 sequence at @p, or 0 (overlong forms,
 * surrogates and code points past U+10FFFF are invalid, as in GLib). */
static gsize
utf8_sequence_length (const guint8 *p, const guint8 *end)
{
  guint8 lo = 0x80, hi = 0xBF;
  gsize n;

  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    n = 2;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    {
      n = 3;
      if (p[0] == 0xE0)
        lo = 0xA0;
      else if (p[0] == 0xED)
        hi = 0x9F;
    }
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    {
      n = 4;
      if (p[0] == 0xF0)
        lo = 0x90;
      else if (p[0] == 0xF4)
        hi = 0x8F;
    }
  else
    return 0;

  if ((gsize) (end - p) < n || p[1] < lo || p[1] > hi)
    return 0;
  for (gsize i = 2; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* What the scan must look at; every other byte is skipped in a tight
 * loop. Inside strings brackets do not count, outside them quotes open one. */
enum {
  BYTE_PLAIN,
  BYTE_QUOTE,
  BYTE_BACKSLASH,
  BYTE_OPEN,
  BYTE_CLOSE,
  BYTE_NUL,
  BYTE_HIGH,
};

static const guint8 byte_class[256] = {
  [0] = BYTE_NUL, ['"'] = BYTE_QUOTE, ['\\'] = BYTE_BACKSLASH,
  ['{'] = BYTE_OPEN, ['['] = BYTE_OPEN, ['}'] = BYTE_CLOSE, [']'] = BYTE_CLOSE,
  [0x80 ... 0xFF] = BYTE_HIGH,
};

static const guint8 stops_in_string[256] = {
  [0] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xFF] = 1,
};

static const guint8 stops_outside[256] = {
  [0] = 1, ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1, [0x80 ... 0xFF] = 1,
};

/* One pass for NUL bytes, UTF-8 and the depth of objects and arrays.
 * Brackets inside strings do not count; unbalanced ones are the presser's
 * business. @where is the offending byte's index. */
static ScanResult
scan_item (const guint8 *data, gsize len, guint max_depth, gsize *where)
{
  const guint8 *p = data, *end = data + len;
  gboolean in_string = FALSE;
  guint depth = 0;

  for (;;)
    {
      const guint8 *stops = in_string ? stops_in_string : stops_outside;
      gsize n;

      while (p < end && !stops[*p])
        p++;
      if (p == end)
        return SCAN_OK;

      switch (byte_class[*p])
        {
        case BYTE_QUOTE:
          in_string = !in_string;
          p++;
          break;
        case BYTE_BACKSLASH:
          /* Skip the escaped byte ('"' and '\\' too); NUL and UTF-8 are
           * still checked. */
          p++;
          if (p < end && *p != 0 && *p < 0x80)
            p++;
          break;
        case BYTE_OPEN:
          if (++depth > max_depth)
            {
              *where = p - data;
              return SCAN_DEEP;
            }
          p++;
          break;
        case BYTE_CLOSE:
          if (depth > 0)
            depth--;
          p++;
          break;
        case BYTE_NUL:
          *where = p - data;
          return SCAN_NUL;
        case BYTE_HIGH:
        default:
          n = utf8_sequence_length (p, end);
          if (n == 0)
            {
              *where = p - data;
              return SCAN_UTF8;
            }
          p += n;
          break;
        }
    }
}

/* "an array", "'x'" or "byte 0xNN": what a line starts with instead of '{'. */
static char *
describe_start (guint8 c)
{
  if (c == '[')
    return g_strdup ("an array");
  if (c == '"')
    return g_strdup ("a string");
  if (c == '-' || g_ascii_isdigit (c))
    return g_strdup ("a number");
  if (g_ascii_isgraph (c))
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02X", c);
}

/* --- the iterator ----------------------------------------------------- */

typedef enum {
  FRAME_LINE,    /* a non-blank line within the size limit */
  FRAME_BLANK,
  FRAME_TOO_LONG,
  FRAME_END,     /* the input ended where a line would begin */
  FRAME_FAILED,  /* read error or cancellation: @error is set */
} FrameResult;

struct _AlloyNdjsonReaderIter {
  AlloyItemIter parent_instance;

  GInputStream *stream;
  char *display_name;
  guint64 item_max_bytes;
  guint max_depth;
  guint64 range_end;

  guint8 *buf;         /* CHUNK_SIZE bytes */
  gsize pos, len;      /* unread bytes are buf[pos..len) */
  guint64 buf_offset;  /* the input offset of buf[0] */
  gboolean eof;
  GByteArray *pending; /* a line that spans chunks, up to item-max-bytes + 1 */

  gboolean line_known; /* FALSE in a range that does not start at 0 */
  guint64 lines_done;  /* complete lines so far, blank ones included */
  guint64 index;
  gboolean check_bom;    /* a range from 0: the first line may open with a BOM */
  gboolean skip_partial; /* a range from S > 0: skip to after the next '\n' */
  gboolean finished;
};

#define ALLOY_TYPE_NDJSON_READER_ITER (alloy_ndjson_reader_iter_get_type ())
G_DECLARE_FINAL_TYPE (AlloyNdjsonReaderIter, alloy_ndjson_reader_iter, ALLOY, NDJSON_READER_ITER,
                      AlloyItemIter)
G_DEFINE_FINAL_TYPE (AlloyNdjsonReaderIter, alloy_ndjson_reader_iter, ALLOY_TYPE_ITEM_ITER)

static guint64
current_offset (AlloyNdjsonReaderIter *self)
{
  return self->buf_offset + self->pos;
}

/* Reads the next chunk, after the unread bytes (the buffer is reset once
 * everything in it was used). Streams with the data at hand do not look
 * at the cancellable, so it is checked here too. */
static gboolean
read_chunk (AlloyNdjsonReaderIter *self, GCancellable *cancellable, GError **error)
{
  gssize n;

  if (self->pos == self->len)
    {
      self->buf_offset += self->len;
      self->pos = self->len = 0;
    }
  g_assert (self->len < CHUNK_SIZE);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  n = g_input_stream_read (self->stream, self->buf + self->len, CHUNK_SIZE - self->len,
                           cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    self->eof = TRUE;
  self->len += n;
  return TRUE;
}

/* Consumes one line. On FRAME_LINE, @data/@data_len is its content after
 * the leading blanks (line end and trailing blanks included), valid until
 * the next read; @lead counts the leading blanks and @total the content's
 * bytes, also when the line was too long to keep. @progress says whether
 * any byte was consumed, for the message of a failed read. */
static FrameResult
frame_line (AlloyNdjsonReaderIter *self, const guint8 **data, gsize *data_len, guint64 *lead,
            guint64 *total, gboolean *progress, GCancellable *cancellable, GError **error)
{
  gboolean in_lead = TRUE, too_long = FALSE, newline = FALSE;
  guint8 last = 0;

  *lead = *total = 0;
  *progress = FALSE;
  *data = NULL;
  g_byte_array_set_size (self->pending, 0);

  while (!newline)
    {
      const guint8 *p, *end, *nl;
      gsize segment;

      if (self->pos == self->len)
        {
          if (self->eof)
            break;
          if (!read_chunk (self, cancellable, error))
            return FRAME_FAILED;
          continue;
        }
      *progress = TRUE;
      p = self->buf + self->pos;
      end = self->buf + self->len;
      if (in_lead)
        {
          const guint8 *first = p;

          while (p < end && IS_BLANK (*p))
            p++;
          *lead += p - first;
          self->pos = p - self->buf;
          if (p == end)
            continue;
          in_lead = FALSE;
        }

      nl = memchr (p, '\n', end - p);
      segment = (nl != NULL ? nl : end) - p;
      newline = nl != NULL;
      self->pos = (newline ? nl + 1 : end) - self->buf;
      *total += segment;
      if (segment > 0)
        last = p[segment - 1];
      if (too_long)
        continue;
      /* + 1: the CR of a CRLF line end may still come. */
      if (*total > self->item_max_bytes + 1)
        {
          too_long = TRUE;
          g_byte_array_set_size (self->pending, 0);
        }
      else if (newline && self->pending->len == 0)
        {
          /* The whole line is in the buffer: no copy yet. */
          *data = p;
          *data_len = segment;
        }
      else
        g_byte_array_append (self->pending, p, segment);
    }

  if (!*progress)
    return FRAME_END;
  if (last == '\r')
    *total -= 1;
  if (too_long || *total > self->item_max_bytes)
    return FRAME_TOO_LONG;
  if (*data == NULL)
    {
      *data = self->pending->data;
      *data_len = self->pending->len;
    }
  while (*data_len > 0 && IS_BLANK ((*data)[*data_len - 1]))
    (*data_len)--;
  return *data_len == 0 ? FRAME_BLANK : FRAME_LINE;
}

/* Skips the end of a line that began before the range. */
static gboolean
skip_partial_line (AlloyNdjsonReaderIter *self, GCancellable *cancellable, GError **error)
{
  for (;;)
    {
      const guint8 *nl;

      if (self->pos == self->len)
        {
          if (self->eof)
            return TRUE;
          if (!read_chunk (self, cancellable, error))
            return FALSE;
          continue;
        }
      nl = memchr (self->buf + self->pos, '\n', self->len - self->pos);
      if (nl != NULL)
        {
          self->pos = nl + 1 - self->buf;
          return TRUE;
        }
      self->pos = self->len;
    }
}

/* FILE:LINE:COLUMN: or, where lines are unknown, FILE@OFFSET: */
static void G_GNUC_PRINTF (5, 6)
set_located_error (AlloyNdjsonReaderIter *self, GError **error, AlloyReaderError code,
                   const AlloyItemLocation *location, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (self->line_known)
    g_set_error (error, ALLOY_READER_ERROR, code,
                 "%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ": %s", self->display_name,
                 location->line, location->column, message);
  else
    g_set_error (error, ALLOY_READER_ERROR, code, "%s@%" G_GUINT64_FORMAT ": %s",
                 self->display_name, location->offset, message);
}

/* A failed read ends the iterator; a cancellation stays a cancellation. */
static void
fail_read (AlloyNdjsonReaderIter *self, GError *read_error, guint64 line_start,
           gboolean in_progress, AlloyItemLocation *location, GError **error)
{
  self->finished = TRUE;
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, read_error);
      return;
    }
  location->file = self->display_name;
  location->line = self->line_known ? self->lines_done + 1 : 0;
  location->column = 1;
  location->offset = line_start;
  location->index = self->index;
  if (!self->line_known)
    set_located_error (self, error, ALLOY_READER_ERROR_STREAM,
                       location, "cannot read: %s; lost %sthe rest of the range", read_error->message,
                       in_progress ? "the line in progress and " : "");
  else if (in_progress)
    set_located_error (self, error, ALLOY_READER_ERROR_STREAM, location,
                       "cannot read: %s; lost the line in progress and the rest of the file "
                       "after line %" G_GUINT64_FORMAT, read_error->message, self->lines_done);
  else if (self->lines_done > 0)
    set_located_error (self, error, ALLOY_READER_ERROR_STREAM, location,
                       "cannot read: %s; lost the rest of the file after line %" G_GUINT64_FORMAT,
                       read_error->message, self->lines_done);
  else
    set_located_error (self, error, ALLOY_READER_ERROR_STREAM, location,
                       "cannot read: %s; lost the whole file", read_error->message);
  g_error_free (read_error);
}

static gboolean
alloy_ndjson_reader_iter_next (AlloyItemIter *iter, GBytes **item, AlloyItemLocation *location,
                               GCancellable *cancellable, GError **error)
{
  AlloyNdjsonReaderIter *self = ALLOY_NDJSON_READER_ITER (iter);

  while (!self->finished)
    {
      GError *read_error = NULL;
      const guint8 *data = NULL;
      gsize data_len = 0, where = 0, bom = 0;
      guint64 line_start, lead, total;
      gboolean progress;
      FrameResult result;
      ScanResult scan;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          self->finished = TRUE;
          return FALSE;
        }
      if (self->skip_partial)
        {
          if (!skip_partial_line (self, cancellable, &read_error))
            {
              fail_read (self, read_error, current_offset (self), FALSE, location, error);
              return FALSE;
            }
          self->skip_partial = FALSE;
        }

      line_start = current_offset (self);
      /* A line beginning at or after the range's end is the next range's. */
      if (line_start >= self->range_end)
        {
          self->finished = TRUE;
          return FALSE;
        }
      if (self->check_bom)
        {
          self->check_bom = FALSE;
          while (self->len < 3 && !self->eof)
            if (!read_chunk (self, cancellable, &read_error))
              {
                fail_read (self, read_error, line_start, FALSE, location, error);
                return FALSE;
              }
          if (self->len >= 3 && memcmp (self->buf, "\xEF\xBB\xBF", 3) == 0)
            self->pos = bom = 3;
        }

      result = frame_line (self, &data, &data_len, &lead, &total, &progress, cancellable,
                           &read_error);
      if (result == FRAME_FAILED)
        {
          fail_read (self, read_error, line_start, progress || bom > 0, location, error);
          return FALSE;
        }
      if (result == FRAME_END)
        {
          self->finished = TRUE;
          return FALSE;
        }
      self->lines_done++;
      if (result == FRAME_BLANK)
        continue;

      /* The column counts bytes from the line's start, a BOM aside. */
      location->file = self->display_name;
      location->line = self->line_known ? self->lines_done : 0;
      location->column = lead + 1;
      location->offset = line_start + bom + lead;
      location->index = self->index++;

      if (result == FRAME_TOO_LONG)
        {
          set_located_error (self, error, ALLOY_READER_ERROR_ITEM, location,
                             "line of %" G_GUINT64_FORMAT " bytes is longer than item-max-bytes "
                             "(%" G_GUINT64_FORMAT ")", total, self->item_max_bytes);
          return FALSE;
        }
      if (data[0] != '{')
        {
          g_autofree char *got = describe_start (data[0]);

          set_located_error (self, error, ALLOY_READER_ERROR_ITEM, location,
                             "expected an object, got %s", got);
          return FALSE;
        }
      scan = scan_item (data, data_len, self->max_depth, &where);
      switch (scan)
        {
        case SCAN_OK:
          *item = g_bytes_new (data, data_len);
          return TRUE;
        case SCAN_NUL:
          set_located_error (self, error, ALLOY_READER_ERROR_ITEM, location,
                             "NUL byte at column %" G_GUINT64_FORMAT, location->column + where);
          return FALSE;
        case SCAN_UTF8:
          set_located_error (self, error, ALLOY_READER_ERROR_ITEM, location,
                             "invalid UTF-8 at column %" G_GUINT64_FORMAT,
                             location->column + where);
          return FALSE;
        case SCAN_DEEP:
        default:
          set_located_error (self, error, ALLOY_READER_ERROR_ITEM, location,
                             "nested deeper than %u (" KEY_MAX_DEPTH ") at column %"
                             G_GUINT64_FORMAT, self->max_depth, location->column + where);
          return FALSE;
        }
    }
  return FALSE;
}

static void
alloy_ndjson_reader_iter_finalize (GObject *object)
{
  AlloyNdjsonReaderIter *self = ALLOY_NDJSON_READER_ITER (object);

  g_object_unref (self->stream);
  g_free (self->display_name);
  g_free (self->buf);
  g_byte_array_unref (self->pending);

  G_OBJECT_CLASS (alloy_ndjson_reader_iter_parent_class)->finalize (object);
}

static void
alloy_ndjson_reader_iter_class_init (AlloyNdjsonReaderIterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_ndjson_reader_iter_finalize;
  ALLOY_ITEM_ITER_CLASS (klass)->next = alloy_ndjson_reader_iter_next;
}

static void
alloy_ndjson_reader_iter_init (AlloyNdjsonReaderIter *self)
{
  self->buf = g_malloc (CHUNK_SIZE);
  self->pending = g_byte_array_new ();
}

/* --- the reader ------------------------------------------------------- */

struct _AlloyNdjsonReader {
  GObject parent_instance;

  guint64 item_max_bytes;
  guint max_depth;
};

#define ALLOY_TYPE_NDJSON_READER (alloy_ndjson_reader_get_type ())
G_DECLARE_FINAL_TYPE (AlloyNdjsonReader, alloy_ndjson_reader, ALLOY, NDJSON_READER, GObject)

static void alloy_ndjson_reader_instance_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_ndjson_reader_reader_iface_init (AlloyReaderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyNdjsonReader, alloy_ndjson_reader, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_ndjson_reader_instance_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_READER, alloy_ndjson_reader_reader_iface_init))

static gboolean
alloy_ndjson_reader_configure (AlloyPluginInstance *instance, GKeyFile *config,
                               const char *group, GError **error)
{
  AlloyNdjsonReader *self = ALLOY_NDJSON_READER (instance);
  g_autofree char *depth = NULL;
  guint64 value = DEFAULT_MAX_DEPTH;

  /* The core wrote the default in; an instance built by hand may lack it. */
  if (g_key_file_has_key (config, group, KEY_ITEM_MAX_BYTES, NULL))
    {
      GError *size_error = NULL;

      self->item_max_bytes = alloy_key_file_get_size (config, group, KEY_ITEM_MAX_BYTES,
                                                      &size_error);
      if (size_error != NULL)
        {
          g_propagate_error (error, size_error);
          return FALSE;
        }
    }
  else
    self->item_max_bytes = DEFAULT_ITEM_MAX_BYTES;

  /* A core key: the core checked it when it loaded [alloy]. */
  depth = g_key_file_get_value (config, CORE_GROUP, KEY_MAX_DEPTH, NULL);
  if (depth != NULL
      && !g_ascii_string_to_unsigned (g_strstrip (depth), 10, 1, MAX_DEPTH_LIMIT, &value, NULL))
    {
      alloy_set_invalid_value (error, CORE_GROUP, KEY_MAX_DEPTH,
                               "'%s' is not a depth from 1 to %d", depth, MAX_DEPTH_LIMIT);
      return FALSE;
    }
  self->max_depth = value;
  return TRUE;
}

static char *
alloy_ndjson_reader_describe (AlloyPluginInstance *instance)
{
  AlloyNdjsonReader *self = ALLOY_NDJSON_READER (instance);

  return g_strdup_printf ("%s: NDJSON, items up to %" G_GUINT64_FORMAT " bytes, depth %u",
                          alloy_plugin_instance_get_name (instance), self->item_max_bytes,
                          self->max_depth);
}

static gboolean
has_suffix_ascii_nocase (const char *name, gsize len, const char *suffix)
{
  gsize suffix_len = strlen (suffix);

  return len >= suffix_len && g_ascii_strncasecmp (name + len - suffix_len, suffix,
                                                   suffix_len) == 0;
}

static guint
alloy_ndjson_reader_probe (AlloyReader *reader, const char *basename, const guint8 *head,
                           gsize head_len)
{
  gsize len = basename ? strlen (basename) : 0;
  gsize i = 0;

  if (has_suffix_ascii_nocase (basename, len, ".gz"))
    len -= 3;
  if (has_suffix_ascii_nocase (basename, len, ".ndjson")
      || has_suffix_ascii_nocase (basename, len, ".jsonl"))
    return 70;

  /* Another name: an object first is a weak hint (a .json file holding one
   * object is the JSON reader's, which claims its names more strongly). */
  if (head_len >= 3 && memcmp (head, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < head_len && (IS_BLANK (head[i]) || head[i] == '\n'))
    i++;
  return i < head_len && head[i] == '{' ? 10 : 0;
}

static AlloyItemIter *
alloy_ndjson_reader_open (AlloyReader *reader, GInputStream *stream,
                          const AlloyReaderInput *input, GCancellable *cancellable,
                          GError **error)
{
  AlloyNdjsonReader *self = ALLOY_NDJSON_READER (reader);
  g_autoptr(AlloyNdjsonReaderIter) iter = NULL;
  const char *name = input->display_name ? input->display_name : "(input)";

  if (input->range_start > 0
      && (!G_IS_SEEKABLE (stream) || !g_seekable_can_seek (G_SEEKABLE (stream))))
    {
      g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED,
                   "%s: a byte range from %" G_GUINT64_FORMAT " needs a seekable, "
                   "uncompressed stream", name, input->range_start);
      return NULL;
    }

  iter = g_object_new (ALLOY_TYPE_NDJSON_READER_ITER, NULL);
  iter->stream = g_object_ref (stream);
  iter->display_name = g_strdup (name);
  iter->item_max_bytes = self->item_max_bytes;
  iter->max_depth = self->max_depth;
  iter->range_end = input->range_end;
  iter->line_known = input->range_start == 0;
  iter->check_bom = input->range_start == 0;

  if (input->range_start > 0)
    {
      g_autoptr(GError) seek_error = NULL;

      /* Start on byte S - 1: skipping through the first '\n' from there
       * lands on S exactly when S begins a line. */
      if (input->range_start > G_MAXINT64
          || !g_seekable_seek (G_SEEKABLE (stream), input->range_start - 1, G_SEEK_SET,
                               cancellable, &seek_error))
        {
          g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_STREAM,
                       "%s: cannot seek to byte %" G_GUINT64_FORMAT ": %s", name,
                       input->range_start - 1,
                       seek_error ? seek_error->message : "offset out of range");
          return NULL;
        }
      iter->buf_offset = input->range_start - 1;
      iter->skip_partial = TRUE;
    }
  return ALLOY_ITEM_ITER (g_steal_pointer (&iter));
}

static void
alloy_ndjson_reader_class_init (AlloyNdjsonReaderClass *klass)
{
}

static void
alloy_ndjson_reader_init (AlloyNdjsonReader *self)
{
  self->item_max_bytes = DEFAULT_ITEM_MAX_BYTES;
  self->max_depth = DEFAULT_MAX_DEPTH;
}

static void
alloy_ndjson_reader_instance_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_ndjson_reader_configure;
  iface->describe = alloy_ndjson_reader_describe;
}

static void
alloy_ndjson_reader_reader_iface_init (AlloyReaderInterface *iface)
{
  iface->probe = alloy_ndjson_reader_probe;
  iface->open = alloy_ndjson_reader_open;
}

/* --- the descriptor --------------------------------------------------- */

static const AlloyOptionSpec ndjson_reader_options[] = {
  { .key = KEY_ITEM_MAX_BYTES, .type = ALLOY_OPTION_SIZE, .default_value = "64M",
    .description = "a line longer than this is rejected and skipped without being buffered",
    .min = 1024, .max = G_MAXINT32 },
  { .key = NULL },
};

static const AlloyPluginDescriptor ndjson_reader_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "reader_ndjson",
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = ALLOY_VERSION_STRING,
  .description = "One JSON object per line: .ndjson and .jsonl files, gzipped or not; "
                 "byte ranges of uncompressed files",
  .license = "Apache-2.0",
  .options = ndjson_reader_options,
  .get_type = alloy_ndjson_reader_get_type,
};

ALLOY_PLUGIN_EXPORT (reader_ndjson, ndjson_reader_descriptor)
