/* alloy-dns-srv-discovery.c: peers from the SRV records of one DNS name.
 *
 * Each round queries SRV NAME, then takes every target's addresses from
 * the additional section, or asks for its A and AAAA records through the
 * same nameserver. The answer is the whole set or a failure, never part of
 * a set: when the SRV lookup or any target's lookup fails, the core keeps
 * the last good set. NXDOMAIN, an answer without SRV records and the "."
 * target mean "no peer"; once a non-empty set was published, that empty set
 * is published only when it persisted for hold-down.
 *
 * c-ares runs on the core context: its sockets are watched with unix fd
 * sources and its timeouts with a timeout source, so nothing blocks and no
 * thread is started. Query callbacks only record results; a round is
 * finished (and published) after c-ares returns, so that a snapshot handler
 * may stop the instance.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include "alloy-dns-srv-answer.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <glib-unix.h>
#include <string.h>

typedef struct _AlloyDnsSrvDiscovery AlloyDnsSrvDiscovery;

typedef struct {
  AlloyDnsSrvDiscovery *self;
  GPtrArray *records; /* SrvRecord */
  guint pending;      /* queries not answered yet */
  guint32 min_ttl;    /* seconds, over the records used; G_MAXUINT32: none */
  GError *error;      /* the SRV lookup failed */
  const char *empty;  /* why the answer holds no peer, or NULL */
} Round;

typedef struct {
  Round *round;
  SrvRecord *record; /* NULL for the SRV query */
} Query;

struct _AlloyDnsSrvDiscovery {
  GObject parent_instance;

  char *name;
  char *nameserver; /* host:port as c-ares reads it, or NULL: the system's */
  gint64 timeout_ms;
  gint attempts;
  gint64 min_refresh_ms;
  gint64 refresh_interval_ms;
  gint64 hold_down_ms;

  GMainContext *context;
  ares_channel channel;
  GHashTable *watches; /* fd → GSource */
  GSource *ares_timer;
  GSource *refresh_timer;
  Round *round;
  gboolean published;  /* an authoritative set was published */
  guint peer_count;    /* in the last authoritative set */
  gint64 empty_since;  /* monotonic µs of the first empty answer, or 0 */
  gint64 backoff_ms;   /* after failures */
};

#define ALLOY_TYPE_DNS_SRV_DISCOVERY (alloy_dns_srv_discovery_get_type ())
G_DECLARE_FINAL_TYPE (AlloyDnsSrvDiscovery, alloy_dns_srv_discovery, ALLOY, DNS_SRV_DISCOVERY,
                      GObject)

static void alloy_dns_srv_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_dns_srv_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyDnsSrvDiscovery, alloy_dns_srv_discovery, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_dns_srv_discovery_plugin_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_DISCOVERY, alloy_dns_srv_discovery_discovery_iface_init))

static const char *
group_name (AlloyDnsSrvDiscovery *self)
{
  return alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self));
}

static void
round_free (Round *round)
{
  g_ptr_array_unref (round->records);
  g_clear_error (&round->error);
  g_free (round);
}

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void alloy_dns_srv_discovery_stop (AlloyPluginInstance *instance);

static void
alloy_dns_srv_discovery_dispose (GObject *object)
{
  alloy_dns_srv_discovery_stop (ALLOY_PLUGIN_INSTANCE (object));

  G_OBJECT_CLASS (alloy_dns_srv_discovery_parent_class)->dispose (object);
}

static void
alloy_dns_srv_discovery_finalize (GObject *object)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (object);

  g_hash_table_unref (self->watches);
  g_free (self->name);
  g_free (self->nameserver);

  G_OBJECT_CLASS (alloy_dns_srv_discovery_parent_class)->finalize (object);
}

static void
alloy_dns_srv_discovery_class_init (AlloyDnsSrvDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_dns_srv_discovery_dispose;
  object_class->finalize = alloy_dns_srv_discovery_finalize;
}

static void
watch_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static void
alloy_dns_srv_discovery_init (AlloyDnsSrvDiscovery *self)
{
  self->watches = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, watch_free);
}

