/* test-view-holdings.c: checking what the peers answered about a view's
 * dataset (alloy_view_check_holdings): the answers refused, with their
 * messages, and the holders and press fields of those accepted. Planning
 * over the holdings is in test-view-holdings-plan.c. Inventories are built
 * by hand; no I/O.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-holdings-test-utils.h"

#include <string.h>

/* Refusals */

#define DIFFERS " (other contents, or other partitions): copies of a dataset must be identical"
#define PRESS "press dataset " DATASET " differently: "
#define TWELVE "m11 m10 m09 m08 m07 m06 m05 m04 m03 m02 m01 m00"

typedef struct {
  const char *name;
  Answer answers[5];
  gint code; /* ALLOY_VIEW_ERROR_* */
  const char *message;
} Refusal;

static const Refusal refusals[] = {
  { "no-member", { { 0 } }, ALLOY_VIEW_ERROR_NOT_READY,
    "no peer serves views now (this peer drains and knows no other)" },
  /* A file its only holder cannot read: the view would lack it. */
  { "refused-file",
    { { 'a', HELD, "a.ndjson", "refused=b.ndjson" }, { 'b', HELD, "a.ndjson" } },
    ALLOY_VIEW_ERROR_FAILED,
    "file b.ndjson of dataset events cannot be served by peer " PA " (Permission denied), and "
    "no live peer holds it" },
  { "all-absent",
    { { 'a', ABSENT, "no dataset events here" }, { 'b', ABSENT, "not here either" } },
    ALLOY_VIEW_ERROR_INVALID, "dataset events is on no live peer: no dataset events here" },
  /* A silent peer that held nothing: no partition is missing. */
  { "only-silent-empty", { { 'a', SILENT, "draining", "" } },
    ALLOY_VIEW_ERROR_INVALID, "dataset events is on no live peer" },
  { "peer-invalid",
    { { 'a', HELD, "a.ndjson" }, { 'b', INVALID, "dataset.conf binds schema quo2, not quo" },
      { 'c', SILENT, "draining", NULL } },
    ALLOY_VIEW_ERROR_INVALID, "peer " PB ": dataset.conf binds schema quo2, not quo" },
  { "peer-failed",
    { { 'a', HELD, "a.ndjson" }, { 'b', FAILED, "cannot list /data/events: Permission denied" } },
    ALLOY_VIEW_ERROR_FAILED, "peer " PB ": cannot list /data/events: Permission denied" },
  { "first-failing-peer",
    { { 'a', ABSENT, "no" }, { 'b', FAILED, "broken" }, { 'c', INVALID, "bad" } },
    ALLOY_VIEW_ERROR_FAILED, "peer " PB ": broken" },
  { "silent-never-known",
    { { 'a', HELD, "a.ndjson" }, { 'b', SILENT, "no reply from " PB " within 5.0 s", NULL } },
    ALLOY_VIEW_ERROR_FAILED,
    "peer " PB " is a member but gave no answer (no reply from " PB " within 5.0 s), and what it "
    "holds of dataset events was never known here: the view could be incomplete" },
  { "missing",
    { { 'a', HELD, "a.ndjson b.ndjson" },
      { 'b', SILENT, "draining", "b.ndjson d.ndjson c.ndjson" },
      { 'c', SILENT, "no reply", "a.ndjson" } },
    ALLOY_VIEW_ERROR_FAILED, "2 file(s) of dataset events have no live holder: c.ndjson, "
    "d.ndjson; last held by " PB " (draining)" },
  { "missing-two-silent",
    { { 'a', HELD, "a.ndjson" }, { 'b', SILENT, "draining", "x" },
      { 'c', SILENT, "no reply", "y a.ndjson x" } },
    ALLOY_VIEW_ERROR_FAILED, "2 file(s) of dataset events have no live holder: x, y; last "
    "held by " PB " (draining); " PC " (no reply)" },
  { "missing-ten",
    { { 'a', HELD, "m00 m01" }, { 'b', SILENT, "draining", TWELVE } },
    ALLOY_VIEW_ERROR_FAILED, "10 file(s) of dataset events have no live holder: m02, m03, "
    "m04, m05, m06, m07, m08, m09, m10, m11; last held by " PB " (draining)" },
  { "missing-twelve",
    { { 'a', HELD, "a.ndjson" }, { 'b', SILENT, "draining", TWELVE } },
    ALLOY_VIEW_ERROR_FAILED, "12 file(s) of dataset events have no live holder: m00, m01, "
    "m02, m03, m04, m05, m06, m07, m08, m09 and 2 more; last held by " PB " (draining)" },
  /* Missing partitions come before "no holder". */
  { "missing-no-holder",
    { { 'a', ABSENT, "no" }, { 'b', SILENT, "draining", "x" } },
    ALLOY_VIEW_ERROR_FAILED, "1 file(s) of dataset events have no live holder: x; last "
    "held by " PB " (draining)" },
  { "schema-name",
    { { 'a', HELD, "a.ndjson" }, { 'b', HELD, "a.ndjson", "schema=quo2" } },
    ALLOY_VIEW_ERROR_FAILED, "peers " PA " and " PB " " PRESS "schema quo and quo2" },
  { "schema-digest",
    { { 'a', HELD, "a.ndjson" }, { 'b', HELD, "b.ndjson", "schema-digest=" HEX_A } },
    ALLOY_VIEW_ERROR_FAILED,
    "peers " PA " and " PB " " PRESS "schema files (digest) " HEX_B " and " HEX_A },
  { "root-version",
    { { 'a', HELD, "a.ndjson" }, { 'b', ABSENT, "no" }, { 'c', HELD, "a.ndjson", "root=3" } },
    ALLOY_VIEW_ERROR_FAILED, "peers " PA " and " PC " " PRESS "rootVersion 1 and 3" },
  { "press-options",
    { { 'a', HELD, "a.ndjson" }, { 'b', HELD, "a.ndjson" },
      { 'c', HELD, "a.ndjson", "options=item.max=32M" } },
    ALLOY_VIEW_ERROR_FAILED, "peers " PA " and " PC " " PRESS "press options item.max=64M and "
    "item.max=32M" },
  /* Pressing differently is found before files that differ. */
  { "press-before-files",
    { { 'a', HELD, "a.ndjson" }, { 'b', HELD, "a.ndjson#c", "root=2" } },
    ALLOY_VIEW_ERROR_FAILED, "peers " PA " and " PB " " PRESS "rootVersion 1 and 2" },
  { "file-digest",
    { { 'a', HELD, "a.ndjson b.ndjson" }, { 'b', HELD, "b.ndjson#c" } },
    ALLOY_VIEW_ERROR_FAILED, "file b.ndjson differs between peers " PA " and " PB DIFFERS },
  { "file-ranges",
    { { 'a', HELD, "b.ndjson@0-100 b.ndjson@100-200" }, { 'b', HELD, "a.ndjson" },
      { 'c', HELD, "b.ndjson@0-150 b.ndjson@150-200" } },
    ALLOY_VIEW_ERROR_FAILED, "file b.ndjson differs between peers " PA " and " PC DIFFERS },
  { "file-split-and-whole",
    { { 'a', HELD, "b.ndjson" }, { 'b', HELD, "b.ndjson@0-100 b.ndjson@100-160" } },
    ALLOY_VIEW_ERROR_FAILED, "file b.ndjson differs between peers " PA " and " PB DIFFERS },
  { "file-fewer-ranges",
    { { 'a', HELD, "b.ndjson@0-100 b.ndjson@100-200" }, { 'b', HELD, "b.ndjson@0-100" } },
    ALLOY_VIEW_ERROR_FAILED, "file b.ndjson differs between peers " PA " and " PB DIFFERS },
  /* The same ids over other byte ranges: the planner would take the
   * first answer's ranges (the hash then depends on the answers' order),
   * while each peer streams its own. */
  { "file-same-ids-other-ranges",
    { { 'a', HELD, "b.ndjson@0-100 b.ndjson@100-200" },
      { 'b', HELD, "b.ndjson@0-100:0-150 b.ndjson@100-200:150-200" } },
    ALLOY_VIEW_ERROR_FAILED, "file b.ndjson differs between peers " PA " and " PB DIFFERS },
};

