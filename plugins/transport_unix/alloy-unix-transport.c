/* alloy-unix-transport.c: listens on and connects to Unix stream sockets.
 *
 * path=/run/alloy/nexus.sock, mode=0660. A socket file left at the path by
 * a dead process is replaced; one a live process answers on is not, and
 * neither is anything that is not a socket. stop removes the socket file
 * only while it is still the one this instance bound.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#define DEFAULT_MODE "0660"
/* GSocketListener's default of 10 drops connections under a burst. */
#define LISTEN_BACKLOG 128
/* sun_path holds the path and its terminating NUL. */
#define MAX_PATH_LENGTH (sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1)

struct _AlloyUnixTransport {
  GObject parent_instance;

  char *group;
  char *path;
  guint mode;

  GSocketService *service; /* set from start until stop */
  gulong incoming_id;
  GSocketAddress *bound;
  /* The socket file bind created, to tell it from a later replacement. */
  gboolean created_file;
  dev_t file_dev;
  ino_t file_ino;
};

#define ALLOY_TYPE_UNIX_TRANSPORT (alloy_unix_transport_get_type ())
G_DECLARE_FINAL_TYPE (AlloyUnixTransport, alloy_unix_transport, ALLOY, UNIX_TRANSPORT, GObject)

static void alloy_unix_transport_plugin_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_unix_transport_transport_iface_init (AlloyTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyUnixTransport, alloy_unix_transport, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_unix_transport_plugin_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_TRANSPORT, alloy_unix_transport_transport_iface_init))

static const char *
group_name (AlloyUnixTransport *self)
{
  return self->group != NULL ? self->group
                             : alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self));
}

/* Removes the socket file if it is still the one we bound: after a stale
 * takeover by another instance it belongs to that one. */
static void
unlink_own_file (AlloyUnixTransport *self)
{
  GStatBuf st;

  if (!self->created_file)
    return;
  self->created_file = FALSE;
  if (g_lstat (self->path, &st) == 0 && S_ISSOCK (st.st_mode) && st.st_dev == self->file_dev &&
      st.st_ino == self->file_ino && g_unlink (self->path) != 0 && errno != ENOENT)
    g_debug ("%s: cannot remove %s: %s", group_name (self), self->path, g_strerror (errno));
}

static void
close_listener (AlloyUnixTransport *self)
{
  if (self->service != NULL)
    {
      /* An accept that already completed is still dispatched by the
       * service; without our handler it only drops the connection. */
      g_clear_signal_handler (&self->incoming_id, self->service);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  unlink_own_file (self);
  g_clear_object (&self->bound);
}

static void
alloy_unix_transport_finalize (GObject *object)
{
  AlloyUnixTransport *self = ALLOY_UNIX_TRANSPORT (object);

  close_listener (self);
  g_free (self->path);
  g_free (self->group);

  G_OBJECT_CLASS (alloy_unix_transport_parent_class)->finalize (object);
}

static void
alloy_unix_transport_class_init (AlloyUnixTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_unix_transport_finalize;
}

static void
alloy_unix_transport_init (AlloyUnixTransport *self)
{
}

/* Permission bits in octal, 0 to 0777; no sign, no file type bits. */
static gboolean
parse_mode (const char *text, guint *out_mode)
{
  guint mode = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p < '0' || *p > '7')
        return FALSE;
      mode = mode * 8 + (guint) (*p - '0');
      if (mode > 0777)
        return FALSE;
    }
  *out_mode = mode;
  return TRUE;
}

