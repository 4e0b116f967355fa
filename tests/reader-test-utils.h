/* reader-test-utils.h: helpers shared by the reader plugin test programs
 * (test-reader-json*, test-reader-ndjson*). rj_ helpers are reader_json's,
 * rn_ helpers reader_ndjson's.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-test-utils.h"

G_BEGIN_DECLS

/* --- input streams -------------------------------------------------------- */

/* --- a stream for the tests ---------------------------------------------- */

/* Hands out @bytes at most @step at a time, so that every chunk boundary is
 * crossed, and fails with "injected failure" once @fail_at bytes are out.
 * Without @bytes, it makes [{"pad":"aaa…"},\n{"pad":"aaa…"},\n…] as it is
 * read: @n elements of @fill filler bytes (fill + 10 bytes in all), except
 * element @big_index with @big_fill; it keeps nothing, and can cancel
 * @cancellable once @cancel_at bytes are out. */
struct _TestStream {
  GInputStream parent_instance;
  GBytes *bytes;
  gsize step;
  guint64 fail_at;
  guint64 produced;
  guint n, big_index, element;
  guint phase; /* 0: an element's head is next, 1: its filler, 2: its tail */
  gsize fill, big_fill, fill_left;
  char text[32];
  gsize text_len, text_pos;
  guint64 cancel_at;
  GCancellable *cancellable;
};

#define TEST_TYPE_STREAM (test_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestStream, test_stream, TEST, STREAM, GInputStream)

/* @bytes, at most @step bytes per read. */
GInputStream *reader_test_stream_new (GBytes *bytes, gsize step);
/* The generated array described above. */
GInputStream *reader_test_stream_new_generated (guint n, gsize fill, guint big_index,
                                                gsize big_fill);

/* Returns short reads of 1 to @max_read bytes (chosen by a GRand seeded
 * with @seed), after @filler 'x' bytes made up as they are read. */
/* --- a stream that returns short reads and can cancel mid-read -------- */

struct _TestTrickleStream {
  GInputStream parent_instance;
  GBytes *bytes;
  gsize pos;
  guint64 filler; /* this many 'x' come first, made up as they are read */
  GRand *rand;
  guint max_read;
  /* Cancels this cancellable at read number cancel_at (1-based), then
   * honours it, as a stream blocked on a socket would. */
  GCancellable *cancel;
  guint cancel_at;
  guint reads;
};

#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)

GInputStream *reader_test_trickle_stream_new (const char *data, gsize len, guint max_read,
                                              guint32 seed);

/* --- gzip ----------------------------------------------------------------- */

GBytes *reader_test_gzip (const char *data, gsize len);
GInputStream *reader_test_gunzip_stream (GBytes *compressed);
/* @compressed cut to its first half (@cut), or with 64 bytes of 0xff
 * written over its middle. */
GBytes *reader_test_gzip_damage (GBytes *compressed, gboolean cut);

/* --- reader_json: transcripts --------------------------------------------- */

AlloyReader *rj_new_reader_full (const char *text, GError **error);
AlloyReader *rj_new_reader (const char *text);
AlloyItemIter *rj_open_stream (AlloyReader *reader, GInputStream *stream);
void rj_assert_finished (AlloyItemIter *iter);
char *rj_transcript (AlloyReader *reader, GInputStream *stream);
void rj_check_with (AlloyReader *reader, const char *text, gssize len, const char *expected);
void rj_check (const char *text, gssize len, const char *expected);

/* --- reader_ndjson: dumps ------------------------------------------------- */

#define RN_NAME "people.ndjson"

AlloyReader *rn_new_reader (const char *group_text);
AlloyItemIter *rn_open_stream (AlloyReader *reader, GInputStream *stream, guint64 start,
                               guint64 end);
AlloyItemIter *rn_open_data (AlloyReader *reader, const char *data, gssize len);
AlloyItemIter *rn_open_file (AlloyReader *reader, const char *path, guint64 start,
                             guint64 end);
char *rn_dump (AlloyItemIter *iter, GCancellable *cancellable, gboolean comparable,
               guint *n_items, guint *n_rejected);
char *rn_dump_data (AlloyReader *reader, const char *data, gssize len, guint *n_items,
                    guint *n_rejected);
char *rn_dump_file (AlloyReader *reader, const char *path, guint64 start, guint64 end,
                    gboolean comparable);
void rn_assert_dump (AlloyReader *reader, const char *data, gssize len, const char *expected,
                     guint expected_items, guint expected_rejected);
void rn_append_n (GString *string, char c, gsize n);
char *rn_write_tmp (const char *dir, const char *name, const char *data, gssize len);
guint32 rn_test_seed (void);

G_END_DECLS
