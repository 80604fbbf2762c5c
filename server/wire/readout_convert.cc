#include "server/wire/readout_convert.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/sessions/session_name.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

// A classifier's outputs are one score per class; beyond this a label is
// surely an id, not a class.
constexpr int64_t kMaxClasses = 1 << 16;

// Rows of a row-major `outputs`-column matrix of `what`.
absl::StatusOr<int64_t> TargetRows(const pb::TargetValues& values,
                                   const char* what) {
  if (values.outputs() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ".outputs must be >= 1, got ", values.outputs()));
  }
  if (values.values_size() % values.outputs() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " has ", values.values_size(),
        " values, not a multiple of outputs = ", values.outputs()));
  }
  return values.values_size() / values.outputs();
}

absl::StatusOr<ReadoutTargets> OneHotTargets(const pb::TargetValues& one_hot) {
  ASSIGN_OR_RETURN(int64_t rows, TargetRows(one_hot, "one_hot"));
  ReadoutTargets targets;
  targets.classifier = true;
  targets.classes = one_hot.outputs();
  targets.labels.reserve(rows);
  for (int64_t t = 0; t < rows; ++t) {
    int32_t label = -1;
    for (int c = 0; c < one_hot.outputs(); ++c) {
      const double v = one_hot.values(int(t * one_hot.outputs() + c));
      if (v == 1.0 && label < 0) {
        label = c;
      } else if (v != 0.0) {
        label = -2;
        break;
      }
    }
    if (label < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("one_hot row ", t,
                       " is not one 1 among 0s; use values for soft "
                       "targets"));
    }
    targets.labels.push_back(label);
  }
  return targets;
}

}  // namespace

absl::StatusOr<Population> PopulationFromProto(pb::Population p) {
  switch (p) {
    case pb::POPULATION_UNSPECIFIED:
    case pb::EXCITATORY:
      return Population::kExcitatory;
    case pb::INHIBITORY:
      return Population::kInhibitory;
    case pb::RECURRENT:
      return Population::kRecurrent;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown population ", int(p)));
  }
}

pb::Population PopulationToProto(Population population) {
  return population == Population::kInhibitory  ? pb::INHIBITORY
         : population == Population::kRecurrent ? pb::RECURRENT
                                                : pb::EXCITATORY;
}

absl::StatusOr<ReadoutFeatures> ReadoutFeaturesFromProto(
    const pb::ReadoutFeatures& proto) {
  ASSIGN_OR_RETURN(Population population,
                   PopulationFromProto(proto.population()));
  return ReadoutFeatures{population, proto.include_input(),
                         proto.has_bias() ? proto.bias() : true};
}

absl::StatusOr<ReadoutTargets> ReadoutTargetsFromProto(
    const pb::FitReadoutRequest& request) {
  switch (request.targets_case()) {
    case pb::FitReadoutRequest::kLabels: {
      const pb::ClassLabels& labels = request.labels();
      if (labels.classes() < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("classes must be >= 0, got ", labels.classes()));
      }
      ReadoutTargets targets;
      targets.classifier = true;
      targets.labels.assign(labels.labels().begin(), labels.labels().end());
      int64_t largest = -1;
      for (int32_t label : targets.labels) {
        largest = std::max<int64_t>(largest, label);
      }
      const int64_t classes =
          labels.classes() > 0 ? labels.classes() : largest + 1;
      if (classes > kMaxClasses) {
        return absl::InvalidArgumentError(
            absl::StrCat("at most ", kMaxClasses, " classes, got ", classes));
      }
      targets.classes = int(classes);
      return targets;  // Readout::FitClasses checks the labels' range.
    }
    case pb::FitReadoutRequest::kOneHot:
      return OneHotTargets(request.one_hot());
    case pb::FitReadoutRequest::kValues: {
      ASSIGN_OR_RETURN(int64_t rows, TargetRows(request.values(), "values"));
      const int outputs = request.values().outputs();
      ReadoutTargets targets;
      targets.values.resize(rows, outputs);
      for (int64_t t = 0; t < rows; ++t) {
        for (int o = 0; o < outputs; ++o) {
          targets.values(t, o) = request.values().values(int(t * outputs + o));
        }
      }
      return targets;
    }
    default:
      return absl::InvalidArgumentError(
          "give the targets as labels, one_hot or values");
  }
}

