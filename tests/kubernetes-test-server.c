/* kubernetes-test-server.c: a fake Kubernetes API server for the tests.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "kubernetes-test-server.h"

#include <string.h>

typedef struct {
  FakeApi *api;
  GIOStream *tls;
  GDataInputStream *in;
  char *target;
  char *authorization;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_object_unref (exchange->tls);
  g_object_unref (exchange->in);
  g_free (exchange->target);
  g_free (exchange->authorization);
  g_free (exchange);
}

static void
write_text (GIOStream *stream, const char *text)
{
  /* Small writes on an established TLS stream: the kernel buffers them. */
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text), NULL,
                             NULL, NULL);
}

static void
respond (Exchange *exchange, guint status, const char *reason, const char *body)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                           status, reason, strlen (body));

  write_text (exchange->tls, head);
  write_text (exchange->tls, body);
  g_io_stream_close_async (exchange->tls, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static const char *
query_value (const char *target, const char *key, char *buffer, gsize size)
{
  g_autofree char *needle = g_strdup_printf ("&%s=", key);
  const char *at = strstr (target, needle);
  gsize length;

  if (at == NULL)
    return NULL;
  at += strlen (needle);
  length = strcspn (at, "&");
  g_strlcpy (buffer, at, MIN (length + 1, size));
  return buffer;
}

static void
handle_exchange (Exchange *exchange)
{
  FakeApi *api = exchange->api;
  g_autofree char *expected = g_strconcat ("Bearer ", api->token, NULL);
  char rv[64];

  if (!g_str_has_prefix (exchange->target, SLICES_PATH))
    {
      respond (exchange, 404, "Not Found", "{\"kind\":\"Status\",\"code\":404}");
      return;
    }
  if (g_strcmp0 (exchange->authorization, expected) != 0)
    {
      g_ptr_array_add (api->unauthorized, g_strdup (exchange->authorization));
      if (api->token_file != NULL)
        g_assert_true (g_file_set_contents (api->token_file, api->token, -1, NULL));
      respond (exchange, 401, "Unauthorized",
               "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
               "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
      return;
    }
  if (strstr (exchange->target, "&watch=1") == NULL)
    {
      g_ptr_array_add (api->requests, g_strdup ("list"));
      respond (exchange, 200, "OK", api->list_body);
      return;
    }
  g_assert_nonnull (strstr (exchange->target, "&allowWatchBookmarks=true"));
  g_ptr_array_add (api->requests,
                   g_strdup_printf ("watch %s", query_value (exchange->target, "resourceVersion",
                                                             rv, sizeof rv)));
  if (api->next_watch_status != 0)
    {
      guint status = api->next_watch_status;

      api->next_watch_status = 0;
      respond (exchange, status, status == 410 ? "Gone" : "Forbidden",
               status == 410 ? "{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}"
                             : "{\"kind\":\"Status\",\"code\":403,\"message\":\"no\"}");
      return;
    }
  write_text (exchange->tls, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  g_clear_object (&api->watch);
  api->watch = g_object_ref (exchange->tls);
}

static void
on_header_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);

  if (line == NULL)
    {
      exchange_free (exchange);
      return;
    }
  g_strchomp (line);
  if (exchange->target == NULL)
    {
      g_auto(GStrv) words = g_strsplit (line, " ", 3);

      exchange->target = g_strdup (words[0] && words[1] ? words[1] : "");
    }
  else if (g_ascii_strncasecmp (line, "Authorization: ", 15) == 0)
    exchange->authorization = g_strdup (line + 15);
  else if (*line == '\0')
    {
      handle_exchange (exchange);
      exchange_free (exchange);
      return;
    }
  g_data_input_stream_read_line_async (exchange->in, G_PRIORITY_DEFAULT, NULL, on_header_line,
                                       exchange);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object,
             gpointer user_data)
{
  FakeApi *api = user_data;
  g_autoptr(GError) error = NULL;
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->api = api;
  exchange->tls = g_tls_server_connection_new (G_IO_STREAM (connection), api->certificate,
                                               &error);
  g_assert_no_error (error);
  g_ptr_array_add (api->connections, g_object_ref (exchange->tls));
  exchange->in = g_data_input_stream_new (g_io_stream_get_input_stream (exchange->tls));
  g_data_input_stream_read_line_async (exchange->in, G_PRIORITY_DEFAULT, NULL, on_header_line,
                                       exchange);
  return TRUE;
}

FakeApi *
fake_api_new (const char *cert_dir)
{
  FakeApi *api = g_new0 (FakeApi, 1);
  g_autofree char *crt = g_build_filename (cert_dir, "crt.pem", NULL);
  g_autofree char *key = g_build_filename (cert_dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;

  api->certificate = g_tls_certificate_new_from_files (crt, key, &error);
  g_assert_no_error (error);
  api->token = g_strdup ("test-token");
  api->requests = g_ptr_array_new_with_free_func (g_free);
  api->unauthorized = g_ptr_array_new_with_free_func (g_free);
  api->connections = g_ptr_array_new_with_free_func (g_object_unref);
  api->service = g_socket_service_new ();
  api->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (api->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (api->service, "incoming", G_CALLBACK (on_incoming), api);
  g_socket_service_start (api->service);
  return api;
}

void
fake_api_free (FakeApi *api)
{
  g_signal_handlers_disconnect_by_data (api->service, api);
  g_socket_service_stop (api->service);
  g_socket_listener_close (G_SOCKET_LISTENER (api->service));
  g_object_unref (api->service);
  for (guint i = 0; i < api->connections->len; i++)
    g_io_stream_close (g_ptr_array_index (api->connections, i), NULL, NULL);
  g_ptr_array_unref (api->connections);
  g_clear_object (&api->watch);
  g_object_unref (api->certificate);
  g_ptr_array_unref (api->requests);
  g_ptr_array_unref (api->unauthorized);
  g_free (api->token);
  g_free (api->list_body);
  g_free (api->token_file);
  g_free (api);
}

void
fake_api_watch_chunk (FakeApi *api, const char *text)
{
  g_autofree char *chunk = g_strdup_printf ("%zx\r\n%s\r\n", strlen (text), text);

  g_assert_nonnull (api->watch);
  write_text (api->watch, chunk);
}

void
fake_api_watch_event (FakeApi *api, const char *json)
{
  g_autofree char *line = g_strconcat (json, "\n", NULL);

  fake_api_watch_chunk (api, line);
}

void
fake_api_watch_end (FakeApi *api)
{
  g_autoptr(GIOStream) watch = g_steal_pointer (&api->watch);

  write_text (watch, "0\r\n\r\n");
  g_io_stream_close_async (watch, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