static void
test_refused (gconstpointer data)
{
  const Refusal *expected = data;
  g_auto(Answers) answers = { 0 };
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", DATASET, NULL);
  AlloyViewPlanInput input = input_of (selection, NULL, NULL, 1);
  g_autoptr(GError) error = NULL;
  gboolean accepted;

  answers_init (&answers);
  add_answers (&answers, expected->answers);
  accepted = check (&answers, &input, &error);
  g_assert_false (accepted);
  g_assert_error (error, ALLOY_VIEW_ERROR, expected->code);
  g_assert_cmpstr (error->message, ==, expected->message);
  g_assert_null (input.peers);
  g_assert_null (input.inventories);
}

/* Acceptance */

/* Every peer holds the same copy: all are holders, in answer order, and
 * the press fields are theirs. */
static void
test_accept_shared (void)
{
  g_auto(Answers) answers = { 0 };
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", DATASET, NULL);
  AlloyViewPlanInput input = input_of (selection, NULL, NULL, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GPtrArray) inventories = NULL;

  answers_init (&answers);
  for (guint p = 0; p < 3; p++)
    {
      g_autofree char *id = g_strdup_printf ("peer-%c", 'a' + p);

      add_answer (&answers, p, held_new (id, "a.ndjson b.ndjson@0-100 b.ndjson@100-150",
                                         "schema=Quo"));
    }
  /* What the view asked for is replaced with what the holders press. */
  input.schema_name = "view-schema";
  input.schema_digest = HEX_A;
  input.root_version = 9;
  input.press_options = "item.max=1M";
  g_assert_true (check (&answers, &input, &error));
  g_assert_no_error (error);
  peers = input.peers;
  inventories = input.inventories;
  g_assert_null (input.dataset);
  g_assert_true (input.selection == selection);
  g_assert_cmpuint (input.replication, ==, 1);
  g_assert_cmpuint (peers->len, ==, 3);
  g_assert_cmpuint (inventories->len, ==, 3);
  g_assert_true (peers != answers.peers);
  g_assert_true (inventories != answers.inventories);
  for (guint p = 0; p < 3; p++)
    {
      g_assert_true (peers->pdata[p] == answers.peers->pdata[p]);
      g_assert_true (inventories->pdata[p] == answers.inventories->pdata[p]);
    }
  g_assert_cmpstr (input.schema_name, ==, "Quo");
  g_assert_cmpstr (input.schema_digest, ==, HEX_B);
  g_assert_cmpint (input.root_version, ==, 1);
  g_assert_cmpstr (input.press_options, ==, "item.max=64M");
}