static gboolean
alloy_dns_srv_discovery_configure (AlloyPluginInstance *instance, GKeyFile *config,
                                   const char *group, GError **error)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (instance);
  g_autofree char *name = g_key_file_get_string (config, group, "name", error);
  g_autofree char *nameserver = g_key_file_get_string (config, group, "nameserver", NULL);

  if (name == NULL)
    return FALSE;
  g_strstrip (name);
  if (*name == '\0' || strlen (name) > 254 || strpbrk (name, " \t/\\@") != NULL ||
      strstr (name, "..") != NULL || name[0] == '.')
    {
      alloy_set_invalid_value (error, group, "name",
                               "'%s' is not a DNS name, e.g. _nexus._tcp.alloy.example.", name);
      return FALSE;
    }
  g_clear_pointer (&self->nameserver, g_free);
  if (nameserver != NULL && *g_strstrip (nameserver) != '\0')
    {
      g_autoptr(GError) address_error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 0;

      if (!alloy_option_parse_address (nameserver, &host, &port, &address_error))
        {
          alloy_set_invalid_value (error, group, "nameserver", "%s", address_error->message);
          return FALSE;
        }
      if (!g_hostname_is_ip_address (host) || port == 0)
        {
          alloy_set_invalid_value (error, group, "nameserver",
                                   "'%s' is not an IP address with a port, e.g. 127.0.0.1:53",
                                   nameserver);
          return FALSE;
        }
      self->nameserver = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%u", host, port)
                                                    : g_strdup_printf ("%s:%u", host, port);
    }
  /* Checked against the schema and defaulted by the core: cannot fail. */
  self->timeout_ms = alloy_key_file_get_duration (config, group, "timeout", NULL);
  self->attempts = g_key_file_get_integer (config, group, "attempts", NULL);
  self->min_refresh_ms = alloy_key_file_get_duration (config, group, "min-refresh", NULL);
  self->refresh_interval_ms = alloy_key_file_get_duration (config, group, "refresh-interval",
                                                           NULL);
  self->hold_down_ms = alloy_key_file_get_duration (config, group, "hold-down", NULL);
  if (self->min_refresh_ms > self->refresh_interval_ms)
    {
      alloy_set_invalid_value (error, group, "min-refresh",
                               "%" G_GINT64_FORMAT " ms is longer than refresh-interval "
                               "(%" G_GINT64_FORMAT " ms)",
                               self->min_refresh_ms, self->refresh_interval_ms);
      return FALSE;
    }
  g_free (self->name);
  self->name = g_steal_pointer (&name);
  return TRUE;
}

/* --- c-ares on the core context ------------------------------------------ */

static void start_round (AlloyDnsSrvDiscovery *self);
static void finish_round (AlloyDnsSrvDiscovery *self);
static gboolean on_fd (gint fd, GIOCondition condition, gpointer user_data);

static gboolean
on_ares_timer (gpointer user_data);

/* After every call into c-ares: arm its next timeout, and finish a round
 * whose queries are all answered. */
static void
after_ares (AlloyDnsSrvDiscovery *self)
{
  struct timeval tv;

  destroy_source (&self->ares_timer);
  if (self->channel == NULL)
    return;
  if (ares_timeout (self->channel, NULL, &tv) != NULL)
    {
      guint ms = (guint) MIN ((gint64) tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000, G_MAXUINT);

      self->ares_timer = g_timeout_source_new (ms);
      g_source_set_callback (self->ares_timer, on_ares_timer, self, NULL);
      g_source_attach (self->ares_timer, self->context);
    }
  if (self->round != NULL && self->round->pending == 0)
    finish_round (self);
}

