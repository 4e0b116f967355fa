/* test-fetch-client.c: the fetch client against fake servers in this
 * process: the Thrift call and the cell's checks of its answer, Nexus
 * streams in both variants (twice on one connection), and every rule a
 * cell applies with the name the client gives it. `alloy fetch` end to
 * end is test-fetch-cli.c's.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "fetch-test-utils.h"

#include "alloy-thrift-codec.h"
#include "alloy-view-client.h"

#include <string.h>

/* --- The view client ------------------------------------------------------ */

typedef struct {
  gboolean done;
  AlloyViewAnswer *answer;
  GError *error;
} Call;

static void
on_called (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  call->answer = alloy_view_client_call_finish (G_IO_STREAM (source), result, &call->error);
  call->done = TRUE;
}

typedef struct {
  const char *name;
  ThriftMode mode;
  GQuark (*domain) (void);
  gint code;
  const char *message; /* NULL: only the domain and code are checked */
} ThriftCase;

static const ThriftCase thrift_cases[] = {
  { "good", THRIFT_GOOD, NULL, 0, NULL },
  { "wrong-seqid", THRIFT_WRONG_SEQID, alloy_thrift_error_quark, ALLOY_THRIFT_ERROR_PROTOCOL,
    NULL },
  { "state", THRIFT_STATE, alloy_view_client_error_quark, ALLOY_VIEW_CLIENT_ERROR_STATE,
    "Got Invalid from samplestore master: no dataset 'nope'" },
  { "no-loci", THRIFT_NO_LOCI, alloy_view_client_error_quark, ALLOY_VIEW_CLIENT_ERROR_NO_LOCI,
    "Got no loci from sample store supervisor" },
  { "no-motif", THRIFT_NO_MOTIF, alloy_view_client_error_quark,
    ALLOY_VIEW_CLIENT_ERROR_NO_MOTIF_FILTER, "no motif filter!" },
  { "timeout", THRIFT_SILENT, alloy_view_client_error_quark, ALLOY_VIEW_CLIENT_ERROR_TIMEOUT,
    NULL },
};

static void
test_view_call (Fixture *fixture, gconstpointer data)
{
  const ThriftCase *tc = data;
  g_autoptr(GIOStream) conn = connect_loopback (fixture->thrift.port);
  g_autoptr(AlloyViewRequest) request = alloy_view_request_new ();
  Call call = { 0 };

  fixture->thrift.mode = tc->mode;
  g_free (request->guid);
  request->guid = alloy_burst_uid_new ();
  g_free (request->view_motif);
  request->view_motif = g_strdup (MOTIF);
  g_free (request->schema_name);
  request->schema_name = g_strdup ("quo");
  g_hash_table_insert (request->store_properties, g_strdup ("burst.store.name"),
                       g_strdup ("sample"));
  alloy_view_client_call_async (conn, request, tc->mode == THRIFT_SILENT ? SHORT_MS : LONG_MS,
                                NULL, on_called, &call);
  ALLOY_TEST_WAIT_UNTIL (call.done, WAIT_MS);
  if (tc->domain == NULL)
    {
      g_assert_no_error (call.error);
      g_assert_cmpuint (call.answer->loci->len, ==, 1);
      g_assert_cmpstr (call.answer->motif_filter, ==, MOTIF);
      g_assert_cmpstr (call.answer->guid, ==, request->guid);
      g_assert_cmpstr (((AlloyLocus *) g_ptr_array_index (call.answer->loci, 0))->suid, ==, "S1");
      g_assert_cmpstr (fixture->thrift.request->schema_name, ==, "quo");
      g_assert_cmpstr (g_hash_table_lookup (fixture->thrift.request->store_properties,
                                            "burst.store.name"), ==, "sample");
    }
  else
    {
      g_assert_error (call.error, tc->domain (), tc->code);
      g_assert_null (call.answer);
      if (tc->message != NULL)
        g_assert_cmpstr (call.error->message, ==, tc->message);
    }
  g_clear_error (&call.error);
  g_clear_pointer (&call.answer, alloy_view_answer_free);
}

/* --- The Nexus client ----------------------------------------------------- */

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  AlloyNexusResult result;
  GPtrArray *blobs; /* GBytes */
} Outcome;

