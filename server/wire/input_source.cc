#include "server/wire/input_source.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

absl::StatusOr<InputSource> InputSource::Create(const pb::RunRequest& request,
                                                int nu) {
  if (request.has_values()) return FromValues(request, nu);
  if (request.has_generated()) return FromGenerated(request.generated(), nu);
  return InputSource();  // zero input.
}

absl::StatusOr<InputSource> InputSource::FromValues(
    const pb::RunRequest& request, int nu) {
  InputSource source;
  const pb::InputMatrix& m = request.values();
  if (m.units() != nu || m.steps() != request.timesteps() ||
      int64_t(m.values_size()) != int64_t(nu) * request.timesteps()) {
    return absl::InvalidArgumentError(
        absl::StrCat("inputs must be nu x timesteps = ", nu, " x ",
                     request.timesteps(), " values; got ", m.units(), " x ",
                     m.steps(), " with ", m.values_size(), " values"));
  }
  for (int k = 0; k < m.values_size(); ++k) {
    if (!std::isfinite(m.values(k))) {
      return absl::InvalidArgumentError(
          absl::StrCat("input of unit ", k / std::max<int64_t>(1, m.steps()),
                       " at step ", k % std::max<int64_t>(1, m.steps()), " is ",
                       m.values(k), "; inputs must be finite"));
    }
  }
  source.kind_ = Kind::kValues;
  source.values_ = m.values().data();
  source.steps_ = m.steps();
  return source;
}

absl::StatusOr<InputSource> InputSource::FromGenerated(
    const pb::GeneratedInputs& g, int nu) {
  InputSource source;
  source.random_ = Random(g.seed());
  switch (g.kind()) {
    case pb::GeneratedInputs::UNIFORM:
      source.kind_ = Kind::kUniform;
      source.a_ = g.low();
      source.b_ = (g.low() == 0.0 && g.high() == 0.0) ? 1.0 : g.high();
      if (!std::isfinite(source.a_) || !std::isfinite(source.b_) ||
          source.a_ > source.b_) {
        return absl::InvalidArgumentError(
            "uniform inputs need finite low <= high");
      }
      break;
    case pb::GeneratedInputs::GAUSSIAN:
      source.kind_ = Kind::kGaussian;
      source.a_ = g.mean();
      source.b_ = g.sd() == 0.0 ? 1.0 : g.sd();
      if (!std::isfinite(source.a_) || !std::isfinite(source.b_) ||
          source.b_ < 0) {
        return absl::InvalidArgumentError(
            "Gaussian inputs need finite mean and sd >= 0");
      }
      break;
    case pb::GeneratedInputs::ONE_HOT:
    case pb::GeneratedInputs::MULTI_ONE_HOT:
      source.kind_ = Kind::kOneHot;
      source.a_ = g.amplitude() == 0.0 ? 1.0 : g.amplitude();
      source.group_ =
          g.kind() == pb::GeneratedInputs::ONE_HOT ? 1 : g.units_per_symbol();
      if (!std::isfinite(source.a_)) {
        return absl::InvalidArgumentError("amplitude must be finite");
      }
      if (nu == 0 || source.group_ < 1 || nu % source.group_ != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("one-hot inputs need nu >= 1 and units_per_symbol >= "
                         "1 dividing nu = ",
                         nu, "; got ", source.group_));
      }
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "generated inputs need a kind (UNIFORM, GAUSSIAN, ONE_HOT or "
          "MULTI_ONE_HOT), got ",
          int(g.kind())));
  }
  return source;
}

void InputSource::Fill(int64_t t, std::span<double> out) {
  switch (kind_) {
    case Kind::kNone:
      std::fill(out.begin(), out.end(), 0.0);
      return;
    case Kind::kValues:
      for (size_t k = 0; k < out.size(); ++k) out[k] = values_[k * steps_ + t];
      return;
    case Kind::kUniform:
      for (double& v : out) v = random_.Uniform(a_, b_);
      return;
    case Kind::kGaussian:
      for (double& v : out) v = a_ + b_ * random_.Normal();
      return;
    case Kind::kOneHot: {
      std::fill(out.begin(), out.end(), 0.0);
      const uint64_t symbols = out.size() / group_;
      const size_t first = random_.UniformInt(symbols) * group_;
      for (int k = 0; k < group_; ++k) out[first + k] = a_;
      return;
    }
  }
}

}  // namespace sorn::server