static gboolean
on_ares_timer (gpointer user_data)
{
  AlloyDnsSrvDiscovery *self = user_data;

  ares_process_fd (self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  after_ares (self); /* replaces this source */
  return G_SOURCE_REMOVE;
}

static gboolean
on_fd (gint fd, GIOCondition condition, gpointer user_data)
{
  AlloyDnsSrvDiscovery *self = user_data;

  /* c-ares may close the socket here, which destroys this source. */
  ares_process_fd (self->channel,
                   condition & (G_IO_IN | G_IO_HUP | G_IO_ERR) ? fd : ARES_SOCKET_BAD,
                   condition & G_IO_OUT ? fd : ARES_SOCKET_BAD);
  after_ares (self);
  return G_SOURCE_CONTINUE;
}

static void
on_sock_state (void *data, ares_socket_t fd, int readable, int writable)
{
  AlloyDnsSrvDiscovery *self = data;
  GSource *source;

  g_hash_table_remove (self->watches, GINT_TO_POINTER (fd));
  if (!readable && !writable)
    return;
  source = g_unix_fd_source_new (fd, (readable ? G_IO_IN : 0) | (writable ? G_IO_OUT : 0));
  g_source_set_callback (source, G_SOURCE_FUNC (on_fd), self, NULL);
  g_source_attach (source, self->context);
  g_hash_table_insert (self->watches, GINT_TO_POINTER (fd), source);
}

/* --- answers ------------------------------------------------------------- */

static gboolean
query_cancelled (Query *query, int status)
{
  if (status != ARES_ECANCELLED && status != ARES_EDESTRUCTION)
    return FALSE;
  /* stop(): the round is freed there and must not be touched. */
  g_free (query);
  return TRUE;
}

static void
on_address (void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
  Query *query = arg;
  Round *round = query->round;
  SrvRecord *record = query->record;

  if (query_cancelled (query, status))
    return;
  g_free (query);
  round->pending--;
  if (status == ARES_SUCCESS)
    alloy_dns_srv_parse_addresses (abuf, alen, record, &round->min_ttl);
  else if (status != ARES_ENODATA && status != ARES_ENOTFOUND)
    {
      record->failed_status = status == ARES_SUCCESS ? ARES_EBADRESP : status;
      g_string_append_printf (record->failure, "%s%s", record->failure->len ? ", " : "",
                              status == ARES_SUCCESS ? "malformed answer" : ares_strerror (status));
    }
}

static void
ask_addresses (AlloyDnsSrvDiscovery *self, Round *round, SrvRecord *record)
{
  static const int types[] = { ns_t_a, ns_t_aaaa };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      Query *query = g_new0 (Query, 1);

      query->round = round;
      query->record = record;
      round->pending++;
      ares_query (self->channel, record->target, ns_c_in, types[i], on_address, query);
    }
}

static void
on_srv (void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
  Query *query = arg;
  Round *round = query->round;
  AlloyDnsSrvDiscovery *self = round->self;

  if (query_cancelled (query, status))
    return;
  g_free (query);
  round->pending--;
  switch (status)
    {
    case ARES_SUCCESS:
      if (!alloy_dns_srv_parse_srv (abuf, alen, round->records, &round->min_ttl, &round->empty))
        {
          g_ptr_array_set_size (round->records, 0);
          round->error = g_error_new (ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_MALFORMED,
                                      "%s: SRV %s: malformed answer", group_name (self),
                                      self->name);
          return;
        }
      break;
    case ARES_ENOTFOUND:
      round->empty = "NXDOMAIN";
      return;
    case ARES_ENODATA:
      round->empty = "no SRV record";
      return;
    default:
      round->error = g_error_new (ALLOY_DISCOVERY_ERROR, alloy_dns_srv_error_code (status), "%s: SRV %s: %s",
                                  group_name (self), self->name, ares_strerror (status));
      return;
    }
  for (guint i = 0; i < round->records->len; i++)
    {
      SrvRecord *record = g_ptr_array_index (round->records, i);

      if (record->addresses->len == 0)
        ask_addresses (self, round, record);
    }
}

/* --- rounds -------------------------------------------------------------- */

