/* alloy-data-file.h: a dataset file opened for a reader: gzip unwrapped,
 * its first bytes at hand for choosing the reader.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

typedef struct _AlloyDataFile AlloyDataFile;

/* How many decompressed bytes probe() gets. */
#define ALLOY_DATA_FILE_HEAD_SIZE 512

/* Opens @path. A file is gzip when its name ends in .gz (in any case: .GZ,
 * .Gz); its content must then start with gzip's magic, and content with the
 * magic must have such a name: a mismatch is an error
 * (G_IO_ERROR_INVALID_DATA), where Burst's Java source trusted the name
 * alone. Every member of a gzip file is read (`cat a.gz b.gz`), as gunzip
 * and Java's GZIPInputStream do; bytes after the last member that are not a
 * gzip header are a read error of the stream ("trailing data after gzip
 * member N"). */
ALLOY_INTERNAL
AlloyDataFile *alloy_data_file_open (const char *path, GCancellable *cancellable, GError **error);
ALLOY_INTERNAL
void alloy_data_file_free (AlloyDataFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyDataFile, alloy_data_file_free)

ALLOY_INTERNAL
const char *alloy_data_file_get_path (AlloyDataFile *file);
ALLOY_INTERNAL
gboolean alloy_data_file_is_compressed (AlloyDataFile *file);
/* The content (decompressed), positioned at its start; seekable when the
 * file is not compressed. Owned by @file. */
ALLOY_INTERNAL
GInputStream *alloy_data_file_get_stream (AlloyDataFile *file);
/* Up to ALLOY_DATA_FILE_HEAD_SIZE first bytes of the content. */
ALLOY_INTERNAL
const guint8 *alloy_data_file_get_head (AlloyDataFile *file, gsize *out_length);

/* The whole content of @path, gunzipped as above: for tools and tests
 * that need a file in memory (readers stream instead). */
ALLOY_INTERNAL
GBytes *alloy_data_file_read_all (const char *path, GCancellable *cancellable, GError **error);

/* The reader of @readers (AlloyReader) that scores highest for @file, or
 * NULL with G_IO_ERROR_NOT_SUPPORTED naming the file. */
ALLOY_INTERNAL
AlloyReader *alloy_data_file_pick_reader (AlloyDataFile *file, GPtrArray *readers,
                                          GError **error);

G_END_DECLS
