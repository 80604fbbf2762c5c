// libFuzzer target: every path from untrusted bytes to a running session —
// ImportState's data (with the readouts a state carries), CreateSession's
// parameters, and the session files --data_dir loads at start. The first
// byte picks the path; the rest is its input:
//
//   0  NATIVE: a serialized NetworkState, readouts included
//   1  REFERENCE: a serialized ReferenceState with default parameters
//   2  a serialized Params, as CreateSession takes them
//   3  a whole session file (SessionFiles::Decode: header, CRC, payload)
//   4  a session file's payload (a serialized StoredSession) under a valid
//      header, so that mutations reach the payload instead of failing the
//      CRC; the payload's first byte picks the format version (even: the
//      current one, odd: the oldest still read)
//
// Whatever the bytes, each path must return an error or a network (and
// readouts) that steps, scores every step as the readouts' own Predict
// does, exports, and imports (or is saved and loaded) back to the same
// state. A crash, sanitizer report, wrong score or broken round trip is a
// bug.
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/memory_estimate.h"
#include "core/network.h"
#include "core/reference_state.h"
#include "server/sessions/readout_set.h"
#include "server/sessions/session_name.h"
#include "server/storage/session_files.h"
#include "server/wire/proto_convert.h"
#include "server/wire/readout_convert.h"
#include "sorn/v1/sorn.pb.h"
#include "sorn/v1/storage.pb.h"

namespace {

namespace pb = ::sorn::v1;
using ReadoutProtos = google::protobuf::RepeatedPtrField<pb::ReadoutState>;

// The server refuses larger networks before building them (--max_ne and the
// memory estimate); the fuzzer keeps to what a small server would accept.
constexpr int64_t kMaxBytes = 64 << 20;

bool Affordable(const sorn::Params& params) {
  return params.Validate().ok() && params.ne <= 5000 &&
         sorn::EstimateNetworkBytes(params) <= kMaxBytes;
}

// A broken invariant is a finding: print it and abort, so that libFuzzer
// saves the input. Returns whether `status` is OK.
bool Check(const absl::Status& status, const char* what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "import_state_fuzzer: %s: %s\n", what,
               std::string(status.message()).c_str());
  std::abort();
}

// One step's scores from ReadoutSet::Score (the server's fast path, which
// sums the rows of active neurons) must be those of the readout's own
// Predict on the step's explicit feature row, up to rounding.
void CheckScores(const sorn::server::NamedReadout& named,
                 const sorn::StepRecord& record,
                 const std::vector<double>& input) {
  const sorn::server::ReadoutFeatures& f = named.features;
  const std::vector<uint8_t>& bits =
      f.population == sorn::server::Population::kInhibitory  ? record.y
      : f.population == sorn::server::Population::kRecurrent ? record.r
                                                             : record.x;
  const int n = static_cast<int>(bits.size());
  const int nu = f.include_input ? static_cast<int>(input.size()) : 0;
  Eigen::MatrixXd row(1, n + nu);
  for (int i = 0; i < n; ++i) row(0, i) = bits[i];
  for (int k = 0; k < nu; ++k) row(0, n + k) = input[k];
  const Eigen::MatrixXd expected = named.readout.Predict(row);
  const Eigen::MatrixXd& w = named.readout.weights();
  std::vector<double> scores(w.cols());
  const int32_t best =
      sorn::server::ReadoutSet::Score(named, record, input, scores.data());
  if (best < 0 || best >= w.cols()) {
    Check(absl::InternalError("class out of range"), "Score");
  }
  for (int o = 0; o < w.cols(); ++o) {
    // The rounding both sums may differ by grows with the magnitudes added.
    double magnitude = f.bias ? std::abs(w(w.rows() - 1, o)) : 0.0;
    for (int i = 0; i < n + nu; ++i) magnitude += std::abs(row(0, i) * w(i, o));
    if (!std::isfinite(magnitude)) continue;  // overflow: nothing to compare.
    if (!(std::abs(scores[o] - expected(0, o)) <= 1e-12 * magnitude + 1e-300)) {
      std::fprintf(stderr, "output %d: Score %.17g, Predict %.17g\n", o,
                   scores[o], expected(0, o));
      Check(absl::InternalError("Score differs from Predict"), "Score");
    }
  }
}

// A network and its readouts as the server exports and checkpoints them.
pb::NetworkState Export(const sorn::Network& network,
                        const sorn::server::ReadoutSet& readouts) {
  pb::NetworkState out;
  sorn::server::NetworkStateToProto(network.ExportState(), &out);
  sorn::server::ReadoutSetToProto(readouts, sorn::server::ShapeOf(network),
                                  out.mutable_readouts());
  return out;
}

// Imports what was exported, as ImportState and a session load both do.
void Reimport(const pb::NetworkState& proto, const char* what,
              pb::NetworkState* again_exported) {
  absl::StatusOr<sorn::NetworkState> again =
      sorn::server::NetworkStateFromProto(proto);
  if (!Check(again.status(), what)) return;
  absl::StatusOr<sorn::Network> network = sorn::Network::FromState(*again);
  if (!Check(network.status(), what)) return;
  absl::StatusOr<sorn::server::ReadoutSet> readouts =
      sorn::server::ReadoutSetFromProto(proto.readouts(),
                                        sorn::server::ShapeOf(*network));
  if (!Check(readouts.status(), what)) return;
  *again_exported = Export(*network, *readouts);
}

