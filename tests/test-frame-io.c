/* test-frame-io.c: length-prefixed frames over a socket pair: reading
 * whole frames from any split of the bytes, the framing errors, and the
 * writer's order, callbacks and failures.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include "alloy-frame-io.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
  GIOStream *server;
  GIOStream *client;
} Fixture;

static GIOStream *
stream_for_fd (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  fixture->server = stream_for_fd (fds[0]);
  fixture->client = stream_for_fd (fds[1]);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->client);
}

typedef struct {
  gboolean done;
  GBytes *frame;
  GError *error;
} ReadResult;

static void
on_frame (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadResult *read = user_data;

  read->frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &read->error);
  read->done = TRUE;
}

/* Reads one frame from the server side, limit @max. */
static void
read_frame (Fixture *fixture, gsize max, guint64 *offset, ReadResult *read)
{
  memset (read, 0, sizeof *read);
  alloy_frame_read_async (g_io_stream_get_input_stream (fixture->server), max, offset, NULL,
                          on_frame, read);
  ALLOY_TEST_WAIT_UNTIL (read->done, 10000);
}

static void
read_result_clear (ReadResult *read)
{
  g_clear_pointer (&read->frame, g_bytes_unref);
  g_clear_error (&read->error);
}

static void
client_write (Fixture *fixture, const void *data, gsize length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (fixture->client), data, length, NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

static void
client_close (Fixture *fixture)
{
  g_io_stream_close (fixture->client, NULL, NULL);
}

static void
test_wrap (void)
{
  g_autoptr(GBytes) frame = alloy_frame_wrap ((const guint8 *) "abc", 3);
  static const guint8 expected[] = { 0, 0, 0, 3, 'a', 'b', 'c' };

  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), expected,
                   sizeof expected);
}

/* Two frames written a byte at a time come out whole, then the clean end
 * is NULL with no error. */
static void
test_read_split (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) first = alloy_frame_wrap ((const guint8 *) "hello", 5);
  g_autoptr(GBytes) second = alloy_frame_wrap ((const guint8 *) "x", 1);
  guint64 offset = 0;
  ReadResult read;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (first, &size);

  for (gsize i = 0; i < size; i++)
    client_write (fixture, bytes + i, 1);
  client_write (fixture, g_bytes_get_data (second, NULL), g_bytes_get_size (second));
  client_close (fixture);

  read_frame (fixture, 64, &offset, &read);
  g_assert_no_error (read.error);
  g_assert_cmpmem (g_bytes_get_data (read.frame, NULL), g_bytes_get_size (read.frame), "hello", 5);
  g_assert_cmpuint (offset, ==, 9);
  read_result_clear (&read);

  read_frame (fixture, 64, &offset, &read);
  g_assert_no_error (read.error);
  g_assert_cmpuint (g_bytes_get_size (read.frame), ==, 1);
  g_assert_cmpuint (offset, ==, 14);
  read_result_clear (&read);

  read_frame (fixture, 64, &offset, &read);
  g_assert_no_error (read.error);
  g_assert_null (read.frame);
}

static void
assert_read_error (Fixture *fixture, const void *bytes, gsize length, gsize max, int code,
                   const char *message)
{
  guint64 offset = 100;
  ReadResult read;

  client_write (fixture, bytes, length);
  client_close (fixture);
  read_frame (fixture, max, &offset, &read);
  g_assert_error (read.error, ALLOY_FRAME_ERROR, code);
  g_assert_cmpstr (read.error->message, ==, message);
  g_assert_null (read.frame);
  read_result_clear (&read);
}

static void
test_read_empty (Fixture *fixture, gconstpointer data)
{
  assert_read_error (fixture, "\0\0\0\0", 4, 64, ALLOY_FRAME_ERROR_EMPTY,
                     "offset 100: a frame of length 0");
}

/* A hostile length is refused before anything is allocated for it. */
static void
test_read_too_large (Fixture *fixture, gconstpointer data)
{
  assert_read_error (fixture, "\xff\xff\xff\xff", 4, 64, ALLOY_FRAME_ERROR_TOO_LARGE,
                     "offset 100: a frame of 4294967295 bytes, over the limit of 64");
}

static void
test_read_truncated_header (Fixture *fixture, gconstpointer data)
{
  assert_read_error (fixture, "\0\0", 2, 64, ALLOY_FRAME_ERROR_TRUNCATED,
                     "offset 100: the stream ended inside a frame (2 of 4 header bytes)");
}

static void
test_read_truncated_body (Fixture *fixture, gconstpointer data)
{
  assert_read_error (fixture, "\0\0\0\x08" "abc", 7, 64, ALLOY_FRAME_ERROR_TRUNCATED,
                     "offset 100: the stream ended inside a frame (7 of 12 bytes)");
}

typedef struct {
  GString *order;
  guint failed;
  gboolean drained;
} WriteLog;

static void
on_written_a (gpointer user_data, const GError *error)
{
  WriteLog *log = user_data;

  g_string_append (log->order, error ? "a!" : "a");
  log->failed += error != NULL;
}

static void
on_written_b (gpointer user_data, const GError *error)
{
  WriteLog *log = user_data;

  g_string_append (log->order, error ? "b!" : "b");
  log->failed += error != NULL;
}

