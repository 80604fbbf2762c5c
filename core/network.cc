#include "core/network.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/initializer.h"
#include "core/plasticity.h"
#include "core/status_macros.h"

namespace sorn {
namespace {

// Validates `state` as the `rows` x `cols` matrix `name` and imports it.
absl::Status ImportMatrix(const char* name, const SynapseMatrixState& state,
                          int rows, int cols, bool forbid_diagonal,
                          SynapseMatrix* out) {
  absl::StatusOr<SynapseMatrix> m =
      SynapseMatrix::FromState(state, forbid_diagonal);
  if (!m.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": ", m.status().message()));
  }
  if (m->rows() != rows || m->cols() != cols) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is ", m->rows(), " x ", m->cols(), "; expected ",
                     rows, " x ", cols));
  }
  *out = *std::move(m);
  return absl::OkStatus();
}

absl::Status CheckThresholds(const char* name, const std::vector<double>& t,
                             int n) {
  if (int(t.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " has ", t.size(), " values; expected ", n));
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, "[", i, "] is not finite"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckActivity(const char* name, const std::vector<uint8_t>& a,
                           int n) {
  if (int(a.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " has ", a.size(), " values; expected ", n));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, "[", i, "] must be 0 or 1"));
    }
  }
  return absl::OkStatus();
}

void ActiveIndices(const std::vector<uint8_t>& activity,
                   std::vector<int32_t>* active) {
  active->clear();
  for (size_t i = 0; i < activity.size(); ++i) {
    if (activity[i]) active->push_back(static_cast<int32_t>(i));
  }
}

}  // namespace

absl::StatusOr<Network> Network::Create(const Params& params, uint64_t seed) {
  absl::StatusOr<NetworkState> state = InitialState(params, seed);
  if (!state.ok()) return state.status();
  return FromState(*state);
}

absl::StatusOr<Network> Network::FromState(const NetworkState& state) {
  RETURN_IF_ERROR(state.params.Validate());
  if (state.params.input_pools.empty() && state.params.input_pool_size > 0 &&
      state.params.nu > 0) {
    // A state carries the pools it was drawn with (InitialState and reference
    // imports draw them): without them unit k would silently drive neuron k.
    return absl::InvalidArgumentError(
        "the state's params ask for random input pools (input_pool_size > 0) "
        "but carry none (input_pools)");
  }
  Network net;
  net.params_ = state.params;
  net.ni_ = state.params.ni();
  net.h_ip_ = state.params.EffectiveHip();
  net.frozen_ = state.frozen;
  const int ne = state.params.ne;
  const int ni = net.ni_;

  RETURN_IF_ERROR(ImportMatrix("Wee", state.wee, ne, ne,
                               /*forbid_diagonal=*/true, &net.wee_));
  RETURN_IF_ERROR(ImportMatrix("Wei", state.wei, ni, ne,
                               /*forbid_diagonal=*/false, &net.wei_));
  RETURN_IF_ERROR(ImportMatrix("Wie", state.wie, ne, ni,
                               /*forbid_diagonal=*/false, &net.wie_));
  if (state.params.arithmetic == Arithmetic::kExact) {
    net.wee_.UseExactArithmetic();
    net.wei_.UseExactArithmetic();
  }
  net.wee_.SetPruneBelow(state.params.wee_prune_below);
  net.wei_.SetFloorAtZero(state.params.wei_floor);
  net.sp_probability_ = state.params.EffectiveSpProbability();
  net.BuildInputPools();
  RETURN_IF_ERROR(CheckThresholds("Te", state.te, ne));
  RETURN_IF_ERROR(CheckThresholds("Ti", state.ti, ni));
  RETURN_IF_ERROR(CheckActivity("x_prev", state.x_prev, ne));
  RETURN_IF_ERROR(CheckActivity("x", state.x, ne));
  RETURN_IF_ERROR(CheckActivity("y_prev", state.y_prev, ni));
  RETURN_IF_ERROR(CheckActivity("y", state.y, ni));
  if (state.random == RandomState{}) {
    return absl::InvalidArgumentError("random generator state is all zero");
  }
  if (state.step < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step must be >= 0, got ", state.step));
  }
  net.te_ = state.te;
  net.ti_ = state.ti;
  net.x_prev_ = state.x_prev;
  net.x_ = state.x;
  net.y_prev_ = state.y_prev;
  net.y_ = state.y;
  net.random_ = Random::FromState(state.random);
  net.step_ = state.step;

  if (net.wie_.nnz() == int64_t(ne) * ni) {
    // Wie never changes, so a dense copy of a full one stays valid.
    net.wie_dense_.resize(size_t(ne) * ni);
    for (int j = 0; j < ne; ++j) {
      for (const SynapseMatrix::Synapse& s : net.wie_.row(j)) {
        net.wie_dense_[size_t(j) * ni + s.post] = net.wie_.weight(s);
      }
    }
  }
  ActiveIndices(net.x_, &net.active_x_);
  ActiveIndices(net.y_, &net.active_y_);
  net.drive_ee_.assign(ne, 0.0);
  net.drive_ei_.assign(ne, 0.0);
  net.drive_ie_.assign(ni, 0.0);
  net.noise_e_.assign(ne, 0.0);
  net.noise_i_.assign(ni, 0.0);
  net.x_next_.assign(ne, 0);
  net.stdp_code_.assign(ne, 0);
  net.y_next_.assign(ni, 0);
  net.active_x_.reserve(ne);
  net.active_y_.reserve(ni);
  net.active_x_next_.reserve(ne);
  net.active_y_next_.reserve(ni);
  return net;
}

