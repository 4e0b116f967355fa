/* alloy-static-discovery.c: peers from a fixed list in the configuration.
 *
 * peers=id@host:port;... Host names are resolved at start and every
 * resolve-interval; IP literals never are. An answer is the whole list or
 * a failure: when any name does not resolve, the round fails (naming the
 * entries) and the core keeps the last good set, so that a passing DNS
 * fault never evicts a live peer.
 *
 * An entry id@unix:/path names a peer whose Nexus listener is a unix
 * socket (several peers on one host, tests). It becomes a peer with host
 * "unix:/path" and port 0, as the core describes its own peer on such a
 * listener; the path must be absolute, since the daemon's working directory
 * is no reliable base, and like an IP literal it is never resolved. Unix and
 * TCP entries may be mixed.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <string.h>

#define DEFAULT_RESOLVE_INTERVAL "30s"

typedef struct {
  char *id;
  char *host; /* a host name, an IP literal, or "unix:/path" */
  guint16 port; /* 0 for a unix socket */
  gboolean literal; /* an IP literal or a unix socket: never resolved */
} Entry;

struct _AlloyStaticDiscovery {
  GObject parent_instance;

  GPtrArray *entries; /* Entry */
  gint64 resolve_interval_ms;
  gboolean has_names;

  GCancellable *cancellable;
  guint timer_id;
  /* One resolution round: its peers and how many lookups are pending. */
  GPtrArray *round_peers;
  GString *round_failures; /* "id (host: reason), ..." */
  guint round_pending;
  gboolean refresh_wanted;
};

#define ALLOY_TYPE_STATIC_DISCOVERY (alloy_static_discovery_get_type ())
G_DECLARE_FINAL_TYPE (AlloyStaticDiscovery, alloy_static_discovery, ALLOY, STATIC_DISCOVERY,
                      GObject)

static void alloy_static_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_static_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyStaticDiscovery, alloy_static_discovery, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_static_discovery_plugin_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_DISCOVERY, alloy_static_discovery_discovery_iface_init))

static void
entry_free (Entry *entry)
{
  g_free (entry->id);
  g_free (entry->host);
  g_free (entry);
}

static void alloy_static_discovery_stop (AlloyPluginInstance *instance);

static void
alloy_static_discovery_dispose (GObject *object)
{
  /* Lookups still pending hold no reference: they must see the cancel. */
  alloy_static_discovery_stop (ALLOY_PLUGIN_INSTANCE (object));

  G_OBJECT_CLASS (alloy_static_discovery_parent_class)->dispose (object);
}

static void
alloy_static_discovery_finalize (GObject *object)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (object);

  g_clear_object (&self->cancellable);
  g_string_free (self->round_failures, TRUE);
  g_ptr_array_unref (self->entries);

  G_OBJECT_CLASS (alloy_static_discovery_parent_class)->finalize (object);
}

static void
alloy_static_discovery_class_init (AlloyStaticDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_static_discovery_dispose;
  object_class->finalize = alloy_static_discovery_finalize;
}

static void
alloy_static_discovery_init (AlloyStaticDiscovery *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->round_failures = g_string_new (NULL);
}

#define UNIX_PREFIX "unix:"
#define ENTRY_FORMS "write ID@HOST:PORT or ID@unix:/PATH"

/* id@unix:/path. The path is kept as written: never resolved, never made
 * canonical. It cannot hold a NUL, since GKeyFile values are C strings. */
static gboolean
parse_unix_entry (Entry *entry, const char *address, const char *group, GError **error)
{
  const char *path = address + strlen (UNIX_PREFIX);

  if (*path == '\0')
    {
      alloy_set_invalid_value (error, group, "peers",
                               "peer '%s': '%s' names no socket: " ENTRY_FORMS ", "
                               "e.g. alloy-1@unix:/run/alloy-1/nexus.sock",
                               entry->id, address);
      return FALSE;
    }
  if (!g_path_is_absolute (path))
    {
      alloy_set_invalid_value (error, group, "peers",
                               "peer '%s': '%s' is relative: write ID@unix:/PATH with an "
                               "absolute path (the daemon's working directory is no reliable "
                               "base)",
                               entry->id, address);
      return FALSE;
    }
  entry->host = g_strdup (address);
  entry->port = 0;
  entry->literal = TRUE;
  return TRUE;
}

