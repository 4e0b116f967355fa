/* alloy-thrift-reader.c: reading Thrift's binary protocol safely, for
 * alloy-thrift-codec.c. Its decoders use libthrift-c-glib 0.17 (generated
 * readers, binary protocol, thrift_protocol_skip for unknown fields) over
 * two small subclasses here that make it safe for hostile frames. As
 * c_glib 0.17 is:
 *  - ThriftMemoryBuffer hands out 0 bytes past its end, and
 *    thrift_transport_read_all retries forever: a truncated frame hangs.
 *    Each read also moves the rest of the buffer down. AlloyThriftInput
 *    reads the frame in place and fails at its end.
 *  - ThriftBinaryProtocol allocates a string's length before reading it
 *    (2 GiB for 0x7fffffff), takes a negative binary length, bounds a
 *    container's count with an int product that overflows, lets an unknown
 *    element type set an error and still succeed, never limits nesting
 *    (skipping recurses), and takes an old-style header for a strict one
 *    (it returns after the name's length). It has no string or container
 *    limit, and ThriftConfiguration's limits bind nothing here: the memory
 *    buffer never counts its bytes down. AlloyThriftReader checks every
 *    length and count against the bytes left before the library reads,
 *    limits nesting, and reads old-style headers itself.
 *  - A generated map reader leaks the key when the value fails to read.
 *    The reader checks a map<string,string> whole when it begins, refuses
 *    strings from maps of other types (skipping reads those as binary),
 *    and reports a string that is not UTF-8 only once the read is over: so
 *    no map read fails half way.
 *  - Generated finalize functions, and ThriftMemoryBuffer's, do not chain
 *    up: see alloy_thrift_ensure_types, which the encoders call too.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-reader.h"

#include <string.h>

#include <thrift/c_glib/protocol/thrift_binary_protocol.h>
#include <thrift/c_glib/transport/thrift_memory_buffer.h>

#include "alloy-thrift-codec.h"
#include "alloy_thrift_peer_types.h"
#include "alloy_thrift_sample_store_types.h"

/* The classes whose finalize does not chain up to GObject's, which then
 * never frees what g_object_unref keeps in the object's qdata (GLib
 * 2.74's notify queue): 48 bytes lost per object. */
typedef struct {
  GType type;
  GObjectFinalizeFunc finalize;
  GObjectFinalizeFunc parent_finalize;
} Unchained;

static Unchained unchained[16];

static void
finalize_chained (GObject *object)
{
  for (GType type = G_OBJECT_TYPE (object); type != 0; type = g_type_parent (type))
    for (guint i = 0; i < G_N_ELEMENTS (unchained); i++)
      if (unchained[i].type == type)
        {
          unchained[i].finalize (object);
          unchained[i].parent_finalize (object);
          return;
        }
}

/* Registers the types once (the generated get_type functions are not
 * thread-safe) and makes every finalize above chain up. */
void
alloy_thrift_ensure_types (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const GType types[G_N_ELEMENTS (unchained)] = {
        ALLOY_THRIFT_TYPE_DOMAIN, ALLOY_THRIFT_TYPE_VIEW, ALLOY_THRIFT_TYPE_DATA_SOURCE,
        ALLOY_THRIFT_TYPE_REQUEST_CONTEXT, ALLOY_THRIFT_TYPE_DATA_LOCUS,
        ALLOY_THRIFT_TYPE_VIEW_GENERATOR, ALLOY_THRIFT_TYPE_APPLICATION_EXCEPTION,
        ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_ARGS,
        ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_RESULT,
        ALLOY_THRIFT_TYPE_INVENTORY_REQUEST, ALLOY_THRIFT_TYPE_INVENTORY_PARTITION,
        ALLOY_THRIFT_TYPE_INVENTORY, ALLOY_THRIFT_TYPE_REFUSED_FILE,
        ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_ARGS,
        ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_RESULT,
        THRIFT_TYPE_MEMORY_BUFFER,
      };

      for (guint i = 0; i < G_N_ELEMENTS (types); i++)
        {
          GObjectClass *klass = g_type_class_ref (types[i]); /* kept: static types */

          unchained[i] = (Unchained) {
            types[i], klass->finalize, G_OBJECT_CLASS (g_type_class_peek_parent (klass))->finalize,
          };
          klass->finalize = finalize_chained;
        }
      g_once_init_leave (&once, 1);
    }
}