void Network::BuildInputPools() {
  pool_start_.clear();
  pool_neuron_.clear();
  if (params_.input_pools.empty()) return;
  pool_start_.push_back(0);
  for (const std::vector<int32_t>& pool : params_.input_pools) {
    pool_neuron_.insert(pool_neuron_.end(), pool.begin(), pool.end());
    pool_start_.push_back(int32_t(pool_neuron_.size()));
  }
  input_drive_.assign(params_.ne, 0.0);
}

const double* Network::InputDrive(std::span<const double> input) {
  if (pool_start_.empty()) return nullptr;
  // As the lab computes it: gain * (W_eu u), the sum over a neuron's pools
  // in ascending unit order.
  std::fill(input_drive_.begin(), input_drive_.end(), 0.0);
  for (size_t k = 0; k < input.size(); ++k) {
    if (input[k] == 0.0) continue;
    for (int32_t p = pool_start_[k]; p < pool_start_[k + 1]; ++p) {
      input_drive_[pool_neuron_[p]] += input[k];
    }
  }
  if (params_.input_gain != 1.0) {
    for (double& d : input_drive_) d *= params_.input_gain;
  }
  return input_drive_.data();
}

NetworkState Network::ExportState() const {
  NetworkState state;
  state.params = params_;
  state.frozen = frozen_;
  state.wee = wee_.ToState();
  state.wei = wei_.ToState();
  state.wie = wie_.ToState();
  state.te = te_;
  state.ti = ti_;
  state.x_prev = x_prev_;
  state.x = x_;
  state.y_prev = y_prev_;
  state.y = y_;
  state.random = random_.state();
  state.step = step_;
  return state;
}

absl::Status Network::CheckInput(std::span<const double> input) const {
  if (int(input.size()) != params_.nu) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input has ", input.size(),
        " values; this network has nu = ", params_.nu, " input units"));
  }
  for (size_t k = 0; k < input.size(); ++k) {
    if (!std::isfinite(input[k])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input[", k, "] is ", input[k], "; inputs must be finite"));
    }
  }
  return absl::OkStatus();
}

