/* alloy-cluster.c: this peer's view of the source cluster.
 *
 * Discovery plugins report what their source says; the local peer is
 * always a member while it serves, whether or not the source lists it.
 * When the source does list it, the local peer takes that entry's identity
 * (id and address as the others see them): every peer then scores the same
 * peers by the same keys, and answers agree whichever peer is asked.
 *
 * What each peer last said it holds is remembered by peer key (its id, or
 * its address without one) and kept when the peer leaves the members: a
 * peer that stops serving takes no data out of a view silently. Only an
 * operator forgets departed peers (SIGHUP).
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cluster.h"

#include <string.h>

struct _AlloyCluster {
  GObject parent_instance;

  AlloyPeer *self_peer;
  AlloyPeer *self_member;     /* self_peer, or the discovery entry standing for it */
  AlloyPeerSnapshot *applied; /* last authoritative snapshot */
  GPtrArray *members;
  gboolean draining;
  GHashTable *known;    /* peer key -> AlloyPeer: every peer that was a member */
  GHashTable *holdings; /* "PEER-KEY\nDATASET" -> GStrv of file paths */
  GHashTable *silent;   /* peer keys left out of the last view that asked them */
};

G_DEFINE_FINAL_TYPE (AlloyCluster, alloy_cluster, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
alloy_cluster_finalize (GObject *object)
{
  AlloyCluster *self = ALLOY_CLUSTER (object);

  alloy_peer_free (self->self_peer);
  alloy_peer_free (self->self_member);
  g_clear_pointer (&self->applied, alloy_peer_snapshot_unref);
  g_ptr_array_unref (self->members);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->holdings);
  g_hash_table_unref (self->silent);

  G_OBJECT_CLASS (alloy_cluster_parent_class)->finalize (object);
}

static void
alloy_cluster_class_init (AlloyClusterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_cluster_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
alloy_cluster_init (AlloyCluster *self)
{
  self->members = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) alloy_peer_free);
  self->holdings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_strfreev);
  self->silent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

AlloyCluster *
alloy_cluster_new (const AlloyPeer *self_peer)
{
  AlloyCluster *self = g_object_new (ALLOY_TYPE_CLUSTER, NULL);

  self->self_peer = alloy_peer_copy (self_peer);
  self->self_member = alloy_peer_copy (self_peer);
  return self;
}

char *
alloy_cluster_peer_key (const AlloyPeer *peer)
{
  if (peer->id != NULL)
    return g_strdup (peer->id);
  return alloy_peer_to_string (peer);
}

static gint
compare_peer_pointers (gconstpointer a, gconstpointer b)
{
  return alloy_peer_compare (*(AlloyPeer *const *) a, *(AlloyPeer *const *) b);
}

static gboolean
contains (GPtrArray *peers, const AlloyPeer *peer)
{
  for (guint i = 0; i < peers->len; i++)
    if (alloy_peer_compare (g_ptr_array_index (peers, i), peer) == 0)
      return TRUE;
  return FALSE;
}

static void
log_diff (GPtrArray *before, GPtrArray *after, const char *source)
{
  for (guint i = 0; i < after->len; i++)
    if (!contains (before, g_ptr_array_index (after, i)))
      {
        g_autofree char *text = alloy_peer_to_string (g_ptr_array_index (after, i));
        g_info ("[%s] peer joined: %s", source, text);
      }
  for (guint i = 0; i < before->len; i++)
    if (!contains (after, g_ptr_array_index (before, i)))
      {
        g_autofree char *text = alloy_peer_to_string (g_ptr_array_index (before, i));
        g_info ("[%s] peer left: %s", source, text);
      }
}

/* By id, or by address: DNS-SRV names a peer by its SRV target, which is
 * no node-id, but the address it gives is the one this peer advertises. */
static gboolean
is_self (AlloyCluster *self, const AlloyPeer *peer)
{
  if (peer->id != NULL && g_strcmp0 (peer->id, self->self_peer->id) == 0)
    return TRUE;
  return g_strcmp0 (peer->host, self->self_peer->host) == 0 && peer->port == self->self_peer->port;
}

void
alloy_cluster_apply (AlloyCluster *self, AlloyPeerSnapshot *snapshot)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(AlloyPeer) self_member = NULL;
  GPtrArray *peers;
  gboolean changed;

  g_return_if_fail (ALLOY_IS_CLUSTER (self));

  if (alloy_peer_snapshot_get_outcome (snapshot) == ALLOY_SNAPSHOT_FAILED)
    {
      /* Plugins begin their messages with their group. */
      g_warning ("%s; keeping the last known peers",
                 alloy_peer_snapshot_get_error (snapshot)->message);
      return;
    }

  members = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  peers = alloy_peer_snapshot_get_peers (snapshot);
  for (guint i = 0; i < peers->len; i++)
    {
      const AlloyPeer *peer = g_ptr_array_index (peers, i);

      /* The local peer's own entry: its identity is the one the others
       * use, and it is a member while it serves, listed or not. */
      if (is_self (self, peer))
        {
          if (self_member == NULL)
            self_member = alloy_peer_copy (peer);
          continue;
        }
      if (!peer->serving || peer->terminating)
        continue;
      g_ptr_array_add (members, alloy_peer_copy (peer));
    }
  if (self_member == NULL)
    self_member = alloy_peer_copy (self->self_peer);
  if (!alloy_peer_equal (self_member, self->self_member))
    {
      g_autofree char *text = alloy_peer_to_string (self_member);

      g_message ("this peer is %s among its peers", text);
      alloy_peer_free (self->self_member);
      self->self_member = g_steal_pointer (&self_member);
    }
  if (!self->draining)
    g_ptr_array_add (members, alloy_peer_copy (self->self_member));
  g_ptr_array_sort (members, compare_peer_pointers);

  changed = self->applied == NULL || members->len != self->members->len;
  for (guint i = 0; !changed && i < members->len; i++)
    changed = !alloy_peer_equal (g_ptr_array_index (members, i),
                                 g_ptr_array_index (self->members, i));
  log_diff (self->members, members, alloy_peer_snapshot_get_source (snapshot));

  for (guint i = 0; i < members->len; i++)
    {
      const AlloyPeer *member = g_ptr_array_index (members, i);
      g_hash_table_insert (self->known, alloy_cluster_peer_key (member), alloy_peer_copy (member));
    }
  g_clear_pointer (&self->applied, alloy_peer_snapshot_unref);
  self->applied = alloy_peer_snapshot_ref (snapshot);
  g_ptr_array_unref (self->members);
  self->members = g_steal_pointer (&members);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
