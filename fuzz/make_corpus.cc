// sorn_fuzz_corpus DIR: writes seed inputs for import_state_fuzzer: small
// networks (native states, fresh and after plasticity), reference-layout
// states and parameter sets, each prefixed by the fuzzer's format byte.
#include <cstdio>
#include <fstream>
#include <string>

#include "core/network.h"
#include "core/random.h"
#include "server/proto_convert.h"
#include "sorn/v1/sorn.pb.h"

namespace {

namespace pb = ::sorn::v1;

void Write(const std::string& dir, const std::string& name, char format,
           const google::protobuf::Message& message) {
  std::ofstream(dir + "/" + name, std::ios::binary)
      << format << message.SerializeAsString();
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
      Write(dir, "native_" + std::to_string(ne) + "_" + std::to_string(steps),
            0, state);
      written += 1;
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
