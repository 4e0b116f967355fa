/* alloy-dns-srv-answer.h: reading DNS answers for discovery_dns_srv.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

typedef struct {
  char *target; /* without the trailing dot; "" for the root */
  guint16 port;
  guint16 priority;
  guint16 weight;
  GPtrArray *addresses; /* IP literals */
  int failed_status; /* the last failed address query, or ARES_SUCCESS */
  GString *failure;
} SrvRecord;

void alloy_dns_srv_record_free (SrvRecord *record);
/* An ALLOY_DISCOVERY_ERROR code for a c-ares status. */
int alloy_dns_srv_error_code (int status);
/* Appends the SRV records of an answer to @records (SrvRecord), with the
 * addresses of its additional section; lowers @min_ttl (seconds) to the
 * records' TTLs. Without records, @empty says why. FALSE: malformed. */
gboolean alloy_dns_srv_parse_srv (const unsigned char *abuf, int alen, GPtrArray *records,
                                  guint32 *min_ttl, const char **empty);
/* Adds the A/AAAA records of the answer to @record's own query. */
void alloy_dns_srv_parse_addresses (const unsigned char *abuf, int alen, SrvRecord *record,
                                    guint32 *min_ttl);
/* IPv4 first, then a stable order: for g_ptr_array_sort of strings. */
int alloy_dns_srv_compare_addresses (gconstpointer a, gconstpointer b);
