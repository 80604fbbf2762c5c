// sorn_fuzz_corpus DIR: writes seed inputs for import_state_fuzzer: small
// networks (native states, fresh and after plasticity, with and without
// readouts of every kind of features), reference-layout states, parameter
// sets, and session files (whole, and as payloads for the fuzzer's
// valid-header path), each prefixed by the fuzzer's path byte.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/network.h"
#include "core/random.h"
#include "core/readout.h"
#include "server/sessions/readout_set.h"
#include "server/storage/session_files.h"
#include "server/wire/proto_convert.h"
#include "server/wire/readout_convert.h"
#include "sorn/v1/sorn.pb.h"
#include "sorn/v1/storage.pb.h"

namespace {

namespace pb = ::sorn::v1;

void WriteBytes(const std::string& dir, const std::string& name, char format,
                const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << format << bytes;
}

void Write(const std::string& dir, const std::string& name, char format,
           const google::protobuf::Message& message) {
  WriteBytes(dir, name, format, message.SerializeAsString());
}

// Readouts of every kind of features (each population, with and without the
// input and the bias; classifiers and real-valued), with weights drawn from
// `random`, as a session that fitted them would hold.
sorn::server::ReadoutSet SomeReadouts(const sorn::server::ReadoutShape& shape,
                                      sorn::Random& random) {
  using sorn::server::Population;
  sorn::server::ReadoutSet set;
  int index = 0;
  for (Population population :
       {Population::kExcitatory, Population::kInhibitory,
        Population::kRecurrent}) {
    for (bool include_input : {false, true}) {
      const bool bias = index % 3 != 2;
      const bool classifier = index % 2 == 0;
      const sorn::server::ReadoutFeatures features = {population, include_input,
                                                      bias};
      const int outputs = classifier ? 2 + index % 3 : 1 + index % 2;
      Eigen::MatrixXd weights(
          sorn::server::ReadoutSet::FeatureCount(features, shape), outputs);
      for (Eigen::Index i = 0; i < weights.size(); ++i) {
        weights.data()[i] = random.Uniform() - 0.5;
      }
      absl::StatusOr<sorn::Readout> readout =
          sorn::Readout::FromWeights(std::move(weights), bias, classifier);
      if (!readout.ok()) std::abort();
      sorn::server::NamedReadout named{
          *std::move(readout),    features, 1e-6, 100, 200, 0.25,
          classifier ? 0.75 : 0.0};
      if (!set.Restore("readout-" + std::to_string(index), std::move(named),
                       shape)
               .ok()) {
        std::abort();
      }
      ++index;
    }
  }
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sorn_fuzz_corpus DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  int written = 0;
  for (int ne : {20, 40, 60}) {
    sorn::Params params;
    params.ne = ne;
    params.nu = 4;
    params.lambda_ee = 5;
    params.lambda_ei = 5;
    params.lambda_ie = 5;
    if (ne == 40) params.network_type_ie = sorn::NetworkType::kSparse;
    absl::StatusOr<sorn::Network> net = sorn::Network::Create(params, ne);
    if (!net.ok()) return 1;
    pb::Params p;
    sorn::server::ParamsToProto(params, &p);
    Write(dir, "params_" + std::to_string(ne), 2, p);
    sorn::Random inputs(ne);
    std::vector<double> u(net->nu());
    sorn::StepRecord record;
    for (int steps : {0, 200}) {
      for (int t = 0; t < steps; ++t) {
        for (double& v : u) v = inputs.Uniform();
        if (!net->Step(u, sorn::StepOptions{}, &record).ok()) return 1;
      }
      pb::NetworkState state;
      sorn::server::NetworkStateToProto(net->ExportState(), &state);
      const std::string tag = std::to_string(ne) + "_" + std::to_string(steps);
      Write(dir, "native_" + tag, 0, state);
      // The same with readouts, as an export of a session that has some.
      pb::NetworkState with_readouts = state;
      sorn::server::ReadoutSetToProto(
          SomeReadouts(sorn::server::ShapeOf(*net), inputs),
          sorn::server::ShapeOf(*net), with_readouts.mutable_readouts());
      Write(dir, "native_readouts_" + tag, 0, with_readouts);
      // Session files as a checkpoint writes them: the current version with
      // readouts, and the oldest version still read, which had none.
      pb::StoredSession stored;
      stored.set_tenant(ne == 20 ? "" : "alice");  // "": a file before tenants.
      stored.set_name("session-" + tag);
      stored.set_seed(uint64_t(ne));
      stored.set_record_buffer_steps(1000);
      *stored.mutable_state() = with_readouts;
      WriteBytes(dir, "file_" + tag, 3,
                 sorn::server::SessionFiles::Encode(stored));
      WriteBytes(dir, "payload_" + tag, 4, '\0' + stored.SerializeAsString());
      stored.mutable_state()->clear_readouts();
      std::string old_file = sorn::server::SessionFiles::Encode(stored);
      old_file[8] = char(sorn::server::kOldestSessionFileVersion);  // LE low.
      WriteBytes(dir, "file_v1_" + tag, 3, old_file);
      WriteBytes(dir, "payload_v1_" + tag, 4,
                 '\1' + stored.SerializeAsString());
      written += 6;
    }
    // The reference layout: dense matrices and vectors of the same network.
    pb::ReferenceState reference;
    const sorn::NetworkState s = net->ExportState();
    auto dense = [](const sorn::SynapseMatrixState& m, pb::DenseMatrix* out) {
      const sorn::SparseWeights w = m.Weights();
      out->set_rows(w.rows);
      out->set_cols(w.cols);
      out->mutable_data()->Resize(w.rows * w.cols, 0.0);
      for (int j = 0; j < w.rows; ++j) {
        for (int k = w.row_start[j]; k < w.row_start[j + 1]; ++k) {
          out->set_data(j * w.cols + w.post[k], w.value[k]);
        }
      }
    };
    // A column vector (the reference keeps te, ti, x, y as n x 1).
    auto column = [](const auto& v, pb::DenseMatrix* out) {
      out->set_rows(static_cast<int>(v.size()));
      out->set_cols(1);
      for (auto value : v) out->add_data(static_cast<double>(value));
    };
    dense(s.wee, reference.mutable_wee());
    dense(s.wei, reference.mutable_wei());
    dense(s.wie, reference.mutable_wie());
    column(s.te, reference.mutable_te());
    column(s.ti, reference.mutable_ti());
    column(s.x, reference.mutable_x());
    column(s.y, reference.mutable_y());
    Write(dir, "reference_" + std::to_string(ne), 1, reference);
    written += 2;
  }
  std::printf("sorn_fuzz_corpus: %d seeds in %s\n", written, dir.c_str());
  return 0;
}
