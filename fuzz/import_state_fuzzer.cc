// libFuzzer target: the path of ImportState's data and of CreateSession's
// parameters, from untrusted bytes to a running network. The first byte picks
// the format (as ImportStateRequest.Header.format would); the rest is the
// serialized message. Whatever the bytes, conversion and Network::FromState
// must return an error or a network that steps, exports, and re-imports to
// the same state; a crash, sanitizer report or broken round trip is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/memory_estimate.h"
#include "core/network.h"
#include "core/reference_state.h"
#include "server/proto_convert.h"
#include "sorn/v1/sorn.pb.h"

namespace {

namespace pb = ::sorn::v1;

// The server refuses larger networks before building them (--max_ne and the
// memory estimate); the fuzzer keeps to what a small server would accept.
constexpr int64_t kMaxBytes = 64 << 20;

bool Affordable(const sorn::Params& params) {
  return params.Validate().ok() && params.ne <= 5000 &&
         sorn::EstimateNetworkBytes(params) <= kMaxBytes;
}

// A broken round trip is a finding: print it and abort, so that libFuzzer
// saves the input. Returns whether `status` is OK.
bool Check(const absl::Status& status, const char* what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "import_state_fuzzer: %s: %s\n", what,
               std::string(status.message()).c_str());
  std::abort();
}

void Exercise(sorn::NetworkState state) {
  if (!Affordable(state.params)) return;
  absl::StatusOr<sorn::Network> network = sorn::Network::FromState(state);
  if (!network.ok()) return;
  std::vector<double> input(network->nu(), 1.0);
  sorn::StepRecord record;
  for (int t = 0; t < 3; ++t) {
    if (!network->Step(input, sorn::StepOptions{}, &record).ok()) return;
  }
  // What the server exports must import again, to the same state.
  pb::NetworkState exported;
  sorn::server::NetworkStateToProto(network->ExportState(), &exported);
  absl::StatusOr<sorn::NetworkState> again =
      sorn::server::NetworkStateFromProto(exported);
  if (!Check(again.status(), "an exported state does not convert back")) {
    return;
  }
  absl::StatusOr<sorn::Network> reimported = sorn::Network::FromState(*again);
  if (!Check(reimported.status(), "an exported state does not import")) {
    return;
  }
  pb::NetworkState twice;
  sorn::server::NetworkStateToProto(reimported->ExportState(), &twice);
  if (twice.SerializeAsString() != exported.SerializeAsString()) {
    Check(absl::InternalError("the second export differs from the first"),
          "export -> import -> export changed the state");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {  // NATIVE: a NetworkState.
      pb::NetworkState proto;
      if (!proto.ParseFromString(bytes)) return 0;
      absl::StatusOr<sorn::NetworkState> state =
          sorn::server::NetworkStateFromProto(proto);
      if (state.ok()) Exercise(*state);
      break;
    }
    case 1: {  // REFERENCE: a ReferenceState with default parameters.
      pb::ReferenceState proto;
      if (!proto.ParseFromString(bytes)) return 0;
      absl::StatusOr<sorn::ReferenceState> reference =
          sorn::server::ReferenceStateFromProto(proto);
      if (!reference.ok()) return 0;
      sorn::Params params;
      params.ne = static_cast<int>(reference->te.size());
      params.nu = params.ne / 10 > 0 ? params.ne / 10 : 1;
      if (!Affordable(params)) return 0;
      absl::StatusOr<sorn::NetworkState> state =
          sorn::FromReferenceState(*reference, params, sorn::FreezeSet(), 1);
      if (state.ok()) Exercise(*state);
      break;
    }
    case 2: {  // CreateSession's parameters.
      pb::Params proto;
      if (!proto.ParseFromString(bytes)) return 0;
      absl::StatusOr<sorn::Params> params =
          sorn::server::ParamsFromProto(proto);
      if (!params.ok() || !Affordable(*params) || params->ne > 400) return 0;
      absl::StatusOr<sorn::Network> network = sorn::Network::Create(*params, 1);
      if (!Check(network.status(), "valid parameters did not make a network")) {
        return 0;
      }
      Exercise(network->ExportState());
      break;
    }
  }
  return 0;
}