static void
on_parcel (GPtrArray *blobs, gpointer user_data)
{
  Outcome *outcome = user_data;

  for (guint i = 0; i < blobs->len; i++)
    g_ptr_array_add (outcome->blobs, g_bytes_ref (g_ptr_array_index (blobs, i)));
}

static void
on_streamed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = alloy_nexus_client_stream_finish (ALLOY_NEXUS_CLIENT (source), result,
                                                  &outcome->result, &outcome->error);
  outcome->done = TRUE;
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_error (&outcome->error);
  g_clear_pointer (&outcome->blobs, g_ptr_array_unref);
}

static void
run_stream (AlloyNexusClient *client, const char *suid, gint32 ruid, Outcome *outcome)
{
  g_autofree char *guid = alloy_burst_uid_new ();
  g_autoptr(AlloyLocus) locus = alloy_locus_new (suid, "127.0.0.1", "localhost", 1270);
  g_autoptr(AlloyNexusMessage) initiate = NULL;

  g_hash_table_insert (locus->partition_properties,
                       g_strdup ("alloy.samplestore.stream.skipIndex"), g_strdup ("0"));
  initiate = alloy_nexus_initiate_new_for_locus (ruid, guid, locus, "quo", MOTIF, 7);
  memset (outcome, 0, sizeof *outcome);
  outcome->blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  alloy_nexus_client_stream_async (client, initiate, on_parcel, outcome, NULL, on_streamed,
                                   outcome);
  ALLOY_TEST_WAIT_UNTIL (outcome->done, WAIT_MS);
}

static void
assert_good_stream (Fixture *fixture, Outcome *outcome, const char *suid, gint32 ruid)
{
  static const char *const expected[] = { "alpha", "beta", "gamma" };
  AlloyNexusMessage *initiate = fixture->nexus.initiate;

  g_assert_no_error (outcome->error);
  g_assert_true (outcome->ok);
  g_assert_cmpuint (outcome->blobs->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (g_ptr_array_index (outcome->blobs, i), &size);

      g_assert_cmpmem (data, size, expected[i], strlen (expected[i]));
    }
  g_assert_true (outcome->result.completed);
  g_assert_cmpint (outcome->result.status, ==, ALLOY_NEXUS_STATUS_END);
  g_assert_cmpint (outcome->result.item_count, ==, 3);
  g_assert_cmpint (outcome->result.expected_count, ==, 3);
  g_assert_cmpint (outcome->result.potential_count, ==, 4);
  g_assert_cmpint (outcome->result.rejected_count, ==, 1);
  g_assert_cmpuint (outcome->result.parcels, ==, 2);
  g_assert_cmpuint (outcome->result.blobs, ==, 3);
  g_assert_cmpuint (outcome->result.blob_bytes, ==, 14);
  g_assert_cmpuint (outcome->result.inflated_bytes, ==, 14 + 3 * 4);
  g_assert_cmpuint (outcome->result.heartbeats, ==, 1);
  /* What the server was sent. */
  g_assert_cmpstr (initiate->suid, ==, suid);
  g_assert_cmpint (initiate->ruid, ==, ruid);
  g_assert_cmpstr (initiate->schema, ==, "quo");
  g_assert_cmpstr (initiate->filter, ==, MOTIF);
  g_assert_cmpint (initiate->slice_key, ==, 7);
  g_assert_cmpstr (g_hash_table_lookup (initiate->properties,
                                        "alloy.samplestore.stream.skipIndex"), ==, "0");
}

