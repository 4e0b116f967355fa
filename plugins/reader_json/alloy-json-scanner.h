/* alloy-json-scanner.h: the byte-level element scanner of reader_json
 * (alloy-json-scanner.c), private to the plugin: the iterator of
 * alloy-json-reader.c frames its items with it.
 *
 * Every symbol is hidden and prefixed alloy_json_: in a static build all
 * plugins link into one program.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <alloy/alloy.h>

G_BEGIN_DECLS

/* The reader's option and the core key that bounds the nesting, as the
 * scanner's messages name them. */
#define ALLOY_JSON_KEY_ITEM_MAX_BYTES "item-max-bytes"
#define ALLOY_JSON_KEY_MAX_DEPTH "alloy.samplestore.json.max.depth"

/* The scanning state of one input. Not thread-safe. */
typedef struct _AlloyJsonScanner AlloyJsonScanner;

/* Scans @stream (referenced) whole, naming it @display_name in locations and
 * messages; an element over @max_bytes bytes or nested over @max_depth
 * levels is an ITEM error. */
G_GNUC_INTERNAL
AlloyJsonScanner *alloy_json_scanner_new (GInputStream *stream, const char *display_name,
                                          guint64 max_bytes, guint max_depth);
G_GNUC_INTERNAL
void alloy_json_scanner_free (AlloyJsonScanner *self);

/* Frames the next root object, as alloy_item_iter_next() does:
 * @location->file is owned by @self and lives as long as it. */
G_GNUC_INTERNAL
gboolean alloy_json_scanner_next (AlloyJsonScanner *self, GBytes **item,
                                  AlloyItemLocation *location, GCancellable *cancellable,
                                  GError **error);

G_END_DECLS