void ReadoutInfoToProto(const std::string& name, const NamedReadout& r,
                        const ReadoutShape& shape, pb::ReadoutInfo* info) {
  info->set_name(name);
  pb::ReadoutFeatures* features = info->mutable_features();
  features->set_population(PopulationToProto(r.features.population));
  features->set_include_input(r.features.include_input);
  features->set_bias(r.features.bias);
  info->set_features_count(
      int32_t(ReadoutSet::FeatureCount(r.features, shape)));
  info->set_outputs(r.readout.outputs());
  info->set_classifier(r.readout.classifier());
  info->set_regularization(r.regularization);
  info->set_fitted_steps(r.fitted_steps);
  info->set_fitted_at_step(r.fitted_at_step);
  info->set_training_error(r.training_error);
  if (r.readout.classifier()) info->set_training_accuracy(r.training_accuracy);
}

void WeightsToProto(const Eigen::MatrixXd& weights, pb::DenseMatrix* proto) {
  proto->set_rows(int32_t(weights.rows()));
  proto->set_cols(int32_t(weights.cols()));
  proto->mutable_data()->Reserve(int(weights.size()));
  for (Eigen::Index i = 0; i < weights.rows(); ++i) {
    for (Eigen::Index o = 0; o < weights.cols(); ++o) {
      proto->add_data(weights(i, o));
    }
  }
}

void ReadoutSetToProto(
    const ReadoutSet& set, const ReadoutShape& shape,
    google::protobuf::RepeatedPtrField<pb::ReadoutState>* proto) {
  for (const auto& [name, readout] : set.readouts()) {
    pb::ReadoutState* state = proto->Add();
    ReadoutInfoToProto(name, readout, shape, state->mutable_info());
    WeightsToProto(readout.readout.weights(), state->mutable_weights());
  }
}

absl::StatusOr<NamedReadout> ReadoutFromProto(const pb::ReadoutState& state,
                                              const ReadoutShape& shape) {
  const pb::ReadoutInfo& info = state.info();
  const std::string where = absl::StrCat("readout \"", info.name(), "\": ");
  if (absl::Status s = ValidateSessionName(info.name()); !s.ok()) {
    return absl::InvalidArgumentError(where + std::string(s.message()));
  }
  absl::StatusOr<ReadoutFeatures> features =
      ReadoutFeaturesFromProto(info.features());
  if (!features.ok()) {
    return absl::InvalidArgumentError(where +
                                      std::string(features.status().message()));
  }
  const pb::DenseMatrix& w = state.weights();
  const int64_t expected = ReadoutSet::FeatureCount(*features, shape);
  if (w.rows() != expected || w.cols() < 1 ||
      int64_t(w.data_size()) != int64_t(w.rows()) * w.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "weights are ", w.rows(), " x ", w.cols(), " with ",
        w.data_size(), " values; its features need ", expected, " rows"));
  }
  Eigen::MatrixXd weights(w.rows(), w.cols());
  for (int i = 0; i < w.rows(); ++i) {
    for (int o = 0; o < w.cols(); ++o) weights(i, o) = w.data(i * w.cols() + o);
  }
  absl::StatusOr<Readout> readout = Readout::FromWeights(
      std::move(weights), features->bias, info.classifier());
  if (!readout.ok()) {
    return absl::InvalidArgumentError(where +
                                      std::string(readout.status().message()));
  }
  if (!(std::isfinite(info.regularization()) && info.regularization() >= 0)) {
    return absl::InvalidArgumentError(where + "bad regularization");
  }
  return NamedReadout{*std::move(readout),     *features,
                      info.regularization(),   info.fitted_steps(),
                      info.fitted_at_step(),   info.training_error(),
                      info.training_accuracy()};
}

absl::StatusOr<ReadoutSet> ReadoutSetFromProto(
    const google::protobuf::RepeatedPtrField<pb::ReadoutState>& proto,
    const ReadoutShape& shape) {
  ReadoutSet set;
  for (const pb::ReadoutState& state : proto) {
    ASSIGN_OR_RETURN(NamedReadout readout, ReadoutFromProto(state, shape));
    RETURN_IF_ERROR(
        set.Restore(state.info().name(), std::move(readout), shape));
  }
  return set;
}

}  // namespace sorn::server