/* AlloyThriftInput: a read-only transport over one frame, read in place. */

typedef struct {
  ThriftTransport parent;
  const guint8 *data;
  gsize length;
  gsize offset;
} AlloyThriftInput;

typedef struct {
  ThriftTransportClass parent;
} AlloyThriftInputClass;

static GType alloy_thrift_input_get_type (void);
G_DEFINE_TYPE (AlloyThriftInput, alloy_thrift_input, THRIFT_TYPE_TRANSPORT)

static gsize
input_left (AlloyThriftInput *self)
{
  return self->length - self->offset;
}

static gint32
input_read (ThriftTransport *transport, gpointer buf, guint32 len, GError **error)
{
  AlloyThriftInput *self = (AlloyThriftInput *) transport;

  if (len > input_left (self))
    {
      g_set_error (error, THRIFT_TRANSPORT_ERROR, THRIFT_TRANSPORT_ERROR_RECEIVE,
                   "the frame ends: %u bytes needed, %" G_GSIZE_FORMAT " left", len,
                   input_left (self));
      return -1;
    }
  memcpy (buf, self->data + self->offset, len);
  self->offset += len;
  return (gint32) len;
}

static gboolean
input_write (ThriftTransport *transport, const gpointer buf, const guint32 len, GError **error)
{
  g_set_error_literal (error, THRIFT_TRANSPORT_ERROR, THRIFT_TRANSPORT_ERROR_SEND, "read-only");
  return FALSE;
}

static gboolean
input_is_open (ThriftTransport *transport)
{
  return TRUE;
}

static gboolean
input_nothing (ThriftTransport *transport, GError **error)
{
  return TRUE;
}

static void
alloy_thrift_input_class_init (AlloyThriftInputClass *klass)
{
  ThriftTransportClass *transport_class = THRIFT_TRANSPORT_CLASS (klass);

  /* ThriftTransport's own entries call themselves: set every one. */
  transport_class->is_open = input_is_open;
  transport_class->open = transport_class->close = input_nothing;
  transport_class->read = transport_class->read_all = input_read;
  transport_class->read_end = transport_class->write_end = input_nothing;
  transport_class->write = input_write;
  transport_class->flush = input_nothing;
}

static void
alloy_thrift_input_init (AlloyThriftInput *self)
{
}

/* AlloyThriftReader: the binary protocol, checked before it reads. */

/* Thrift's default recursion limit, which c_glib defines and never uses. */
#define DEPTH_MAX DEFAULT_RECURSION_DEPTH

typedef enum { LEVEL_STRUCT, LEVEL_MAP, LEVEL_LIST } LevelKind;

typedef struct {
  LevelKind kind;
  gint8 types[2]; /* MAP: key, value; LIST (or SET): element */
  gint field;     /* STRUCT: the id of the field being read, or -1 */
} Level;

struct _AlloyThriftReader {
  ThriftBinaryProtocol parent;
  AlloyThriftInput *input; /* the transport, which the protocol holds */
  gboolean strict;         /* the message header had the version word */
  guint depth;
  Level levels[DEPTH_MAX];
  char *deferred;          /* the first string that is not UTF-8: where */
};

typedef struct {
  ThriftBinaryProtocolClass parent;
} AlloyThriftReaderClass;

static GType alloy_thrift_reader_get_type (void);
G_DEFINE_TYPE (AlloyThriftReader, alloy_thrift_reader, THRIFT_TYPE_BINARY_PROTOCOL)

#define READER(p) ((AlloyThriftReader *) (p))
#define PARENT_CLASS THRIFT_PROTOCOL_CLASS (alloy_thrift_reader_parent_class)