/* id@host:port or id@unix:/path; the id is required, since it names the
 * peer in logs and tells the local peer's own entry apart. */
static Entry *
parse_entry (const char *text, const char *group, GError **error)
{
  const char *at = strchr (text, '@');
  g_autoptr(GError) address_error = NULL;
  Entry *entry;

  if (at == NULL || at == text)
    {
      alloy_set_invalid_value (error, group, "peers",
                               "'%s' is not a peer: " ENTRY_FORMS ", e.g. alloy-1@10.0.0.6:1270 "
                               "or alloy-1@unix:/run/alloy-1/nexus.sock",
                               text);
      return NULL;
    }
  entry = g_new0 (Entry, 1);
  entry->id = g_strndup (text, at - text);
  if (g_str_has_prefix (at + 1, UNIX_PREFIX))
    {
      if (!parse_unix_entry (entry, at + 1, group, error))
        {
          entry_free (entry);
          return NULL;
        }
      return entry;
    }
  if (!alloy_option_parse_address (at + 1, &entry->host, &entry->port, &address_error))
    {
      alloy_set_invalid_value (error, group, "peers", "peer '%s': %s; " ENTRY_FORMS, entry->id,
                               address_error->message);
      entry_free (entry);
      return NULL;
    }
  if (entry->port == 0)
    {
      alloy_set_invalid_value (error, group, "peers", "peer '%s': port 0 cannot be reached",
                               entry->id);
      entry_free (entry);
      return NULL;
    }
  entry->literal = g_hostname_is_ip_address (entry->host);
  return entry;
}

static gboolean
alloy_static_discovery_configure (AlloyPluginInstance *instance, GKeyFile *config,
                                  const char *group, GError **error)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (instance);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) peers = g_key_file_get_string_list (config, group, "peers", NULL, NULL);

  g_ptr_array_set_size (self->entries, 0);
  self->has_names = FALSE;
  self->resolve_interval_ms = alloy_key_file_get_duration (config, group, "resolve-interval",
                                                           NULL);
  for (char **text = peers; text && *text; text++)
    {
      g_strstrip (*text);
      if (**text == '\0')
        continue;
      Entry *entry = parse_entry (*text, group, error);
      if (entry == NULL)
        return FALSE;
      g_ptr_array_add (self->entries, entry);
      if (!g_hash_table_add (ids, entry->id))
        {
          alloy_set_invalid_value (error, group, "peers", "peer id '%s' is listed twice",
                                   entry->id);
          return FALSE;
        }
      if (!entry->literal)
        self->has_names = TRUE;
    }
  return TRUE;
}

static void resolve_round (AlloyStaticDiscovery *self);

static gboolean
on_resolve_timer (gpointer user_data)
{
  AlloyStaticDiscovery *self = user_data;

  self->timer_id = 0;
  resolve_round (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_next_round (AlloyStaticDiscovery *self)
{
  if (self->has_names && self->resolve_interval_ms > 0 && self->timer_id == 0)
    self->timer_id = g_timeout_add (MIN (self->resolve_interval_ms, G_MAXUINT), on_resolve_timer,
                                    self);
}

static guint
refresh_hint (AlloyStaticDiscovery *self)
{
  return self->has_names ? (guint) MIN (self->resolve_interval_ms, G_MAXUINT) : 0;
}

static void
finish_round (AlloyStaticDiscovery *self)
{
  g_autoptr(GPtrArray) peers = g_steal_pointer (&self->round_peers);
  AlloyDiscovery *discovery = ALLOY_DISCOVERY (self);

  if (self->round_failures->len > 0)
    {
      g_autoptr(GError) error = g_error_new (ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_RESOLVE,
                                             "%s: cannot resolve %s",
                                             alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self)),
                                             self->round_failures->str);
      alloy_discovery_publish_failure (discovery, error, refresh_hint (self));
    }
  else
    alloy_discovery_publish_peers (discovery, peers, refresh_hint (self));

  schedule_next_round (self);
  if (self->refresh_wanted)
    {
      self->refresh_wanted = FALSE;
      resolve_round (self);
    }
}

