/* alloy-dns-srv-answer.c: reading DNS answers for discovery_dns_srv, with
 * libresolv's parser (c-ares 1.18's parsers return no TTL and no
 * additional section).
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include "alloy-dns-srv-answer.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <string.h>

void
alloy_dns_srv_record_free (SrvRecord *record)
{
  g_free (record->target);
  g_ptr_array_unref (record->addresses);
  g_string_free (record->failure, TRUE);
  g_free (record);
}

int
alloy_dns_srv_error_code (int status)
{
  switch (status)
    {
    case ARES_ETIMEOUT:
      return ALLOY_DISCOVERY_ERROR_TIMEOUT;
    case ARES_ESERVFAIL:
      return ALLOY_DISCOVERY_ERROR_SERVFAIL;
    case ARES_EREFUSED:
    case ARES_ECONNREFUSED:
      return ALLOY_DISCOVERY_ERROR_REFUSED;
    case ARES_EBADRESP:
    case ARES_EFORMERR:
    case ARES_EBADNAME:
      return ALLOY_DISCOVERY_ERROR_MALFORMED;
    default:
      return ALLOY_DISCOVERY_ERROR_NETWORK;
    }
}

static void
record_address (guint32 *min_ttl, SrvRecord *record, const ns_rr *rr)
{
  char text[INET6_ADDRSTRLEN];
  int family = ns_rr_type (*rr) == ns_t_a ? AF_INET : AF_INET6;

  if (ns_rr_rdlen (*rr) != (family == AF_INET ? 4 : 16) ||
      inet_ntop (family, ns_rr_rdata (*rr), text, sizeof text) == NULL)
    return;
  for (guint i = 0; i < record->addresses->len; i++)
    if (g_str_equal (g_ptr_array_index (record->addresses, i), text))
      return;
  g_ptr_array_add (record->addresses, g_strdup (text));
  *min_ttl = MIN (*min_ttl, ns_rr_ttl (*rr));
}

/* The A/AAAA records of @section owned by a record's target. With @only,
 * every address record counts (the answer to that target's own query,
 * which may come through a CNAME). */
static void
take_addresses (GPtrArray *records, guint32 *min_ttl, ns_msg *msg, ns_sect section,
                SrvRecord *only)
{
  for (int i = 0; i < ns_msg_count (*msg, section); i++)
    {
      ns_rr rr;

      if (ns_parserr (msg, section, i, &rr) < 0)
        return;
      if (ns_rr_class (rr) != ns_c_in || (ns_rr_type (rr) != ns_t_a && ns_rr_type (rr) != ns_t_aaaa))
        continue;
      if (only != NULL)
        {
          record_address (min_ttl, only, &rr);
          continue;
        }
      for (guint j = 0; j < records->len; j++)
        {
          SrvRecord *record = g_ptr_array_index (records, j);

          if (g_ascii_strcasecmp (record->target, ns_rr_name (rr)) == 0)
            record_address (min_ttl, record, &rr);
        }
    }
}

gboolean
alloy_dns_srv_parse_srv (const unsigned char *abuf, int alen, GPtrArray *records,
                         guint32 *min_ttl, const char **empty)
{
  ns_msg msg;
  gboolean root = FALSE;

  if (ns_initparse (abuf, alen, &msg) < 0)
    return FALSE;
  for (int i = 0; i < ns_msg_count (msg, ns_s_an); i++)
    {
      ns_rr rr;
      char target[NS_MAXDNAME];
      SrvRecord *record;
      const unsigned char *rdata;

      if (ns_parserr (&msg, ns_s_an, i, &rr) < 0)
        return FALSE;
      if (ns_rr_type (rr) != ns_t_srv || ns_rr_class (rr) != ns_c_in)
        continue; /* a CNAME on the way */
      rdata = ns_rr_rdata (rr);
      if (ns_rr_rdlen (rr) < 7 ||
          ns_name_uncompress (ns_msg_base (msg), ns_msg_end (msg), rdata + 6, target,
                              sizeof target) < 0)
        return FALSE;
      *min_ttl = MIN (*min_ttl, ns_rr_ttl (rr));
      /* The root ("." or "", as the resolvers render it): not available. */
      if (target[0] == '\0' || g_str_equal (target, "."))
        {
          root = TRUE;
          continue;
        }
      record = g_new0 (SrvRecord, 1);
      record->target = g_strdup (target);
      record->priority = (guint16) ((rdata[0] << 8) | rdata[1]);
      record->weight = (guint16) ((rdata[2] << 8) | rdata[3]);
      record->port = (guint16) ((rdata[4] << 8) | rdata[5]);
      record->addresses = g_ptr_array_new_with_free_func (g_free);
      record->failure = g_string_new (NULL);
      g_ptr_array_add (records, record);
    }
  if (records->len == 0)
    *empty = root ? "the target \".\" (service not available)" : "no SRV record";
  take_addresses (records, min_ttl, &msg, ns_s_ar, NULL);
  return TRUE;
}

void
alloy_dns_srv_parse_addresses (const unsigned char *abuf, int alen, SrvRecord *record,
                               guint32 *min_ttl)
{
  ns_msg msg;

  if (ns_initparse (abuf, alen, &msg) == 0)
    take_addresses (NULL, min_ttl, &msg, ns_s_an, record);
}

int
alloy_dns_srv_compare_addresses (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a;
  const char *y = *(const char *const *) b;
  gboolean x6 = strchr (x, ':') != NULL;
  gboolean y6 = strchr (y, ':') != NULL;

  /* IPv4 first, then a stable order, so that a peer keeps its address. */
  return x6 != y6 ? (x6 ? 1 : -1) : strcmp (x, y);
}