/* "at byte N (field 2.2.4)": the ids of the struct fields being read. */
char *
alloy_thrift_reader_where (AlloyThriftReader *self, gsize offset)
{
  GString *where = g_string_new (NULL);
  const char *separator = " (field ";

  g_string_printf (where, "at byte %" G_GSIZE_FORMAT, offset);
  for (guint i = 0; i < self->depth; i++)
    if (self->levels[i].kind == LEVEL_STRUCT && self->levels[i].field >= 0)
      {
        g_string_append_printf (where, "%s%d", separator, self->levels[i].field);
        separator = ".";
      }
  if (*separator == '.')
    g_string_append_c (where, ')');
  return g_string_free (where, FALSE);
}

static gboolean
reader_push (AlloyThriftReader *self, LevelKind kind, const gint8 *types, GError **error)
{
  if (self->depth == DEPTH_MAX)
    {
      g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_DEPTH_LIMIT,
                   "nested deeper than %d", DEPTH_MAX);
      return FALSE;
    }
  self->levels[self->depth++] = (Level) { kind, { types[0], types[1] }, -1 };
  return TRUE;
}

static gboolean
reader_peek (AlloyThriftReader *self, gsize at, guint8 *bytes, gsize count, GError **error)
{
  gsize left = at < self->input->length ? self->input->length - at : 0;

  if (left < count)
    {
      g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_INVALID_DATA,
                   "the frame ends: %" G_GSIZE_FORMAT " bytes needed, %" G_GSIZE_FORMAT " left",
                   count, left);
      return FALSE;
    }
  memcpy (bytes, self->input->data + at, count);
  return TRUE;
}

static gboolean
reader_peek_i32 (AlloyThriftReader *self, gsize at, gint32 *value, GError **error)
{
  guint32 be;

  if (!reader_peek (self, at, (guint8 *) &be, 4, error))
    return FALSE;
  *value = (gint32) GUINT32_FROM_BE (be);
  return TRUE;
}

/* Checks that the string (or binary) at @at is all there; @next is the
 * offset after it. */
static gboolean
check_string (AlloyThriftReader *self, gsize at, gsize *next, GError **error)
{
  gint32 length;
  gsize left;

  if (!reader_peek_i32 (self, at, &length, error))
    return FALSE;
  left = self->input->length - at - 4;
  if (length < 0)
    g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_NEGATIVE_SIZE,
                 "negative string length %d", length);
  else if ((gsize) length > left)
    g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_SIZE_LIMIT,
                 "string length %d exceeds the %" G_GSIZE_FORMAT " bytes left", length, left);
  else
    {
      *next = at + 4 + (gsize) length;
      return TRUE;
    }
  return FALSE;
}

/* The least a value of @type takes; 0 for what is no value type. */
static guint
min_size (gint8 type)
{
  switch (type)
    {
    case T_BOOL: case T_BYTE: case T_STRUCT: return 1;
    case T_I16: return 2;
    case T_I32: case T_STRING: return 4;
    case T_I64: case T_DOUBLE: return 8;
    case T_SET: case T_LIST: return 5;
    case T_MAP: return 6;
    default: return 0;
    }
}

/* Checks a container's header (@n_types type bytes, an int32 count) at
 * the reader's offset: value types (STOP and VOID only when empty, as the
 * library takes them), a count the bytes left can hold; a string map is
 * checked whole. Then enters it. */
static gboolean
container_begin (AlloyThriftReader *self, LevelKind kind, guint n_types, GError **error)
{
  const char *what = kind == LEVEL_MAP ? "map" : "list";
  gsize at = self->input->offset, left, entry = at + n_types + 4;
  gint8 types[2] = { T_STOP, T_STOP };
  guint64 each = 0;
  gint32 count;

  if (!reader_peek (self, at, (guint8 *) types, n_types, error)
      || !reader_peek_i32 (self, at + n_types, &count, error))
    return FALSE;
  left = self->input->length - entry;
  if (count < 0)
    {
      g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_NEGATIVE_SIZE,
                   "negative %s size %d", what, count);
      return FALSE;
    }
  for (guint i = 0; i < n_types; i++)
    {
      if (min_size (types[i]) == 0 && !(count == 0 && (types[i] == T_STOP || types[i] == T_VOID)))
        {
          g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_INVALID_DATA,
                       "%s of element type %d", what, types[i]);
          return FALSE;
        }
      each += min_size (types[i]);
    }
  if ((guint64) count * each > left)
    {
      g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_SIZE_LIMIT,
                   "%s of %d elements exceeds the %" G_GSIZE_FORMAT " bytes left", what, count,
                   left);
      return FALSE;
    }
  if (kind == LEVEL_MAP && types[0] == T_STRING && types[1] == T_STRING)
    for (gint32 i = 0; i < 2 * count; i++)
      if (!check_string (self, entry, &entry, error))
        {
          g_prefix_error (error, "map entry %d of %d: ", i / 2, count);
          return FALSE;
        }
  return reader_push (self, kind, types, error);
}