// Steps a network from `state` with the readouts `readout_protos` (those
// that do not fit the network are dropped, as a load drops them), scores
// every readout on every step, then checks that the exported state imports
// to itself. Returns the first export (for a session file's round trip), or
// nothing if the state does not make a network.
std::optional<pb::NetworkState> Exercise(sorn::NetworkState state,
                                         const ReadoutProtos& readout_protos) {
  if (!Affordable(state.params)) return std::nullopt;
  absl::StatusOr<sorn::Network> network = sorn::Network::FromState(state);
  if (!network.ok()) return std::nullopt;
  absl::StatusOr<sorn::server::ReadoutSet> readouts =
      sorn::server::ReadoutSetFromProto(readout_protos,
                                        sorn::server::ShapeOf(*network));
  if (!readouts.ok()) readouts = sorn::server::ReadoutSet();
  // Inputs in [0, 1], as generated ones are; varied so that include_input
  // features are not all equal.
  std::vector<double> input(network->nu());
  for (size_t k = 0; k < input.size(); ++k) input[k] = 1.0 / double(k + 1);
  sorn::StepRecord record;
  for (int t = 0; t < 3; ++t) {
    if (!network->Step(input, sorn::StepOptions{}, &record).ok()) {
      return std::nullopt;
    }
    for (const auto& [name, named] : readouts->readouts()) {
      CheckScores(named, record, input);
    }
  }
  // What the server exports must import again, to the same state.
  const pb::NetworkState exported = Export(*network, *readouts);
  pb::NetworkState twice;
  Reimport(exported, "an exported state does not import", &twice);
  if (twice.SerializeAsString() != exported.SerializeAsString()) {
    Check(absl::InternalError("the second export differs from the first"),
          "export -> import -> export changed the state");
  }
  return exported;
}

// What SessionStore::Load does with a decoded file, then what a checkpoint
// of the loaded session writes, which must load again to the same session.
void LoadSession(const pb::StoredSession& stored) {
  if (!sorn::server::ValidateSessionName(stored.name()).ok()) return;
  absl::StatusOr<sorn::NetworkState> state =
      sorn::server::NetworkStateFromProto(stored.state());
  if (!state.ok()) return;
  // A load keeps each readout that is valid alone, then needs the kept ones
  // to be valid together.
  const sorn::server::ReadoutShape shape = {
      state->params.ne, state->params.ni(), state->params.nu};
  ReadoutProtos valid;
  for (const pb::ReadoutState& readout : stored.state().readouts()) {
    ReadoutProtos one;
    *one.Add() = readout;
    if (sorn::server::ReadoutSetFromProto(one, shape).ok()) {
      *valid.Add() = readout;
    }
  }
  if (!sorn::server::ReadoutSetFromProto(valid, shape).ok()) return;
  std::optional<pb::NetworkState> exported = Exercise(*state, valid);
  if (!exported.has_value()) return;
  pb::StoredSession saved;
  saved.set_tenant(stored.tenant());
  saved.set_name(stored.name());
  saved.set_seed(stored.seed());
  saved.set_record_buffer_steps(stored.record_buffer_steps());
  *saved.mutable_state() = *exported;
  const std::string file = sorn::server::SessionFiles::Encode(saved);
  absl::StatusOr<pb::StoredSession> loaded =
      sorn::server::SessionFiles::Decode(file);
  if (!Check(loaded.status(), "a saved session does not decode")) return;
  if (loaded->SerializeAsString() != saved.SerializeAsString()) {
    Check(absl::InternalError("the decoded session differs"),
          "Encode -> Decode changed the session");
  }
  pb::NetworkState again;
  Reimport(loaded->state(), "a saved session does not load", &again);
  if (again.SerializeAsString() != exported->SerializeAsString()) {
    Check(absl::InternalError("the loaded session differs from the saved one"),
          "save -> load changed the session");
  }
}

// A session file around `payload` with a correct header.
std::string SessionFile(const std::string& payload, uint32_t version) {
  std::string file = "SORNSESS";
  auto put = [&file](uint64_t v, int bytes) {
    for (int b = 0; b < bytes; ++b)
      file += static_cast<char>((v >> 8 * b) & 255);
  };
  put(version, 4);
  put(crc32(0, reinterpret_cast<const Bytef*>(payload.data()), payload.size()),
      4);
  put(payload.size(), 8);
  return file + payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {  // NATIVE: a NetworkState and its readouts.
      pb::NetworkState proto;
      if (!proto.ParseFromString(bytes)) return 0;
      absl::StatusOr<sorn::NetworkState> state =
          sorn::server::NetworkStateFromProto(proto);
      if (state.ok()) Exercise(*state, proto.readouts());
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
      if (state.ok()) Exercise(*state, ReadoutProtos());
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
      Exercise(network->ExportState(), ReadoutProtos());
      break;
    }
    case 3: {  // A session file as it is on disk.
      absl::StatusOr<pb::StoredSession> stored =
          sorn::server::SessionFiles::Decode(bytes);
      if (stored.ok()) LoadSession(*stored);
      break;
    }
    case 4: {  // A session file's payload, under a valid header.
      if (bytes.empty()) return 0;
      const uint32_t version = bytes[0] % 2 == 0
                                   ? sorn::server::kSessionFileVersion
                                   : sorn::server::kOldestSessionFileVersion;
      absl::StatusOr<pb::StoredSession> stored =
          sorn::server::SessionFiles::Decode(
              SessionFile(bytes.substr(1), version));
      if (stored.ok()) LoadSession(*stored);
      break;
    }
  }
  return 0;
}