static gboolean
on_refresh_timer (gpointer user_data)
{
  AlloyDnsSrvDiscovery *self = user_data;

  g_clear_pointer (&self->refresh_timer, g_source_unref);
  start_round (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_round (AlloyDnsSrvDiscovery *self, guint delay_ms)
{
  destroy_source (&self->refresh_timer);
  self->refresh_timer = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->refresh_timer, on_refresh_timer, self, NULL);
  g_source_attach (self->refresh_timer, self->context);
}

/* The TTL within [min-refresh, refresh-interval] (TTL 0: refresh-interval),
 * with ±10 % jitter so that peers do not ask in step. */
static guint
refresh_delay (AlloyDnsSrvDiscovery *self, guint32 ttl)
{
  gint64 ms = ttl == 0 || ttl == G_MAXUINT32 ? self->refresh_interval_ms : (gint64) ttl * 1000;

  ms = CLAMP (ms, self->min_refresh_ms, self->refresh_interval_ms);
  ms = (gint64) (ms * g_random_double_range (0.9, 1.1));
  return (guint) CLAMP (ms, MAX (self->min_refresh_ms, 1), G_MAXUINT);
}

/* The peers of a round whose targets all have an address, or NULL with
 * @error naming the targets that have none. */
static GPtrArray *
round_peers (AlloyDnsSrvDiscovery *self, Round *round, GError **error)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  g_autoptr(GString) failures = g_string_new (NULL);
  int code = ALLOY_DISCOVERY_ERROR_RESOLVE;

  for (guint i = 0; i < round->records->len; i++)
    {
      SrvRecord *record = g_ptr_array_index (round->records, i);
      g_autofree char *id = NULL;
      AlloyPeer *peer;
      gboolean duplicate = FALSE, shared_target = FALSE;

      for (guint j = 0; j < round->records->len; j++)
        {
          SrvRecord *other = g_ptr_array_index (round->records, j);

          if (j == i || g_ascii_strcasecmp (other->target, record->target) != 0)
            continue;
          if (other->port != record->port)
            shared_target = TRUE;
          else if (j < i)
            duplicate = TRUE;
        }
      if (duplicate)
        continue;
      /* One family failing fails the round too: never a guess. */
      if (record->addresses->len == 0 || record->failed_status != ARES_SUCCESS)
        {
          if (record->failed_status != ARES_SUCCESS)
            code = alloy_dns_srv_error_code (record->failed_status);
          g_string_append_printf (failures, "%s%s (%s)", failures->len ? ", " : "",
                                  record->target,
                                  record->failure->len ? record->failure->str : "no address");
          continue;
        }
      g_ptr_array_sort (record->addresses, alloy_dns_srv_compare_addresses);
      /* Two ports on one target are two peers. */
      id = shared_target ? g_strdup_printf ("%s:%u", record->target, record->port)
                         : g_strdup (record->target);
      peer = alloy_peer_new (id, g_ptr_array_index (record->addresses, 0), record->port);
      peer->priority = record->priority;
      peer->weight = record->weight;
      g_ptr_array_add (peers, peer);
    }
  if (failures->len > 0)
    {
      g_set_error (error, ALLOY_DISCOVERY_ERROR, code, "%s: SRV %s: cannot resolve %s", group_name (self), self->name,
                   failures->str);
      return NULL;
    }
  return g_steal_pointer (&peers);
}

static void
publish_failure (AlloyDnsSrvDiscovery *self, GError *error)
{
  guint delay;

  /* Retry sooner than a full refresh, backing off up to refresh-interval. */
  self->backoff_ms = self->backoff_ms == 0 ? self->min_refresh_ms
                                           : MIN (self->backoff_ms * 2, self->refresh_interval_ms);
  delay = (guint) MIN (MAX (self->backoff_ms, 1), G_MAXUINT);
  schedule_round (self, delay);
  alloy_discovery_publish_failure (ALLOY_DISCOVERY (self), error, delay);
}

static void
publish_peers (AlloyDnsSrvDiscovery *self, GPtrArray *peers, guint delay)
{
  self->published = TRUE;
  self->peer_count = peers->len;
  self->empty_since = 0;
  self->backoff_ms = 0;
  schedule_round (self, delay);
  alloy_discovery_publish_peers (ALLOY_DISCOVERY (self), peers, delay);
}

/* No peer: at once for the first answer or after an empty one (a cold
 * start must not wait), otherwise once it persisted for hold-down. */