absl::Status Network::Step(std::span<const double> input,
                           const StepOptions& options, StepRecord* record) {
  RETURN_IF_ERROR(CheckInput(input));
  record->ee_conn = wee_.nnz();
  record->ei_conn = wei_.nnz();
  ComputeActivity(input, options.noise, record);
  if (options.phase == Phase::kPlasticity) ApplyPlasticity();
  Advance();
  if (options.record_thresholds) {
    record->te = te_;
    record->ti = ti_;
  } else {
    record->te.clear();
    record->ti.clear();
  }
  if (options.record_weights) {
    record->wee = wee_.Weights();
    record->wei = wei_.Weights();
  } else {
    record->wee = SparseWeights{};
    record->wei = SparseWeights{};
  }
  return absl::OkStatus();
}

void Network::ComputeActivity(std::span<const double> input, bool noise,
                              StepRecord* record) {
  const int ne = params_.ne;
  const int ni = ni_;
  if (noise && params_.noise_sd > 0.0) {
    random_.FillNormal(params_.noise_sd, noise_e_.data(), noise_e_.size());
    random_.FillNormal(params_.noise_sd, noise_i_.data(), noise_i_.size());
  } else {
    std::fill(noise_e_.begin(), noise_e_.end(), 0.0);
    std::fill(noise_i_.begin(), noise_i_.end(), 0.0);
  }
  std::fill(drive_ee_.begin(), drive_ee_.end(), 0.0);
  std::fill(drive_ei_.begin(), drive_ei_.end(), 0.0);
  wee_.AccumulateRows(active_x_, drive_ee_.data());
  wei_.AccumulateRows(active_y_, drive_ei_.data());
  // The inhibitory drive comes from x(t), or with fast_inhibit from x(t + 1)
  // once the excitatory loop below has computed it.
  if (!params_.fast_inhibit) AccumulateInhibitoryDrive(active_x_);
  const double* pooled = InputDrive(input);

  record->x.resize(ne);
  record->r.resize(ne);
  record->y.resize(ni);
  active_x_next_.resize(ne);
  active_y_next_.resize(ni);
  // Local pointers: the byte stores below could otherwise alias every member
  // vector, forcing a reload per neuron.
  const double* ee = drive_ee_.data();
  const double* ei = drive_ei_.data();
  const double* noise_e = noise_e_.data();
  const double* te = te_.data();
  const double* ee_scale = wee_.column_scales();
  const double* ei_scale = wei_.column_scales();
  const uint8_t* x_now = x_.data();
  uint8_t* code = stdp_code_.data();
  uint8_t* x_out = record->x.data();
  uint8_t* r_out = record->r.data();
  uint8_t* x_next = x_next_.data();
  int32_t* active = active_x_next_.data();
  int num_active = 0;
  const int nu = params_.nu;
  const double gain = params_.input_gain;
  // Same association as the reference: ((e - i) + noise) + input - T.
  for (int i = 0; i < ne; ++i) {
    const double recurrent =
        ee[i] * ee_scale[i] - ei[i] * ei_scale[i] + noise_e[i];
    const double with_input = pooled != nullptr ? recurrent + pooled[i]
                              : i < nu          ? recurrent + gain * input[i]
                                                : recurrent;
    const uint8_t fired = (with_input - te[i]) > 0.0;
    r_out[i] = (recurrent - te[i]) > 0.0;
    x_out[i] = fired;
    x_next[i] = fired;
    code[i] = StdpCode(x_now[i], fired);
    active[num_active] = i;
    num_active += fired;
  }
  active_x_next_.resize(num_active);
  if (params_.fast_inhibit) AccumulateInhibitoryDrive(active_x_next_);
  const double* ie = drive_ie_.data();
  const double* ie_scale = wie_.column_scales();
  const double* noise_i = noise_i_.data();
  const double* ti = ti_.data();
  uint8_t* y_out = record->y.data();
  uint8_t* y_next = y_next_.data();
  int32_t* active_y = active_y_next_.data();
  num_active = 0;
  for (int k = 0; k < ni; ++k) {
    const uint8_t fired = (ie[k] * ie_scale[k] + noise_i[k] - ti[k]) > 0.0;
    y_out[k] = fired;
    y_next[k] = fired;
    active_y[num_active] = k;
    num_active += fired;
  }
  active_y_next_.resize(num_active);
}