static gint32
reader_read_message_begin (ThriftProtocol *protocol, gchar **name, ThriftMessageType *type,
                           gint32 *seqid, GError **error)
{
  AlloyThriftReader *self = READER (protocol);
  gint32 word, ret, xfer;
  gint8 old_type;

  *name = NULL;
  if (!reader_peek_i32 (self, self->input->offset, &word, error))
    return -1;
  if (word < 0)
    {
      if (((guint32) word & THRIFT_BINARY_PROTOCOL_VERSION_MASK) != THRIFT_BINARY_PROTOCOL_VERSION_1)
        {
          g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_BAD_VERSION,
                       "not a binary-protocol message (version word 0x%08x)", (guint32) word);
          return -1;
        }
      self->strict = TRUE;
      return PARENT_CLASS->read_message_begin (protocol, name, type, seqid, error);
    }
  /* Old style: string name, int8 type, int32 seqid. */
  if ((xfer = thrift_protocol_read_string (protocol, name, error)) < 0
      || (ret = thrift_protocol_read_byte (protocol, &old_type, error)) < 0)
    return -1;
  xfer += ret;
  if ((ret = thrift_protocol_read_i32 (protocol, seqid, error)) < 0)
    return -1;
  *type = (ThriftMessageType) old_type;
  return xfer + ret;
}

static gint32
reader_read_struct_begin (ThriftProtocol *protocol, gchar **name, GError **error)
{
  static const gint8 none[2];

  *name = NULL;
  if (!reader_push (READER (protocol), LEVEL_STRUCT, none, error))
    return -1;
  return PARENT_CLASS->read_struct_begin (protocol, name, error);
}

/* The binary protocol's struct and container ends read nothing. */
static gint32
reader_read_end (ThriftProtocol *protocol, GError **error)
{
  if (READER (protocol)->depth > 0)
    READER (protocol)->depth--;
  return 0;
}

static gint32
reader_read_field_begin (ThriftProtocol *protocol, gchar **name, ThriftType *field_type,
                         gint16 *field_id, GError **error)
{
  AlloyThriftReader *self = READER (protocol);
  gint32 ret = PARENT_CLASS->read_field_begin (protocol, name, field_type, field_id, error);

  if (ret >= 0 && *field_type != T_STOP && self->depth > 0)
    self->levels[self->depth - 1].field = *field_id;
  return ret;
}

static gint32
reader_read_map_begin (ThriftProtocol *protocol, ThriftType *key_type, ThriftType *value_type,
                       guint32 *size, GError **error)
{
  if (!container_begin (READER (protocol), LEVEL_MAP, 2, error))
    return -1;
  return PARENT_CLASS->read_map_begin (protocol, key_type, value_type, size, error);
}

/* Sets too: the library's read_set_begin calls this. */
static gint32
reader_read_list_begin (ThriftProtocol *protocol, ThriftType *element_type, guint32 *size,
                        GError **error)
{
  if (!container_begin (READER (protocol), LEVEL_LIST, 1, error))
    return -1;
  return PARENT_CLASS->read_list_begin (protocol, element_type, size, error);
}

