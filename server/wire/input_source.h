// InputSource: the input vector of each step of a Simulate or Train call,
// from explicit values, a server-side generator, or none (zeros).
#ifndef SORN_SERVER_WIRE_INPUT_SOURCE_H_
#define SORN_SERVER_WIRE_INPUT_SOURCE_H_

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "core/random.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

// Borrows the request's explicit values: the request must outlive it.
class InputSource {
 public:
  // INVALID_ARGUMENT for explicit values of the wrong shape or non-finite
  // values, or generator settings out of range.
  static absl::StatusOr<InputSource> Create(const sorn::v1::RunRequest& request,
                                            int nu);
  // Fills `out` (nu values) with the input of the call's step `t`.
  // REQUIRES: steps are asked for in order 0, 1, 2, ...
  void Fill(int64_t t, std::span<double> out);

 private:
  enum class Kind { kNone, kValues, kUniform, kGaussian, kOneHot };
  InputSource() : random_(0) {}
  // The two halves of Create: explicit values, generator settings.
  static absl::StatusOr<InputSource> FromValues(
      const sorn::v1::RunRequest& request, int nu);
  static absl::StatusOr<InputSource> FromGenerated(
      const sorn::v1::GeneratedInputs& generated, int nu);

  Kind kind_ = Kind::kNone;
  const double* values_ = nullptr;  // nu x steps, row-major.
  int64_t steps_ = 0;
  Random random_;
  double a_ = 0.0;  // low / mean / amplitude.
  double b_ = 1.0;  // high / sd.
  int group_ = 1;   // units per symbol.
};

}  // namespace sorn::server

#endif  // SORN_SERVER_WIRE_INPUT_SOURCE_H_
