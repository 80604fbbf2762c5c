#include "server/wire/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

absl::StatusOr<NetworkType> TypeFromProto(pb::NetworkType type,
                                          NetworkType fallback) {
  switch (type) {
    case pb::NETWORK_TYPE_UNSPECIFIED:
      return fallback;
    case pb::SPARSE:
      return NetworkType::kSparse;
    case pb::DENSE:
      return NetworkType::kDense;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown network type ", int(type)));
  }
}

absl::StatusOr<Arithmetic> ArithmeticFromProto(pb::Arithmetic arithmetic) {
  switch (arithmetic) {
    case pb::ARITHMETIC_UNSPECIFIED:
    case pb::FAST:
      return Arithmetic::kFast;
    case pb::EXACT:
      return Arithmetic::kExact;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown arithmetic ", static_cast<int>(arithmetic)));
  }
}

pb::NetworkType TypeToProto(NetworkType type) {
  return type == NetworkType::kDense ? pb::DENSE : pb::SPARSE;
}

absl::StatusOr<SparseWeights> SparseFromProto(const char* name,
                                              const pb::SparseMatrix& proto) {
  SparseWeights w;
  w.rows = proto.rows();
  w.cols = proto.cols();
  w.row_start.assign(proto.row_start().begin(), proto.row_start().end());
  w.post.assign(proto.post().begin(), proto.post().end());
  w.value.assign(proto.value().begin(), proto.value().end());
  if (w.rows < 0 || w.cols < 0 || w.row_start.size() != size_t(w.rows) + 1 ||
      w.post.size() != w.value.size() || w.row_start.front() != 0 ||
      w.row_start.back() != w.nnz()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": row_start, post and value do not describe a ",
                     w.rows, " x ", w.cols, " matrix"));
  }
  for (int j = 0; j < w.rows; ++j) {
    if (w.row_start[j] > w.row_start[j + 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": row_start must not decrease"));
    }
  }
  return w;
}

absl::StatusOr<SynapseMatrixState> MatrixFromProto(
    const char* name, const pb::SynapseMatrixState& proto) {
  SynapseMatrixState m;
  ASSIGN_OR_RETURN(SparseWeights stored, SparseFromProto(name, proto.stored()));
  m.stored = std::move(stored);
  m.column_scale.assign(proto.column_scale().begin(),
                        proto.column_scale().end());
  m.column_inverse_scale.assign(proto.column_inverse_scale().begin(),
                                proto.column_inverse_scale().end());
  m.column_sum.assign(proto.column_sum().begin(), proto.column_sum().end());
  m.column_dirty.assign(proto.column_dirty().begin(),
                        proto.column_dirty().end());
  return m;
}

void MatrixToProto(const SynapseMatrixState& m, pb::SynapseMatrixState* proto) {
  SparseToProto(m.stored, proto->mutable_stored());
  proto->mutable_column_scale()->Assign(m.column_scale.begin(),
                                        m.column_scale.end());
  proto->mutable_column_inverse_scale()->Assign(m.column_inverse_scale.begin(),
                                                m.column_inverse_scale.end());
  proto->mutable_column_sum()->Assign(m.column_sum.begin(), m.column_sum.end());
  proto->set_column_dirty(
      std::string(m.column_dirty.begin(), m.column_dirty.end()));
}

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

absl::StatusOr<DenseMatrix> DenseFromProto(const char* name,
                                           const pb::DenseMatrix& proto) {
  if (proto.rows() < 0 || proto.cols() < 0 ||
      int64_t(proto.data_size()) != int64_t(proto.rows()) * proto.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " has ", proto.data_size(), " values; a ", proto.rows(), " x ",
        proto.cols(), " matrix needs ", int64_t(proto.rows()) * proto.cols()));
  }
  DenseMatrix m;
  m.rows = proto.rows();
  m.cols = proto.cols();
  m.data.assign(proto.data().begin(), proto.data().end());
  return m;
}