static gint32
reader_read_string (ThriftProtocol *protocol, gchar **str, GError **error)
{
  AlloyThriftReader *self = READER (protocol);
  const Level *top = self->depth > 0 ? &self->levels[self->depth - 1] : NULL;
  gsize start = self->input->offset, next;
  gint32 ret;

  *str = NULL;
  /* Only generated code reads strings (skipping reads binary), and its
   * only strings in containers are map<string,string> entries. */
  if (top != NULL && top->kind != LEVEL_STRUCT
      && (top->types[0] != T_STRING || (top->kind == LEVEL_MAP && top->types[1] != T_STRING)))
    {
      g_set_error (error, THRIFT_PROTOCOL_ERROR, THRIFT_PROTOCOL_ERROR_INVALID_DATA,
                   "a %s of type %d where strings were expected",
                   top->kind == LEVEL_MAP ? "map" : "list",
                   top->types[0] != T_STRING ? top->types[0] : top->types[1]);
      return -1;
    }
  if (!check_string (self, start, &next, error)
      || (ret = PARENT_CLASS->read_string (protocol, str, error)) < 0)
    return -1;
  /* Kept for the end of the read: failing now could leak a map key. A
   * NUL fails too: Alloy's values are C strings. */
  if (self->deferred == NULL && !g_utf8_validate_len (*str, next - start - 4, NULL))
    {
      g_autofree char *where = alloy_thrift_reader_where (self, start);

      self->deferred = g_strconcat ("a string that is not UTF-8 or holds a NUL byte ", where,
                                    NULL);
    }
  return ret;
}

static gint32
reader_read_binary (ThriftProtocol *protocol, gpointer *buf, guint32 *len, GError **error)
{
  gsize next;

  *buf = NULL;
  *len = 0;
  if (!check_string (READER (protocol), READER (protocol)->input->offset, &next, error))
    return -1;
  return PARENT_CLASS->read_binary (protocol, buf, len, error);
}

static void
alloy_thrift_reader_finalize (GObject *object)
{
  g_free (READER (object)->deferred);
  G_OBJECT_CLASS (alloy_thrift_reader_parent_class)->finalize (object);
}

static void
alloy_thrift_reader_class_init (AlloyThriftReaderClass *klass)
{
  ThriftProtocolClass *protocol_class = THRIFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = alloy_thrift_reader_finalize;
  protocol_class->read_message_begin = reader_read_message_begin;
  protocol_class->read_struct_begin = reader_read_struct_begin;
  protocol_class->read_field_begin = reader_read_field_begin;
  protocol_class->read_map_begin = reader_read_map_begin;
  protocol_class->read_list_begin = reader_read_list_begin;
  protocol_class->read_struct_end = reader_read_end;
  protocol_class->read_map_end = reader_read_end;
  protocol_class->read_list_end = reader_read_end;
  protocol_class->read_set_end = reader_read_end;
  protocol_class->read_string = reader_read_string;
  protocol_class->read_binary = reader_read_binary;
}

static void
alloy_thrift_reader_init (AlloyThriftReader *self)
{
}

/* A reader over @frame, or NULL (MALFORMED) when it is over the limit. */
AlloyThriftReader *
alloy_thrift_reader_new (const guint8 *frame, gsize length, const char *what, GError **error)
{
  AlloyThriftInput *input;
  AlloyThriftReader *reader;

  if (length > ALLOY_THRIFT_FRAME_MAX)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED,
                   "malformed %s: a frame of %" G_GSIZE_FORMAT " bytes", what, length);
      return NULL;
    }
  alloy_thrift_ensure_types ();
  input = g_object_new (alloy_thrift_input_get_type (), NULL);
  input->data = frame;
  input->length = length;
  reader = g_object_new (alloy_thrift_reader_get_type (), "transport", input, NULL);
  reader->input = input;
  g_object_unref (input);
  return reader;
}

gsize
alloy_thrift_reader_get_offset (AlloyThriftReader *self)
{
  return self->input->offset;
}

gsize
alloy_thrift_reader_get_left (AlloyThriftReader *self)
{
  return input_left (self->input);
}

gboolean
alloy_thrift_reader_get_strict (AlloyThriftReader *self)
{
  return self->strict;
}

const char *
alloy_thrift_reader_get_deferred (AlloyThriftReader *self)
{
  return self->deferred;
}
