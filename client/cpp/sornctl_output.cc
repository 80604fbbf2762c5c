// sornctl's output: the text of session info, session lists and statistics,
// and the conversion of an exported NetworkState into .npz entries.
#include "client/cpp/sornctl_output.h"

#include <cstdint>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "core/npy_file.h"

namespace sorn::ctl {
namespace {

namespace pb = ::sorn::v1;

// The stored (sparse) matrix as a dense rows x cols .npy, column scales
// applied.
std::string DenseNpy(const pb::SynapseMatrixState& m) {
  sorn::NpyArray a;
  a.shape = {m.stored().rows(), m.stored().cols()};
  a.data.assign(size_t(a.shape[0]) * a.shape[1], 0.0);
  for (int j = 0; j < m.stored().rows(); ++j) {
    for (int64_t k = m.stored().row_start(j); k < m.stored().row_start(j + 1);
         ++k) {
      const int i = m.stored().post(k);
      a.data[size_t(j) * a.shape[1] + i] =
          m.stored().value(k) * m.column_scale(i);
    }
  }
  return sorn::SerializeNpy(a);
}

// The values as an n x 1 .npy.
template <typename Values>
std::string ColumnNpy(const Values& values) {
  sorn::NpyArray a;
  a.shape = {int64_t(values.size()), 1};
  a.data.assign(values.begin(), values.end());
  return sorn::SerializeNpy(a);
}

// The activity at t-1 and t (a byte per neuron) as an n x 2 .npy.
std::string ActivityNpy(const std::string& prev, const std::string& now) {
  sorn::NpyArray a;
  a.shape = {int64_t(now.size()), 2};
  for (size_t i = 0; i < now.size(); ++i) {
    a.data.push_back(uint8_t(prev[i]));
    a.data.push_back(uint8_t(now[i]));
  }
  return sorn::SerializeNpy(a);
}

// "name: value" if the statistic is set.
void PrintOptional(const char* name, bool has, double v) {
  if (has) std::printf("%s: %.6g\n", name, v);
}

}  // namespace

void PrintInfo(const pb::SessionInfo& i) {
  std::string frozen;
  for (const std::string& f : i.frozen())
    absl::StrAppend(&frozen, frozen.empty() ? "" : ",", f);
  std::printf(
      "name: %s\nne: %d\nni: %d\nnu: %d\nseed: %llu\nstep: %lld\nfrozen: %s\n"
      "ee_connections: %lld\nei_connections: %lld\nie_connections: %lld\n"
      "recorded_steps: %lld\nrate_x: %.6f\nrate_y: %.6f\narithmetic: %s\n",
      i.name().c_str(), i.ne(), i.ni(), i.nu(), (unsigned long long)i.seed(),
      (long long)i.step(), frozen.c_str(), (long long)i.ee_connections(),
      (long long)i.ei_connections(), (long long)i.ie_connections(),
      (long long)i.recorded_steps(), i.rate_x(), i.rate_y(),
      pb::Arithmetic_Name(i.params().arithmetic()).c_str());
}

absl::Status Print(absl::StatusOr<pb::SessionInfo> info) {
  if (!info.ok()) return info.status();
  PrintInfo(*info);
  return absl::OkStatus();
}

void PrintListLine(const pb::SessionInfo& i) {
  std::printf("%s\tstep %lld\tne %d\tee %lld\trate_x %.4f\n", i.name().c_str(),
              (long long)i.step(), i.ne(), (long long)i.ee_connections(),
              i.rate_x());
}

void PrintStatistics(const pb::Statistics& st) {
  std::printf("steps: %lld\nneurons: %d\n", (long long)st.steps(),
              st.neurons());
  PrintOptional("firing_rate_neuron_mean", st.has_firing_rate_neuron_mean(),
                st.firing_rate_neuron_mean());
  PrintOptional("scale_dependent_smoothness",
                st.has_scale_dependent_smoothness(),
                st.scale_dependent_smoothness());
  PrintOptional("scale_independent_smoothness",
                st.has_scale_independent_smoothness(),
                st.scale_independent_smoothness());
  PrintOptional("autocorrelation", st.has_autocorrelation(),
                st.autocorrelation());
  PrintOptional("mean_correlation", st.has_mean_correlation(),
                st.mean_correlation());
  PrintOptional("fano_factor", st.has_fano_factor(), st.fano_factor());
  PrintOptional("spike_source_entropy", st.has_spike_source_entropy(),
                st.spike_source_entropy());
  for (const auto& [name, why] : st.undefined())
    std::printf("%s: undefined (%s)\n", name.c_str(), why.c_str());
}

client::NpzEntries StateNpz(const pb::NetworkState& state,
                            const std::string& serialized) {
  client::NpzEntries npz;
  npz["Wee"] = DenseNpy(state.wee());
  npz["Wei"] = DenseNpy(state.wei());
  npz["Wie"] = DenseNpy(state.wie());
  npz["Te"] = ColumnNpy(state.te());
  npz["Ti"] = ColumnNpy(state.ti());
  npz["X"] = ActivityNpy(state.x_prev(), state.x());
  npz["Y"] = ActivityNpy(state.y_prev(), state.y());
  // The exact state, generator included, for a bit-identical import.
  npz["sorn_state"] = sorn::SerializeNpyBytes(serialized);
  return npz;
}

}  // namespace sorn::ctl
