/* alloy-view.c: the sample-store API's values.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view.h"

GHashTable *
alloy_view_properties_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

AlloyViewRequest *
alloy_view_request_new (void)
{
  AlloyViewRequest *request = g_new0 (AlloyViewRequest, 1);

  request->guid = g_strdup ("");
  request->domain_properties = alloy_view_properties_new ();
  request->schema_name = g_strdup ("");
  request->view_motif = g_strdup ("");
  request->store_properties = alloy_view_properties_new ();
  request->view_properties = alloy_view_properties_new ();
  return request;
}

void
alloy_view_request_free (AlloyViewRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->guid);
  g_clear_pointer (&request->domain_properties, g_hash_table_unref);
  g_free (request->schema_name);
  g_free (request->view_motif);
  g_clear_pointer (&request->store_properties, g_hash_table_unref);
  g_clear_pointer (&request->view_properties, g_hash_table_unref);
  g_free (request);
}

AlloyLocus *
alloy_locus_new (const char *suid, const char *host_address, const char *host_name, gint32 port)
{
  AlloyLocus *locus = g_new0 (AlloyLocus, 1);

  locus->suid = g_strdup (suid);
  locus->host_address = g_strdup (host_address);
  locus->host_name = g_strdup (host_name);
  locus->port = port;
  locus->partition_properties = alloy_view_properties_new ();
  return locus;
}

void
alloy_locus_free (AlloyLocus *locus)
{
  if (locus == NULL)
    return;
  g_free (locus->suid);
  g_free (locus->host_address);
  g_free (locus->host_name);
  g_clear_pointer (&locus->partition_properties, g_hash_table_unref);
  g_free (locus);
}

AlloyViewAnswer *
alloy_view_answer_new_success (const char *guid, const char *generation_hash,
                               const char *motif_filter)
{
  AlloyViewAnswer *answer = g_new0 (AlloyViewAnswer, 1);

  answer->guid = g_strdup (guid);
  answer->state = ALLOY_VIEW_STATE_SUCCESS;
  answer->message = g_strdup ("OK");
  answer->generation_hash = g_strdup (generation_hash);
  answer->loci = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_locus_free);
  answer->motif_filter = g_strdup (motif_filter);
  return answer;
}

AlloyViewAnswer *
alloy_view_answer_new_failure (const char *guid, AlloyViewState state, const char *message)
{
  AlloyViewAnswer *answer = g_new0 (AlloyViewAnswer, 1);

  answer->guid = g_strdup (guid);
  answer->state = state;
  answer->message = g_strdup (message);
  answer->generation_hash = g_strdup (ALLOY_VIEW_NO_HASH);
  return answer;
}

void
alloy_view_answer_free (AlloyViewAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->guid);
  g_free (answer->message);
  g_free (answer->generation_hash);
  g_clear_pointer (&answer->loci, g_ptr_array_unref);
  g_free (answer->motif_filter);
  g_free (answer);
}

const char *
alloy_view_state_to_string (gint32 state)
{
  switch (state)
    {
    case ALLOY_VIEW_STATE_SUCCESS: return "Success";
    case ALLOY_VIEW_STATE_TIMEOUT: return "Timeout";
    case ALLOY_VIEW_STATE_EXCEPTION: return "Exception";
    case ALLOY_VIEW_STATE_INVALID: return "Invalid";
    case ALLOY_VIEW_STATE_NOT_READY: return "NotReady";
    default: return "unknown state";
    }
}