typedef struct {
  const char *name;
  Answer answers[5];
  const char *holders; /* the peers input->peers gets, in order */
} Acceptance;

static const Acceptance acceptances[] = {
  { "absent-not-holders",
    { { 'a', HELD, "a.ndjson" }, { 'b', ABSENT, "no dataset events here" },
      { 'c', HELD, "a.ndjson" } },
    "ac" },
  /* A silent peer whose partitions all have a live holder. */
  { "silent-covered",
    { { 'a', HELD, "a.ndjson b.ndjson" }, { 'b', HELD, "c.ndjson" },
      { 'c', SILENT, "no reply from " PC " within 5.0 s", "c.ndjson a.ndjson" } },
    "ab" },
  { "silent-held-nothing", { { 'a', HELD, "a.ndjson" }, { 'b', SILENT, "draining", "" } }, "a" },
  /* A file one peer cannot read is served by another that can. */
  { "refused-file-held-elsewhere",
    { { 'a', HELD, "a.ndjson", "refused=b.ndjson" }, { 'b', HELD, "a.ndjson b.ndjson" } },
    "ab" },
  /* Holding the dataset without any file is holding it. */
  { "empty-holder", { { 'a', HELD, "" }, { 'b', HELD, "a.ndjson" } }, "ab" },
  { "only-empty-holder", { { 'a', ABSENT, "no" }, { 'b', HELD, "" } }, "b" },
  /* Copies need not be whole: each file is compared where it is held. */
  { "disjoint-files",
    { { 'c', HELD, "a.ndjson" }, { 'a', HELD, "b.ndjson@0-100 b.ndjson@100-200" },
      { 'b', HELD, "a.ndjson c.ndjson" } },
    "cab" },
};

static void
test_accepted (gconstpointer data)
{
  const Acceptance *expected = data;
  g_auto(Answers) answers = { 0 };
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", DATASET, NULL);
  AlloyViewPlanInput input = input_of (selection, NULL, NULL, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GPtrArray) inventories = NULL;

  answers_init (&answers);
  add_answers (&answers, expected->answers);
  g_assert_true (check (&answers, &input, &error));
  g_assert_no_error (error);
  peers = input.peers;
  inventories = input.inventories;
  g_assert_cmpuint (peers->len, ==, strlen (expected->holders));
  g_assert_cmpuint (inventories->len, ==, peers->len);
  for (guint p = 0; p < peers->len; p++)
    {
      g_autofree char *id = g_strdup_printf ("peer-%c", expected->holders[p]);
      const AlloyInventory *inventory = inventories->pdata[p];
      gboolean found = FALSE;

      g_assert_cmpstr (((AlloyPeer *) peers->pdata[p])->id, ==, id);
      g_assert_cmpstr (inventory->peer_id, ==, id);
      g_assert_cmpint (inventory->state, ==, ALLOY_INVENTORY_HELD);
      /* Borrowed from the answers, not copied. */
      for (guint a = 0; a < answers.peers->len; a++)
        found |= answers.peers->pdata[a] == peers->pdata[p] &&
                 answers.inventories->pdata[a] == inventories->pdata[p];
      g_assert_true (found);
    }
  g_assert_cmpstr (input.schema_name, ==, "quo");
  g_assert_cmpstr (input.schema_digest, ==, HEX_B);
  g_assert_cmpint (input.root_version, ==, 1);
  g_assert_cmpstr (input.press_options, ==, "item.max=64M");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/view-holdings/refused/%s", refusals[i].name);

      g_test_add_data_func (path, &refusals[i], test_refused);
    }
  g_test_add_func ("/view-holdings/accepted/shared", test_accept_shared);
  for (gsize i = 0; i < G_N_ELEMENTS (acceptances); i++)
    {
      g_autofree char *path = g_strdup_printf ("/view-holdings/accepted/%s",
                                               acceptances[i].name);

      g_test_add_data_func (path, &acceptances[i], test_accepted);
    }
  return g_test_run ();
}