/* A good stream, then a second one on the same connection. */
static void
test_nexus_good (Fixture *fixture, gconstpointer data)
{
  AlloyNexusVariant variant = GPOINTER_TO_INT (data);
  g_autoptr(GIOStream) conn = connect_loopback (fixture->nexus.port);
  g_autoptr(AlloyNexusClient) client = alloy_nexus_client_new (conn, variant);
  g_autofree char *long_suid = NULL;
  Outcome outcome;

  alloy_nexus_client_set_timeouts (client, LONG_MS, LONG_MS);
  run_stream (client, "good.1", 41, &outcome);
  assert_good_stream (fixture, &outcome, "good.1", 41);
  g_assert_cmpint (fixture->nexus.peers->len, ==, 1);
  g_assert_cmpint (((Peer *) g_ptr_array_index (fixture->nexus.peers, 0))->variant, ==, variant);
  outcome_clear (&outcome);

  run_stream (client, "good.2", 42, &outcome);
  assert_good_stream (fixture, &outcome, "good.2", 42);
  outcome_clear (&outcome);
  g_assert_cmpuint (fixture->nexus.peers->len, ==, 1);
  g_assert_cmpuint (fixture->nexus.initiates, ==, 2);
  g_assert_null (alloy_nexus_client_get_error (client));

  /* A suid that no Nexus header can carry: refused before it is sent. */
  long_suid = g_strnfill (128, 'S');
  run_stream (client, long_suid, 43, &outcome);
  g_assert_error (outcome.error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL);
  g_assert_true (g_str_has_prefix (outcome.error->message, "UID_LENGTH"));
  g_assert_null (alloy_nexus_client_get_error (client));
  outcome_clear (&outcome);
}

/* Each case: the named rule, with the right code. Odd cases use the old
 * framing. */
static void
test_nexus_rule (Fixture *fixture, gconstpointer data)
{
  const Script *script = data;
  AlloyNexusVariant variant = (script - scripts) % 2 ? ALLOY_NEXUS_VARIANT_OLD :
                              ALLOY_NEXUS_VARIANT_TRACE;
  g_autoptr(GIOStream) conn = connect_loopback (fixture->nexus.port);
  g_autoptr(AlloyNexusClient) client = alloy_nexus_client_new (conn, variant);
  g_autofree char *suid = g_strconcat (script->name, ".1", NULL);
  Outcome outcome;

  /* Short only where that timeout is the point, so a slow run stays right. */
  alloy_nexus_client_set_timeouts (client,
                                   strcmp (script->name, "no-initiated") ? LONG_MS : SHORT_MS,
                                   strcmp (script->name, "silent") ? LONG_MS : SHORT_MS);
  run_stream (client, suid, 5, &outcome);
  if (strcmp (script->name, "after-complete") == 0)
    {
      /* The stream is fine; the parcel after it is caught on the connection. */
      g_assert_no_error (outcome.error);
      ALLOY_TEST_WAIT_UNTIL (alloy_nexus_client_get_error (client) != NULL, WAIT_MS);
      g_assert_error (alloy_nexus_client_get_error (client), ALLOY_NEXUS_ERROR, script->code);
      g_assert_nonnull (strstr (alloy_nexus_client_get_error (client)->message, script->rule));
      outcome_clear (&outcome);
      run_stream (client, "good.2", 6, &outcome);
    }
  g_test_message ("%s: %s", script->name, outcome.error ? outcome.error->message : "(none)");
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, ALLOY_NEXUS_ERROR, script->code);
  g_assert_nonnull (strstr (outcome.error->message, script->rule));
  if (script->status != NONE && strcmp (script->name, "after-complete") != 0)
    {
      /* Ended by a Complete: the counts are there, the connection goes on. */
      g_assert_true (outcome.result.completed);
      g_assert_cmpint (outcome.result.status, ==, script->status);
      g_assert_cmpint (outcome.result.item_count, ==, script->items);
      g_assert_null (alloy_nexus_client_get_error (client));
    }
  else
    g_assert_nonnull (alloy_nexus_client_get_error (client));
  outcome_clear (&outcome);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  for (gsize i = 0; i < G_N_ELEMENTS (thrift_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/fetch-client/view/", thrift_cases[i].name, NULL);

      ADD (path, &thrift_cases[i], test_view_call);
    }
  ADD ("/fetch-client/nexus/good/trace", GINT_TO_POINTER (ALLOY_NEXUS_VARIANT_TRACE),
       test_nexus_good);
  ADD ("/fetch-client/nexus/good/old", GINT_TO_POINTER (ALLOY_NEXUS_VARIANT_OLD),
       test_nexus_good);
  for (gsize i = 1; i < G_N_ELEMENTS (scripts); i++)
    {
      g_autofree char *path = g_strconcat ("/fetch-client/nexus/rule/", scripts[i].name, NULL);

      ADD (path, &scripts[i], test_nexus_rule);
    }
#undef ADD
  return g_test_run ();
}