static gboolean
alloy_unix_transport_configure (AlloyPluginInstance *instance, GKeyFile *config,
                                const char *group, GError **error)
{
  AlloyUnixTransport *self = ALLOY_UNIX_TRANSPORT (instance);
  g_autofree char *path = g_key_file_get_string (config, group, "path", NULL);
  g_autofree char *mode = g_key_file_get_string (config, group, "mode", NULL);

  g_free (self->group);
  self->group = g_strdup (group);

  if (path == NULL || *path == '\0')
    {
      alloy_set_invalid_value (error, group, "path", "the socket path is empty");
      return FALSE;
    }
  if (strlen (path) > MAX_PATH_LENGTH)
    {
      alloy_set_invalid_value (error, group, "path",
                               "'%s' is too long for a socket path (at most %u bytes)", path,
                               (guint) MAX_PATH_LENGTH);
      return FALSE;
    }
  if (!parse_mode (mode != NULL ? mode : DEFAULT_MODE, &self->mode))
    {
      alloy_set_invalid_value (error, group, "mode",
                               "'%s' is not a permission mode: write octal digits from 0 to "
                               "0777, e.g. 0660", mode != NULL ? mode : DEFAULT_MODE);
      return FALSE;
    }
  g_free (self->path);
  self->path = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
on_service_incoming (GSocketService *service, GSocketConnection *connection,
                     GObject *source_object, gpointer user_data)
{
  AlloyUnixTransport *self = user_data;

  alloy_transport_emit_incoming (ALLOY_TRANSPORT (self), G_IO_STREAM (connection), "unix");
  return TRUE;
}

/* A socket file is at the path: connect to it to learn whether its owner
 * lives. Non-blocking, so that a live owner with a full backlog answers
 * "would block" rather than stalling the start. */
static gboolean
remove_stale_socket (AlloyUnixTransport *self, GError **error)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (self->path);
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean answered;

  probe = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                        error);
  if (probe == NULL)
    return FALSE;
  g_socket_set_blocking (probe, FALSE);
  answered = g_socket_connect (probe, address, NULL, &local_error);
  g_socket_close (probe, NULL);
  if (answered || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_set_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE,
                   "%s: a live process is listening on %s", group_name (self), self->path);
      return FALSE;
    }
  /* Removed meanwhile: nothing left to replace. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return TRUE;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "%s: cannot tell whether %s is in use: %s", group_name (self), self->path,
                   local_error->message);
      return FALSE;
    }
  /* Refused: nobody listens, the file is a dead process's leftover. */
  g_debug ("%s: replacing the stale socket %s", group_name (self), self->path);
  if (g_unlink (self->path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: cannot remove the stale socket %s: %s", group_name (self), self->path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
listen_on_path (AlloyUnixTransport *self, GError **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  if (g_lstat (self->path, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       "%s: %s exists and is not a socket; it is left alone", group_name (self),
                       self->path);
          return FALSE;
        }
      if (!remove_stale_socket (self, error))
        return FALSE;
    }
  else if (errno != ENOENT)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: cannot inspect %s: %s", group_name (self), self->path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  address = g_unix_socket_address_new (self->path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &local_error);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &local_error))
    {
      gboolean in_use = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);

      /* In use here means another process bound the path since we looked. */
      g_set_error (error, in_use ? ALLOY_TRANSPORT_ERROR : local_error->domain,
                   in_use ? ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE : local_error->code,
                   "%s: cannot listen on %s: %s", group_name (self), self->path,
                   local_error->message);
      return FALSE;
    }
  if (g_lstat (self->path, &st) == 0)
    {
      self->created_file = TRUE;
      self->file_dev = st.st_dev;
      self->file_ino = st.st_ino;
    }
  /* Before listen, so that nobody connects under the umask's mode. */
  if (g_chmod (self->path, self->mode) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: cannot set mode %04o on %s: %s", group_name (self), self->mode,
                   self->path, g_strerror (saved_errno));
      g_socket_close (socket, NULL);
      unlink_own_file (self);
      return FALSE;
    }
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, &local_error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL,
                                     &local_error) ||
      (self->bound = g_socket_get_local_address (socket, &local_error)) == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: cannot listen on %s: %s",
                   group_name (self), self->path, local_error->message);
      g_socket_close (socket, NULL);
      unlink_own_file (self);
      return FALSE;
    }
  return TRUE;
}