typedef struct {
  AlloyStaticDiscovery *self;
  Entry *entry;
} Lookup;

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  AlloyStaticDiscovery *self = lookup->self;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (lookup);
      return;
    }
  if (addresses == NULL)
    {
      g_string_append_printf (self->round_failures, "%s%s (%s: %s)",
                              self->round_failures->len ? ", " : "", lookup->entry->id,
                              lookup->entry->host, error->message);
    }
  else
    {
      g_autofree char *ip = g_inet_address_to_string (addresses->data);
      g_ptr_array_add (self->round_peers,
                       alloy_peer_new (lookup->entry->id, ip, lookup->entry->port));
      g_resolver_free_addresses (addresses);
    }
  g_free (lookup);
  if (--self->round_pending == 0)
    finish_round (self);
}

static void
resolve_round (AlloyStaticDiscovery *self)
{
  g_autoptr(GResolver) resolver = NULL;

  if (self->round_peers != NULL)
    {
      self->refresh_wanted = TRUE;
      return;
    }
  self->round_peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  g_string_truncate (self->round_failures, 0);
  /* Count every name lookup before starting any, so that the round cannot
   * finish while lookups are still being started. */
  self->round_pending = 1;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      Lookup *lookup;

      if (entry->literal)
        {
          g_ptr_array_add (self->round_peers, alloy_peer_new (entry->id, entry->host, entry->port));
          continue;
        }
      if (resolver == NULL)
        resolver = g_resolver_get_default ();
      lookup = g_new0 (Lookup, 1);
      lookup->self = self;
      lookup->entry = entry;
      self->round_pending++;
      g_resolver_lookup_by_name_async (resolver, entry->host, self->cancellable, on_resolved,
                                       lookup);
    }
  if (--self->round_pending == 0)
    finish_round (self);
}

static void
alloy_static_discovery_start_async (AlloyPluginInstance *instance, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (instance);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* The first snapshot comes at once for a list of IP literals, and after
   * the lookups otherwise. */
  resolve_round (self);
  g_task_return_boolean (task, TRUE);
}

static gboolean
alloy_static_discovery_start_finish (AlloyPluginInstance *instance, GAsyncResult *result,
                                     GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_static_discovery_stop (AlloyPluginInstance *instance)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (instance);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Pending lookups complete as cancelled and touch nothing else. */
  g_clear_pointer (&self->round_peers, g_ptr_array_unref);
  self->refresh_wanted = FALSE;
}

static char *
alloy_static_discovery_describe (AlloyPluginInstance *instance)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (instance);

  return g_strdup_printf ("[%s] static discovery, %u listed peer(s)",
                          alloy_plugin_instance_get_name (instance), self->entries->len);
}

static void
alloy_static_discovery_refresh_now (AlloyDiscovery *discovery)
{
  AlloyStaticDiscovery *self = ALLOY_STATIC_DISCOVERY (discovery);

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  resolve_round (self);
}

static void
alloy_static_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_static_discovery_configure;
  iface->start_async = alloy_static_discovery_start_async;
  iface->start_finish = alloy_static_discovery_start_finish;
  iface->stop = alloy_static_discovery_stop;
  iface->describe = alloy_static_discovery_describe;
}

static void
alloy_static_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface)
{
  iface->refresh_now = alloy_static_discovery_refresh_now;
}

static const AlloyOptionSpec static_discovery_options[] = {
  { .key = "peers", .type = ALLOY_OPTION_STRING_LIST, .default_value = "",
    .description = "the other peers, ID@HOST:PORT or ID@unix:/PATH;... (the peer's Nexus "
                   "address: TCP, or a unix socket by its absolute path); empty: this peer alone" },
  { .key = "resolve-interval", .type = ALLOY_OPTION_DURATION,
    .default_value = DEFAULT_RESOLVE_INTERVAL,
    .description = "how often host names in peers are resolved again (IP literals and unix "
                   "sockets never are)",
    .min = 1000, .max = 24 * 3600 * 1000 },
  { .key = NULL }
};

static const AlloyPluginDescriptor static_discovery_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "discovery_static",
  .kind = ALLOY_PLUGIN_KIND_DISCOVERY,
  .version = ALLOY_VERSION_STRING,
  .description = "Peers from a fixed list in the configuration",
  .license = "Apache-2.0",
  .options = static_discovery_options,
  .get_type = alloy_static_discovery_get_type,
};

ALLOY_PLUGIN_EXPORT (discovery_static, static_discovery_descriptor)