static void
publish_empty (AlloyDnsSrvDiscovery *self, Round *round)
{
  gint64 now = g_get_monotonic_time ();
  gint64 held_ms;
  guint delay = refresh_delay (self, round->min_ttl);
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;

  if (self->published && self->peer_count > 0)
    {
      if (self->empty_since == 0)
        self->empty_since = now;
      held_ms = (now - self->empty_since) / 1000;
      if (held_ms < self->hold_down_ms)
        {
          delay = (guint) CLAMP (self->hold_down_ms - held_ms, 1, delay);
          error = g_error_new (ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_RESOLVE,
                               "%s: SRV %s: %s for %" G_GINT64_FORMAT " ms; an empty set "
                               "applies after the hold-down (%" G_GINT64_FORMAT " ms)",
                               group_name (self), self->name, round->empty, held_ms,
                               self->hold_down_ms);
          schedule_round (self, delay);
          alloy_discovery_publish_failure (ALLOY_DISCOVERY (self), error, delay);
          return;
        }
    }
  none = g_ptr_array_new ();
  publish_peers (self, none, delay);
}

static void
finish_round (AlloyDnsSrvDiscovery *self)
{
  Round *round = g_steal_pointer (&self->round);
  g_autoptr(AlloyDnsSrvDiscovery) alive = g_object_ref (self); /* a handler may drop it */
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GError) error = NULL;

  if (round->error != NULL)
    publish_failure (self, round->error);
  else if (round->empty != NULL)
    publish_empty (self, round);
  else if ((peers = round_peers (self, round, &error)) == NULL)
    publish_failure (self, error);
  else
    publish_peers (self, peers, refresh_delay (self, round->min_ttl));
  round_free (round);
}

static void
start_round (AlloyDnsSrvDiscovery *self)
{
  Round *round;
  Query *query;

  if (self->channel == NULL || self->round != NULL)
    return;
  destroy_source (&self->refresh_timer);
  round = g_new0 (Round, 1);
  round->self = self;
  round->records = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_dns_srv_record_free);
  round->min_ttl = G_MAXUINT32;
  round->pending = 1;
  self->round = round;
  query = g_new0 (Query, 1);
  query->round = round;
  ares_query (self->channel, self->name, ns_c_in, ns_t_srv, on_srv, query);
  after_ares (self);
}

/* --- the instance ---------------------------------------------------------- */

static void
alloy_dns_srv_discovery_start_async (AlloyPluginInstance *instance, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (instance);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  struct ares_options options = { 0 };
  int status;

  g_task_set_source_tag (task, alloy_dns_srv_discovery_start_async);
  if (self->name == NULL || self->channel != NULL)
    {
      g_task_return_new_error (task, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                               "%s: not configured, or already started", group_name (self));
      return;
    }
  options.flags = ARES_FLAG_EDNS; /* and TCP when an answer is truncated */
  options.timeout = (int) MIN (self->timeout_ms, G_MAXINT);
  options.tries = self->attempts;
  options.sock_state_cb = on_sock_state;
  options.sock_state_cb_data = self;
  status = ares_init_options (&self->channel, &options,
                              ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                                ARES_OPT_SOCK_STATE_CB);
  if (status == ARES_SUCCESS && self->nameserver != NULL)
    status = ares_set_servers_ports_csv (self->channel, self->nameserver);
  if (status != ARES_SUCCESS)
    {
      if (self->channel != NULL)
        ares_destroy (self->channel);
      self->channel = NULL;
      g_task_return_new_error (task, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                               "%s: cannot set up the DNS client: %s", group_name (self),
                               ares_strerror (status));
      return;
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->published = FALSE;
  self->peer_count = 0;
  self->empty_since = 0;
  self->backoff_ms = 0;
  /* The first answer follows the lookups. */
  start_round (self);
  g_task_return_boolean (task, TRUE);
}

static gboolean
alloy_dns_srv_discovery_start_finish (AlloyPluginInstance *instance, GAsyncResult *result,
                                      GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_dns_srv_discovery_stop (AlloyPluginInstance *instance)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (instance);

  destroy_source (&self->refresh_timer);
  destroy_source (&self->ares_timer);
  if (self->channel != NULL)
    {
      ares_channel channel = g_steal_pointer (&self->channel);

      /* Pending queries complete as cancelled, here, and touch nothing. */
      ares_destroy (channel);
    }
  g_hash_table_remove_all (self->watches);
  g_clear_pointer (&self->round, round_free);
  g_clear_pointer (&self->context, g_main_context_unref);
}

static char *
alloy_dns_srv_discovery_describe (AlloyPluginInstance *instance)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (instance);

  return g_strdup_printf ("[%s] DNS-SRV discovery of %s via %s, %u peer(s)",
                          alloy_plugin_instance_get_name (instance), self->name,
                          self->nameserver ? self->nameserver : "the system's nameservers",
                          self->peer_count);
}