static void
alloy_unix_transport_start_async (AlloyPluginInstance *instance, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  AlloyUnixTransport *self = ALLOY_UNIX_TRANSPORT (instance);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, alloy_unix_transport_start_async);
  /* Everything below is immediate; a cancellation that comes later must
   * not turn a bound socket into a reported failure. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->service != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s: already started",
                               group_name (self));
      return;
    }
  if (self->path == NULL)
    {
      g_task_return_new_error (task, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_NOT_LISTENING,
                               "%s: not configured: no socket path", group_name (self));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* Inactive until bound, so that a failed start never accepted anything. */
  self->service = g_object_new (G_TYPE_SOCKET_SERVICE, "active", FALSE, NULL);
  self->incoming_id = g_signal_connect (self->service, "incoming",
                                        G_CALLBACK (on_service_incoming), self);
  if (!listen_on_path (self, &error))
    {
      close_listener (self);
      g_task_return_error (task, error);
      return;
    }
  g_socket_service_start (self->service);
  g_task_return_boolean (task, TRUE);
}

static gboolean
alloy_unix_transport_start_finish (AlloyPluginInstance *instance, GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_unix_transport_stop (AlloyPluginInstance *instance)
{
  close_listener (ALLOY_UNIX_TRANSPORT (instance));
}

static char *
alloy_unix_transport_describe (AlloyPluginInstance *instance)
{
  AlloyUnixTransport *self = ALLOY_UNIX_TRANSPORT (instance);

  if (self->bound == NULL)
    return g_strdup_printf ("[%s] unix transport, not listening",
                            alloy_plugin_instance_get_name (instance));
  return g_strdup_printf ("[%s] unix transport, listening on %s (mode %04o)",
                          alloy_plugin_instance_get_name (instance), self->path, self->mode);
}

static GPtrArray *
alloy_unix_transport_get_bound_addresses (AlloyTransport *transport)
{
  AlloyUnixTransport *self = ALLOY_UNIX_TRANSPORT (transport);
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->bound != NULL)
    g_ptr_array_add (addresses, g_object_ref (self->bound));
  return addresses;
}

static void
on_client_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_prefix_error (&error, "cannot connect to %s: ", (const char *) g_task_get_task_data (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, connection, g_object_unref);
}

static void
alloy_unix_transport_connect_async (AlloyTransport *transport, const char *address,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  g_task_set_source_tag (task, alloy_unix_transport_connect_async);
  g_task_set_task_data (task, g_strdup (address), g_free);
  if (*address == '\0' || strlen (address) > MAX_PATH_LENGTH)
    {
      g_task_return_new_error (task, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS,
                               "'%s' is not a socket path (1 to %u bytes)", address,
                               (guint) MAX_PATH_LENGTH);
      return;
    }

  client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);
  socket_address = g_unix_socket_address_new (address);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (socket_address), cancellable,
                                 on_client_connected, g_steal_pointer (&task));
}

static void
alloy_unix_transport_plugin_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_unix_transport_configure;
  iface->start_async = alloy_unix_transport_start_async;
  iface->start_finish = alloy_unix_transport_start_finish;
  iface->stop = alloy_unix_transport_stop;
  iface->describe = alloy_unix_transport_describe;
}

static void
alloy_unix_transport_transport_iface_init (AlloyTransportInterface *iface)
{
  iface->get_bound_addresses = alloy_unix_transport_get_bound_addresses;
  iface->connect_async = alloy_unix_transport_connect_async;
}

static const AlloyOptionSpec unix_transport_options[] = {
  { .key = "path", .type = ALLOY_OPTION_STRING,
    .flags = ALLOY_OPTION_FLAG_REQUIRED | ALLOY_OPTION_FLAG_UNIQUE,
    .description = "the socket file; a stale one left by a dead process is replaced" },
  { .key = "mode", .type = ALLOY_OPTION_STRING, .default_value = DEFAULT_MODE,
    .description = "permission bits of the socket file, in octal (who may connect)" },
  { .key = NULL }
};

static const AlloyPluginDescriptor unix_transport_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "transport_unix",
  .kind = ALLOY_PLUGIN_KIND_TRANSPORT,
  .version = ALLOY_VERSION_STRING,
  .description = "Unix stream socket listener and client",
  .license = "Apache-2.0",
  .options = unix_transport_options,
  .get_type = alloy_unix_transport_get_type,
};

ALLOY_PLUGIN_EXPORT (transport_unix, unix_transport_descriptor)
