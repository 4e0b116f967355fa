/* The Burst sample-store API as it is on the wire: getViewGenerator, its
 * argument and result structs, field ids and types. Written for Alloy from
 * the wire tables of the protocol reference (struct and field names are
 * not on the wire; only the method name, ids and types are).
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
  1: required i64 domainKey
  2: required map<string, string> domainProperties
}

struct View {
  1: required i64 viewKey
  2: required string schemaName
  3: required string viewMotif
  4: required map<string, string> storeProperties
  5: required map<string, string> viewProperties
}

struct DataSource {
  1: required Domain domain
  2: required View view
}

struct RequestContext {
  1: required string guid
  2: required RequestState state = RequestState.Success
  3: required string message = "OK"
}

struct DataLocus {
  1: required string suid
  2: required string hostAddress
  3: required string hostName
  4: required i32 port
  5: required map<string, string> partitionProperties
}

struct ViewGenerator {
  1: required RequestContext context
  2: required string generationHash
  3: optional list<DataLocus> loci
  4: optional string motifFilter
}

service SampleStoreApi {
  ViewGenerator getViewGenerator(1: string guid, 2: DataSource dataSource)
}
