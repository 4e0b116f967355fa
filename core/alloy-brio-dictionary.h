/* alloy-brio-dictionary.h: the per-item string dictionary of a Brio blob,
 * laid out as Burst's Java writer lays it out (docs/brio.md).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-brio-types.h"

G_BEGIN_DECLS

#define ALLOY_BRIO_DICTIONARY_BUCKETS 64
/* words, poolId, nextSlotOffset, then the buckets: where slots start. */
#define ALLOY_BRIO_DICTIONARY_HEADER_SIZE (12 + 4 * ALLOY_BRIO_DICTIONARY_BUCKETS)
/* Java's writer: 10 MiB, overflowing 512 bytes before the end. */
#define ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY (10 * 1024 * 1024)

/* Java's String.hashCode over the UTF-16 code units of @utf8 (a character
 * outside the BMP counts as its two surrogates), with int32 wrap-around.
 * @length in bytes, or -1 for NUL-terminated. @utf8 must be valid UTF-8. */
ALLOY_INTERNAL
gint32 alloy_brio_java_string_hash (const char *utf8, gssize length);
/* abs(hash) % 64, with Java's abs(INT_MIN) == INT_MIN, whose % 64 is 0. */
ALLOY_INTERNAL
guint alloy_brio_dictionary_bucket (gint32 hash);

/* Building one item's dictionary. Not thread-safe; reuse it across items
 * with alloy_brio_dictionary_reset(). */
typedef struct _AlloyBrioDictionary AlloyBrioDictionary;

/* @capacity: the image size limit in bytes (Java: 10 MiB); adding a string
 * fails when the image would reach capacity - 512. */
ALLOY_INTERNAL
AlloyBrioDictionary *alloy_brio_dictionary_new (gsize capacity);
ALLOY_INTERNAL
void alloy_brio_dictionary_free (AlloyBrioDictionary *dictionary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioDictionary, alloy_brio_dictionary_free)
ALLOY_INTERNAL
void alloy_brio_dictionary_reset (AlloyBrioDictionary *dictionary);

/* The key of @utf8 (@length bytes), adding it when new: (ordinal << 6) |
 * bucket, with ordinals 0, 2, 3, ... in each chain as Java writes them.
 * Fails with ALLOY_BRIO_ERROR_TOO_LARGE for a string over 32,767 bytes, a
 * chain over 1,023 strings or a full dictionary: Java shipped broken blobs
 * there; Alloy rejects the item. */
ALLOY_INTERNAL
gboolean alloy_brio_dictionary_add (AlloyBrioDictionary *dictionary, const char *utf8,
                                    gsize length, gint16 *out_key, GError **error);
ALLOY_INTERNAL
guint alloy_brio_dictionary_get_n_words (const AlloyBrioDictionary *dictionary);
/* The image size: nextSlotOffset, 0 while empty. */
ALLOY_INTERNAL
gsize alloy_brio_dictionary_get_size (const AlloyBrioDictionary *dictionary);
/* Writes the image (get_size bytes; poolId 0) into @out. */
ALLOY_INTERNAL
void alloy_brio_dictionary_write (const AlloyBrioDictionary *dictionary, guint8 *out);

/* Reading an image, strictly: every offset and length is checked, so a
 * truncated or inconsistent image is an error, never a read past its end. */
typedef struct {
  const guint8 *data;
  gsize size;
  gint32 words;
} AlloyBrioDictionaryView;

/* @size 0 is the empty dictionary. Fails with ALLOY_BRIO_ERROR_CORRUPT. */
ALLOY_INTERNAL
gboolean alloy_brio_dictionary_view_init (AlloyBrioDictionaryView *view, const guint8 *data,
                                          gsize size, GError **error);
/* The string of @key, by walking its bucket's chain. */
ALLOY_INTERNAL
gboolean alloy_brio_dictionary_view_lookup_key (const AlloyBrioDictionaryView *view, gint16 key,
                                                const char **out_utf8, gsize *out_length,
                                                GError **error);
/* The key of a string, as a cell finds it: by its Java hash. FALSE when
 * absent. */
ALLOY_INTERNAL
gboolean alloy_brio_dictionary_view_lookup_string (const AlloyBrioDictionaryView *view,
                                                   const char *utf8, gsize length,
                                                   gint16 *out_key);

G_END_DECLS