void Network::AccumulateInhibitoryDrive(std::span<const int32_t> active) {
  const int ni = ni_;
  std::fill(drive_ie_.begin(), drive_ie_.end(), 0.0);
  if (!wie_dense_.empty()) {
    // Fully connected Wie (the default): contiguous rows, vectorizable.
    for (int32_t j : active) {
      const double* row = &wie_dense_[size_t(j) * ni];
      for (int k = 0; k < ni; ++k) drive_ie_[k] += row[k];
    }
  } else {
    wie_.AccumulateRows(active, drive_ie_.data());
  }
}

void Network::ApplyPlasticity() {
  const bool exact = params_.arithmetic == Arithmetic::kExact;
  if (!frozen_.Contains(Mechanism::kStdp)) {
    ApplyStdp(params_.eta_stdp, stdp_code_, active_x_, active_x_next_, &wee_);
    // The lab prunes every weight below the floor after each STDP update.
    if (exact && params_.wee_prune_below > 0.0) wee_.PruneBelowFloorExact();
  }
  if (!frozen_.Contains(Mechanism::kIp)) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const bool clamp = params_.clamp_thresholds;
    ApplyIntrinsicPlasticity(params_.eta_ip, h_ip_,
                             clamp ? params_.te_min : -kInf,
                             clamp ? params_.te_max : kInf, x_next_, te_);
  }
  if (!frozen_.Contains(Mechanism::kSp)) {
    ApplyStructuralPlasticity(sp_probability_, &random_, &wee_);
  }
  const bool wei_plastic = !params_.wei_fixed;
  if (wei_plastic && !frozen_.Contains(Mechanism::kIstdp)) {
    ApplyIstdp(params_.eta_inhib, params_.mu_ip, active_y_, x_next_, &wei_);
  }
  if (exact) {
    if (!frozen_.Contains(Mechanism::kSs)) {
      wee_.NormalizeColumnsExact();
      if (wei_plastic) wei_.NormalizeColumnsExact();
    }
    return;
  }
  // Refolding is part of the arithmetic, not of the model: it keeps the lazy
  // column scales exact to rounding. It happens at fixed step counts, so a
  // restored network refolds at the same steps as its twin.
  const bool fold_due = (step_ + 1) % SynapseMatrix::kFoldInterval == 0;
  if (fold_due || wee_.sums_need_refresh()) wee_.FoldScales();
  if (wei_plastic && (fold_due || wei_.sums_need_refresh())) wei_.FoldScales();
  if (!frozen_.Contains(Mechanism::kSs)) {
    wee_.NormalizeColumns();
    if (wei_plastic) wei_.NormalizeColumns();
  }
}

void Network::Advance() {
  std::swap(x_prev_, x_);
  std::swap(x_, x_next_);
  std::swap(y_prev_, y_);
  std::swap(y_, y_next_);
  std::swap(active_x_, active_x_next_);
  std::swap(active_y_, active_y_next_);
  ++step_;
}

int64_t Network::MemoryBytes() const {
  int64_t total = wee_.MemoryBytes() + wei_.MemoryBytes() + wie_.MemoryBytes();
  for (const auto* v : {&te_, &ti_, &wie_dense_, &drive_ee_, &drive_ei_,
                        &drive_ie_, &noise_e_, &noise_i_, &input_drive_}) {
    total += int64_t(v->capacity() * sizeof(double));
  }
  for (const auto* v :
       {&x_prev_, &x_, &y_prev_, &y_, &x_next_, &y_next_, &stdp_code_}) {
    total += int64_t(v->capacity());
  }
  for (const auto* v : {&active_x_, &active_y_, &active_x_next_,
                        &active_y_next_, &pool_start_, &pool_neuron_}) {
    total += int64_t(v->capacity() * sizeof(int32_t));
  }
  return total;
}

}  // namespace sorn
