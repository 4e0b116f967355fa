/* The Burst sample-store API as it is on the wire: getViewGenerator, its
 * argument and result structs, field ids and types. Written for Alloy from
 * the wire tables of the protocol reference (struct and field names are
 * not on the wire; only the method name, ids and types are).
 *
 * Requiredness is not on the wire either. The fields the protocol requires
 * (marked "required" in the comments) are declared with the default
 * requiredness on purpose: c_glib then writes them always, as "required"
 * would, and records an __isset_ flag when it reads one, so that
 * alloy-thrift-codec.c checks presence itself and names the missing field
 * (c_glib's own check for "required" fails with a bare "missing field").
 * SPDX-License-Identifier: Apache-2.0 */

namespace c_glib AlloyThrift

enum RequestState {
  Success = 0,
  Timeout = 1,
  Exception = 2,
  Invalid = 3,
  NotReady = 4
}

struct Domain {
  1: /* required */ i64 domainKey
  2: /* required */ map<string, string> domainProperties
}

struct View {
  1: /* required */ i64 viewKey
  2: /* required */ string schemaName
  3: /* required */ string viewMotif
  4: /* required */ map<string, string> storeProperties
  5: /* required */ map<string, string> viewProperties
}

struct DataSource {
  1: /* required */ Domain domain
  2: /* required */ View view
}

struct RequestContext {
  1: /* required */ string guid
  2: /* required */ RequestState state = RequestState.Success
  3: /* required */ string message = "OK"
}

struct DataLocus {
  1: /* required */ string suid
  2: /* required */ string hostAddress
  3: /* required */ string hostName
  4: /* required */ i32 port
  5: /* required */ map<string, string> partitionProperties
}

struct ViewGenerator {
  1: /* required */ RequestContext context
  2: /* required */ string generationHash
  3: optional list<DataLocus> loci
  4: optional string motifFilter
}

/* TApplicationException, what a Thrift server answers a call it cannot
 * serve with (an EXCEPTION message). Generated rather than c_glib's
 * ThriftApplicationException, whose reader leaks the message of a
 * repeated field 1. */
struct ApplicationException {
  1: optional string message
  2: optional i32 type
}

service SampleStoreApi {
  ViewGenerator getViewGenerator(1: string guid, 2: DataSource dataSource)
}