// The lab's variants (Params fields 22-31); pools are range-checked by
// Params::Validate.
void VariantsFromProto(const pb::Params& p, Params* params) {
  if (p.has_input_pool_size()) params->input_pool_size = p.input_pool_size();
  if (p.has_input_pools_disjoint()) {
    params->input_pools_disjoint = p.input_pools_disjoint();
  }
  if (p.input_pools_size() > 0) {
    params->input_pools.clear();
    for (const pb::InputPool& pool : p.input_pools()) {
      params->input_pools.emplace_back(pool.neurons().begin(),
                                       pool.neurons().end());
    }
  }
  if (p.has_input_gain()) params->input_gain = p.input_gain();
  if (p.has_clamp_thresholds()) {
    params->clamp_thresholds = p.clamp_thresholds();
  }
  if (p.has_wee_prune_below()) params->wee_prune_below = p.wee_prune_below();
  if (p.has_wei_floor()) params->wei_floor = p.wei_floor();
  if (p.has_fast_inhibit()) params->fast_inhibit = p.fast_inhibit();
  if (p.has_wei_fixed()) params->wei_fixed = p.wei_fixed();
  if (p.has_sp_scale_with_size()) {
    params->sp_scale_with_size = p.sp_scale_with_size();
  }
}

void VariantsToProto(const Params& params, pb::Params* p) {
  p->set_input_pool_size(params.input_pool_size);
  p->set_input_pools_disjoint(params.input_pools_disjoint);
  p->clear_input_pools();
  for (const std::vector<int32_t>& pool : params.input_pools) {
    p->add_input_pools()->mutable_neurons()->Assign(pool.begin(), pool.end());
  }
  p->set_input_gain(params.input_gain);
  p->set_clamp_thresholds(params.clamp_thresholds);
  p->set_wee_prune_below(params.wee_prune_below);
  p->set_wei_floor(params.wei_floor);
  p->set_fast_inhibit(params.fast_inhibit);
  p->set_wei_fixed(params.wei_fixed);
  p->set_sp_scale_with_size(params.sp_scale_with_size);
}

}  // namespace

absl::StatusOr<Params> ParamsFromProto(const pb::Params& p,
                                       const Params& base) {
  Params params = base;
  if (p.has_ne()) params.ne = p.ne();
  if (p.has_nu()) params.nu = p.nu();
  ASSIGN_OR_RETURN(params.network_type_ee,
                   TypeFromProto(p.network_type_ee(), params.network_type_ee));
  ASSIGN_OR_RETURN(params.network_type_ei,
                   TypeFromProto(p.network_type_ei(), params.network_type_ei));
  ASSIGN_OR_RETURN(params.network_type_ie,
                   TypeFromProto(p.network_type_ie(), params.network_type_ie));
  if (p.has_lambda_ee()) params.lambda_ee = p.lambda_ee();
  if (p.has_lambda_ei()) params.lambda_ei = p.lambda_ei();
  if (p.has_lambda_ie()) params.lambda_ie = p.lambda_ie();
  if (p.has_eta_stdp()) params.eta_stdp = p.eta_stdp();
  if (p.has_eta_inhib()) params.eta_inhib = p.eta_inhib();
  if (p.has_eta_ip()) params.eta_ip = p.eta_ip();
  if (p.has_te_min()) params.te_min = p.te_min();
  if (p.has_te_max()) params.te_max = p.te_max();
  if (p.has_ti_min()) params.ti_min = p.ti_min();
  if (p.has_ti_max()) params.ti_max = p.ti_max();
  if (p.has_mu_ip()) params.mu_ip = p.mu_ip();
  if (p.has_sigma_ip()) params.sigma_ip = p.sigma_ip();
  if (p.has_h_ip()) params.h_ip = p.h_ip();
  if (p.has_noise_sd()) params.noise_sd = p.noise_sd();
  if (p.has_sp_probability()) params.sp_probability = p.sp_probability();
  if (p.arithmetic() != pb::ARITHMETIC_UNSPECIFIED) {
    ASSIGN_OR_RETURN(params.arithmetic, ArithmeticFromProto(p.arithmetic()));
  }
  VariantsFromProto(p, &params);
  return params;
}

void ParamsToProto(const Params& params, pb::Params* p) {
  VariantsToProto(params, p);
  p->set_ne(params.ne);
  p->set_nu(params.nu);
  p->set_network_type_ee(TypeToProto(params.network_type_ee));
  p->set_network_type_ei(TypeToProto(params.network_type_ei));
  p->set_network_type_ie(TypeToProto(params.network_type_ie));
  p->set_lambda_ee(params.lambda_ee);
  p->set_lambda_ei(params.lambda_ei);
  p->set_lambda_ie(params.lambda_ie);
  p->set_eta_stdp(params.eta_stdp);
  p->set_eta_inhib(params.eta_inhib);
  p->set_eta_ip(params.eta_ip);
  p->set_te_min(params.te_min);
  p->set_te_max(params.te_max);
  p->set_ti_min(params.ti_min);
  p->set_ti_max(params.ti_max);
  p->set_mu_ip(params.mu_ip);
  p->set_sigma_ip(params.sigma_ip);
  p->set_h_ip(params.EffectiveHip());
  p->set_noise_sd(params.noise_sd);
  p->set_sp_probability(params.sp_probability);
  p->set_arithmetic(params.arithmetic == Arithmetic::kExact ? pb::EXACT
                                                            : pb::FAST);
}