alloy_cluster_is_ready (AlloyCluster *self)
{
  return self->applied != NULL;
}

GPtrArray *
alloy_cluster_get_members (AlloyCluster *self)
{
  GPtrArray *copy = g_ptr_array_new_full (self->members->len, (GDestroyNotify) alloy_peer_free);

  for (guint i = 0; i < self->members->len; i++)
    g_ptr_array_add (copy, alloy_peer_copy (g_ptr_array_index (self->members, i)));
  return copy;
}

static gboolean
is_member (AlloyCluster *self, const char *key)
{
  for (guint i = 0; i < self->members->len; i++)
    {
      g_autofree char *member = alloy_cluster_peer_key (g_ptr_array_index (self->members, i));

      if (strcmp (member, key) == 0)
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
alloy_cluster_get_departed (AlloyCluster *self)
{
  GPtrArray *departed = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  g_autofree char *self_key = alloy_cluster_peer_key (self->self_member);
  GHashTableIter iter;
  gpointer key, peer;

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, &peer))
    if (!is_member (self, key) && strcmp (key, self_key) != 0)
      g_ptr_array_add (departed, alloy_peer_copy (peer));
  g_ptr_array_sort (departed, compare_peer_pointers);
  return departed;
}

void
alloy_cluster_forget_departed (AlloyCluster *self)
{
  g_autoptr(GPtrArray) departed = alloy_cluster_get_departed (self);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < departed->len; i++)
    {
      g_autofree char *peer = alloy_cluster_peer_key (departed->pdata[i]);
      g_autofree char *prefix = g_strconcat (peer, "\n", NULL);
      g_autofree char *text = alloy_peer_to_string (departed->pdata[i]);

      g_message ("forgetting what %s held: it left the cluster", text);
      g_hash_table_remove (self->known, peer);
      g_hash_table_remove (self->silent, peer);
      g_hash_table_iter_init (&iter, self->holdings);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_str_has_prefix (key, prefix))
          g_hash_table_iter_remove (&iter);
    }
}

const AlloyPeer *
alloy_cluster_get_self (AlloyCluster *self)
{
  return self->self_member;
}

void
alloy_cluster_set_draining (AlloyCluster *self)
{
  g_return_if_fail (ALLOY_IS_CLUSTER (self));

  if (self->draining)
    return;
  self->draining = TRUE;
  for (guint i = 0; i < self->members->len; i++)
    if (alloy_peer_equal (g_ptr_array_index (self->members, i), self->self_member))
      {
        g_ptr_array_remove_index (self->members, i);
        g_signal_emit (self, signals[CHANGED], 0);
        break;
      }
}

gboolean
alloy_cluster_is_draining (AlloyCluster *self)
{
  return self->draining;
}

static char *
holding_key (const AlloyPeer *peer, const char *dataset)
{
  g_autofree char *key = alloy_cluster_peer_key (peer);

  return g_strconcat (key, "\n", dataset, NULL);
}

void
alloy_cluster_remember_holding (AlloyCluster *self, const AlloyPeer *peer, const char *dataset,
                                const char *const *paths)
{
  g_autofree char *key = alloy_cluster_peer_key (peer);

  g_return_if_fail (ALLOY_IS_CLUSTER (self) && paths != NULL);

  if (!g_hash_table_contains (self->known, key))
    g_hash_table_insert (self->known, g_strdup (key), alloy_peer_copy (peer));
  g_hash_table_insert (self->holdings, holding_key (peer, dataset),
                       g_strdupv ((char **) paths));
}

const char *const *
alloy_cluster_recall_holding (AlloyCluster *self, const AlloyPeer *peer, const char *dataset)
{
  g_autofree char *key = holding_key (peer, dataset);

  return g_hash_table_lookup (self->holdings, key);
}

gboolean
alloy_cluster_note_silent (AlloyCluster *self, const AlloyPeer *peer, gboolean silent)
{
  g_autofree char *key = alloy_cluster_peer_key (peer);

  if (silent)
    return g_hash_table_add (self->silent, g_steal_pointer (&key));
  return g_hash_table_remove (self->silent, key);
}
