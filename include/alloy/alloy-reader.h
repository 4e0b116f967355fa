/* alloy-reader.h: the interface of reader plugins, which frame JSON items.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <gio/gio.h>
#include <alloy/alloy-macros.h>
#include <alloy/alloy-plugin-instance.h>

G_BEGIN_DECLS

/**
 * ALLOY_READER_ERROR:
 *
 * What a reader could not frame. The code tells the caller whether reading
 * can go on.
 */
#define ALLOY_READER_ERROR (alloy_reader_error_quark ())
ALLOY_AVAILABLE_IN_ALL
GQuark alloy_reader_error_quark (void);

typedef enum {
  /* This item is bad: count it as rejected; the next call goes on with the
   * next item. */
  ALLOY_READER_ERROR_ITEM,
  /* The rest of the input is unreadable (truncated file, broken gzip): the
   * message says what was lost; the iterator is finished. */
  ALLOY_READER_ERROR_STREAM,
  /* The reader cannot do what was asked (a byte range of a format that has
   * no record boundaries). */
  ALLOY_READER_ERROR_UNSUPPORTED,
} AlloyReaderError;

/**
 * AlloyItemLocation:
 * @file: the input's display name (owned by the iterator)
 * @line: 1-based line of the item's first byte, or 0 when unknown: a reader
 *   of a byte range that does not start at 0 does not count the lines
 *   before it, and its messages then say `FILE@OFFSET: `
 * @column: 1-based column (in bytes) of the item's first byte
 * @offset: byte offset of the item's first byte in the uncompressed input
 * @index: 0-based index of the item among those this iterator framed,
 *   rejected ones included
 *
 * Where an item, or a framing error, is.
 */
typedef struct {
  const char *file;
  guint64 line;
  guint64 column;
  guint64 offset;
  guint64 index;
  /*< private >*/
  guint64 _reserved[4];
} AlloyItemLocation;

/**
 * AlloyReaderInput:
 * @display_name: the name to use in locations and errors
 * @range_start: first byte of the range to read
 * @range_end: one past the last byte, or G_MAXUINT64 for the end of input
 *
 * What the core asks a reader to read. With a range that does not start at
 * 0, the stream is a seekable, uncompressed file positioned at 0; the
 * reader decides which items belong to the range, so that the ranges of any
 * split of a file yield every item exactly once.
 */
typedef struct {
  const char *display_name;
  guint64 range_start;
  guint64 range_end;
  /*< private >*/
  gpointer _reserved[4];
} AlloyReaderInput;

#define ALLOY_TYPE_ITEM_ITER (alloy_item_iter_get_type ())
ALLOY_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (AlloyItemIter, alloy_item_iter, ALLOY, ITEM_ITER, GObject)

/**
 * AlloyItemIterClass:
 * @next: frame the next item: see alloy_item_iter_next()
 *
 * A reader's iterator. It belongs to one thread at a time.
 */
struct _AlloyItemIterClass {
  GObjectClass parent_class;

  gboolean (*next) (AlloyItemIter *self, GBytes **item, AlloyItemLocation *location,
                    GCancellable *cancellable, GError **error);

  /*< private >*/
  gpointer padding[8];
};

/**
 * alloy_item_iter_next:
 * @item: (out): the bytes of one root JSON object
 * @location: (out): where the item, or the error, is; @location->file
 *   stays valid while the iterator lives
 * @cancellable: (nullable): stops a long read (G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE with an item; %FALSE at the end (no error) or with an
 * error in %ALLOY_READER_ERROR (see #AlloyReaderError for what follows),
 * or G_IO_ERROR_CANCELLED. After the end, a STREAM error or a
 * cancellation, every further call returns %FALSE with no error.
 */
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_item_iter_next (AlloyItemIter *self, GBytes **item, AlloyItemLocation *location,
                               GCancellable *cancellable, GError **error);

#define ALLOY_TYPE_READER (alloy_reader_get_type ())
ALLOY_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (AlloyReader, alloy_reader, ALLOY, READER, AlloyPluginInstance)

/**
 * AlloyReaderInterface:
 * @probe: how well this reader fits a file, from 0 (not at all) to 100 (a
 *   certain match by name and content); the core picks the highest score.
 *   @head is the first bytes of the decompressed content. Any thread.
 * @open: start reading @stream (already decompressed by the core when the
 *   file was gzip). Runs on a worker thread.
 *
 * A reader turns bytes into items: the bytes of one root JSON object each,
 * with their location. It never parses them into trees; the core's presser
 * does, so a faster presser can replace it without touching any reader.
 */
struct _AlloyReaderInterface {
  GTypeInterface g_iface;

  guint (*probe) (AlloyReader *self, const char *basename, const guint8 *head, gsize head_len);
  AlloyItemIter *(*open) (AlloyReader *self, GInputStream *stream, const AlloyReaderInput *input,
                          GCancellable *cancellable, GError **error);
};

ALLOY_AVAILABLE_IN_ALL
guint alloy_reader_probe (AlloyReader *self, const char *basename, const guint8 *head,
                          gsize head_len);
ALLOY_AVAILABLE_IN_ALL
AlloyItemIter *alloy_reader_open (AlloyReader *self, GInputStream *stream,
                                  const AlloyReaderInput *input, GCancellable *cancellable,
                                  GError **error);

G_END_DECLS