absl::StatusOr<Phase> PhaseFromProto(pb::Phase phase, Phase fallback) {
  switch (phase) {
    case pb::PHASE_UNSPECIFIED:
      return fallback;
    case pb::PLASTICITY:
      return Phase::kPlasticity;
    case pb::TRAINING:
      return Phase::kTraining;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown phase ", int(phase)));
  }
}

absl::StatusOr<FreezeSet> FreezeFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  return FreezeSet::FromNames(
      std::vector<std::string>(names.begin(), names.end()));
}

void FreezeToProto(FreezeSet set,
                   google::protobuf::RepeatedPtrField<std::string>* names) {
  for (const std::string& n : set.Names()) *names->Add() = n;
}

void SparseToProto(const SparseWeights& w, pb::SparseMatrix* proto) {
  proto->set_rows(w.rows);
  proto->set_cols(w.cols);
  proto->mutable_row_start()->Assign(w.row_start.begin(), w.row_start.end());
  proto->mutable_post()->Assign(w.post.begin(), w.post.end());
  proto->mutable_value()->Assign(w.value.begin(), w.value.end());
}

void NetworkStateToProto(const NetworkState& s, pb::NetworkState* proto) {
  ParamsToProto(s.params, proto->mutable_params());
  FreezeToProto(s.frozen, proto->mutable_frozen());
  MatrixToProto(s.wee, proto->mutable_wee());
  MatrixToProto(s.wei, proto->mutable_wei());
  MatrixToProto(s.wie, proto->mutable_wie());
  proto->mutable_te()->Assign(s.te.begin(), s.te.end());
  proto->mutable_ti()->Assign(s.ti.begin(), s.ti.end());
  proto->set_x_prev(std::string(s.x_prev.begin(), s.x_prev.end()));
  proto->set_x(std::string(s.x.begin(), s.x.end()));
  proto->set_y_prev(std::string(s.y_prev.begin(), s.y_prev.end()));
  proto->set_y(std::string(s.y.begin(), s.y.end()));
  proto->mutable_random()->Assign(s.random.begin(), s.random.end());
  proto->set_step(s.step);
}

absl::StatusOr<NetworkState> NetworkStateFromProto(const pb::NetworkState& p) {
  NetworkState s;
  ASSIGN_OR_RETURN(s.params, ParamsFromProto(p.params()));
  ASSIGN_OR_RETURN(s.frozen, FreezeFromProto(p.frozen()));
  for (auto [name, from, to] : {std::tuple{"Wee", &p.wee(), &s.wee},
                                {"Wei", &p.wei(), &s.wei},
                                {"Wie", &p.wie(), &s.wie}}) {
    ASSIGN_OR_RETURN(*to, MatrixFromProto(name, *from));
  }
  s.te.assign(p.te().begin(), p.te().end());
  s.ti.assign(p.ti().begin(), p.ti().end());
  s.x_prev = Bytes(p.x_prev());
  s.x = Bytes(p.x());
  s.y_prev = Bytes(p.y_prev());
  s.y = Bytes(p.y());
  if (p.random_size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("random must hold the generator's 4 state words, got ",
                     p.random_size()));
  }
  for (int k = 0; k < 4; ++k) s.random[k] = p.random(k);
  s.step = p.step();
  return s;
}

absl::StatusOr<ReferenceState> ReferenceStateFromProto(
    const pb::ReferenceState& p) {
  ReferenceState r;
  for (auto [name, from, to] : {std::tuple{"Wee", &p.wee(), &r.wee},
                                {"Wei", &p.wei(), &r.wei},
                                {"Wie", &p.wie(), &r.wie},
                                {"X", &p.x(), &r.x},
                                {"Y", &p.y(), &r.y}}) {
    ASSIGN_OR_RETURN(*to, DenseFromProto(name, *from));
  }
  for (auto [name, from, to] :
       {std::tuple{"Te", &p.te(), &r.te}, {"Ti", &p.ti(), &r.ti}}) {
    ASSIGN_OR_RETURN(DenseMatrix m, DenseFromProto(name, *from));
    if (m.cols != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " must be a column (n x 1), got ", m.rows, " x ", m.cols));
    }
    *to = std::move(m.data);
  }
  return r;
}

}  // namespace sorn::server