static void
alloy_dns_srv_discovery_refresh_now (AlloyDiscovery *discovery)
{
  AlloyDnsSrvDiscovery *self = ALLOY_DNS_SRV_DISCOVERY (discovery);

  /* Not started, stopped, or a round is running: nothing to do. */
  start_round (self);
}

static void
alloy_dns_srv_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_dns_srv_discovery_configure;
  iface->start_async = alloy_dns_srv_discovery_start_async;
  iface->start_finish = alloy_dns_srv_discovery_start_finish;
  iface->stop = alloy_dns_srv_discovery_stop;
  iface->describe = alloy_dns_srv_discovery_describe;
}

static void
alloy_dns_srv_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface)
{
  iface->refresh_now = alloy_dns_srv_discovery_refresh_now;
}

static gboolean
dns_srv_discovery_init (GError **error)
{
  int status = ares_library_init (ARES_LIB_INIT_ALL);

  if (status != ARES_SUCCESS)
    {
      g_set_error (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                   "cannot initialise c-ares: %s", ares_strerror (status));
      return FALSE;
    }
  return TRUE;
}

static void
dns_srv_discovery_shutdown (void)
{
  ares_library_cleanup ();
}

static const AlloyOptionSpec dns_srv_discovery_options[] = {
  { .key = "name", .type = ALLOY_OPTION_STRING, .flags = ALLOY_OPTION_FLAG_REQUIRED,
    .description = "the SRV name, queried as an absolute name, e.g. "
                   "_nexus._tcp.alloy.default.svc.cluster.local." },
  { .key = "nameserver", .type = ALLOY_OPTION_ADDRESS,
    .description = "the DNS server as IP:PORT; unset: the servers of /etc/resolv.conf" },
  { .key = "timeout", .type = ALLOY_OPTION_DURATION, .default_value = "5s",
    .description = "how long one attempt of one query may take",
    .min = 10, .max = 600 * 1000 },
  { .key = "attempts", .type = ALLOY_OPTION_INT, .default_value = "2",
    .description = "attempts per query and server", .min = 1, .max = 10 },
  { .key = "min-refresh", .type = ALLOY_OPTION_DURATION, .default_value = "1s",
    .description = "the shortest time between lookups, whatever the TTL; also the first "
                   "retry after a failure", .min = 10, .max = 24 * 3600 * 1000 },
  { .key = "refresh-interval", .type = ALLOY_OPTION_DURATION, .default_value = "30s",
    .description = "the longest time between lookups, and the time when the TTL is 0",
    .min = 10, .max = 24 * 3600 * 1000 },
  { .key = "hold-down", .type = ALLOY_OPTION_DURATION, .default_value = "10s",
    .description = "how long NXDOMAIN, no SRV record or the \".\" target must last before "
                   "an empty set replaces a non-empty one", .max = 24 * 3600 * 1000 },
  { .key = NULL }
};

static const AlloyPluginDescriptor dns_srv_discovery_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "discovery_dns_srv",
  .kind = ALLOY_PLUGIN_KIND_DISCOVERY,
  .version = ALLOY_VERSION_STRING,
  .description = "Peers from the SRV records of a DNS name",
  .license = "Apache-2.0",
  .options = dns_srv_discovery_options,
  .get_type = alloy_dns_srv_discovery_get_type,
  .init = dns_srv_discovery_init,
  .shutdown = dns_srv_discovery_shutdown,
};

ALLOY_PLUGIN_EXPORT (discovery_dns_srv, dns_srv_discovery_descriptor)