static gboolean
on_drained (gpointer user_data)
{
  ((WriteLog *) user_data)->drained = TRUE;
  return G_SOURCE_REMOVE;
}

/* Frames go out whole and in order; each callback runs once written, and
 * the drained callback after the last. */
static void
test_writer_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyFrameWriter) writer =
      alloy_frame_writer_new (g_io_stream_get_output_stream (fixture->client));
  g_autoptr(GBytes) a = alloy_frame_wrap ((const guint8 *) "first", 5);
  g_autoptr(GBytes) b = alloy_frame_wrap ((const guint8 *) "second", 6);
  WriteLog log = { g_string_new (NULL), 0, FALSE };
  ReadResult read;

  alloy_frame_writer_push (writer, a, on_written_a, &log);
  alloy_frame_writer_push (writer, b, on_written_b, &log);
  g_assert_cmpuint (alloy_frame_writer_get_pending (writer), ==, 9 + 10);
  alloy_frame_writer_when_drained (writer, on_drained, &log);
  ALLOY_TEST_WAIT_UNTIL (log.drained, 10000);
  g_assert_cmpstr (log.order->str, ==, "ab");
  g_assert_cmpuint (alloy_frame_writer_get_pending (writer), ==, 0);

  read_frame (fixture, 64, NULL, &read);
  g_assert_cmpmem (g_bytes_get_data (read.frame, NULL), g_bytes_get_size (read.frame), "first", 5);
  read_result_clear (&read);
  read_frame (fixture, 64, NULL, &read);
  g_assert_cmpmem (g_bytes_get_data (read.frame, NULL), g_bytes_get_size (read.frame), "second",
                   6);
  read_result_clear (&read);
  g_string_free (log.order, TRUE);
}

/* Closing fails what is queued; a push after that fails at once; a
 * writer freed with a write in flight calls nobody later. */
static void
test_writer_close (Fixture *fixture, gconstpointer data)
{
  AlloyFrameWriter *writer =
      alloy_frame_writer_new (g_io_stream_get_output_stream (fixture->client));
  g_autoptr(GBytes) a = alloy_frame_wrap ((const guint8 *) "first", 5);
  g_autoptr(GBytes) b = alloy_frame_wrap ((const guint8 *) "second", 6);
  WriteLog log = { g_string_new (NULL), 0, FALSE };

  alloy_frame_writer_push (writer, a, on_written_a, &log);
  alloy_frame_writer_push (writer, b, on_written_b, &log);
  alloy_frame_writer_close (writer);
  /* "b" is failed at once; "a", in flight, reports when it returns. */
  g_assert_cmpstr (log.order->str, ==, "b!");
  alloy_frame_writer_when_drained (writer, on_drained, &log);
  ALLOY_TEST_WAIT_UNTIL (log.drained, 10000);
  g_assert_true (g_str_has_prefix (log.order->str, "b!a"));
  g_assert_error (alloy_frame_writer_get_error (writer), G_IO_ERROR, G_IO_ERROR_CLOSED);

  alloy_frame_writer_push (writer, a, on_written_a, &log);
  g_assert_true (g_str_has_suffix (log.order->str, "a!"));

  /* Freed with a write in flight. */
  g_string_truncate (log.order, 0);
  alloy_frame_writer_free (writer);
  writer = alloy_frame_writer_new (g_io_stream_get_output_stream (fixture->client));
  alloy_frame_writer_push (writer, b, on_written_b, &log);
  alloy_frame_writer_free (writer);
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_cmpstr (log.order->str, ==, "");
  g_string_free (log.order, TRUE);
}

/* A peer that went away: the write fails, the error is kept, and every
 * later frame fails with it. */
static void
test_writer_peer_gone (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyFrameWriter) writer =
      alloy_frame_writer_new (g_io_stream_get_output_stream (fixture->client));
  g_autoptr(GBytes) big = NULL;
  WriteLog log = { g_string_new (NULL), 0, FALSE };
  guint8 *body = g_malloc0 (1 << 20);

  big = alloy_frame_wrap (body, 1 << 20);
  g_free (body);
  g_clear_object (&fixture->server);
  for (guint i = 0; i < 4; i++)
    alloy_frame_writer_push (writer, big, on_written_a, &log);
  ALLOY_TEST_WAIT_UNTIL (log.failed == 4, 10000);
  g_assert_nonnull (alloy_frame_writer_get_error (writer));
  g_string_free (log.order, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A write to a closed socket must be an error, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/frame-io/wrap", test_wrap);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/frame-io/read/split", test_read_split);
  ADD ("/frame-io/read/empty", test_read_empty);
  ADD ("/frame-io/read/too-large", test_read_too_large);
  ADD ("/frame-io/read/truncated-header", test_read_truncated_header);
  ADD ("/frame-io/read/truncated-body", test_read_truncated_body);
  ADD ("/frame-io/writer/order", test_writer_order);
  ADD ("/frame-io/writer/close", test_writer_close);
  ADD ("/frame-io/writer/peer-gone", test_writer_peer_gone);
#undef ADD
  return g_test_run ();
}
