// ReadoutTest: the fixture of the readout end-to-end tests (readout_api_test,
// readout_bad_request_test): a shared server, sessions with a recorded
// history, a known linear map of x, the input and 1 to fit, and checks of
// the readout's scores on new steps against that map.
#ifndef SORN_TESTS_SERVER_E2E_READOUT_FIXTURE_H_
#define SORN_TESTS_SERVER_E2E_READOUT_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"
#include "tests/support/shared_server_test.h"

namespace sorn {

class ReadoutTest : public SharedServerTest {
 protected:
  static constexpr int kNe = 200;
  static constexpr int kNu = 10;
  static constexpr int kOutputs = 3;

  // x of every step of some responses, and the readout outputs gathered.
  struct Gathered {
    std::vector<std::vector<uint8_t>> x;
    std::vector<double> scores;  // of the first readout asked for.
    std::vector<int32_t> classes;
  };

  // A fixed map from [x (ne), input (nu), 1] to 3 outputs.
  static double MapWeight(int feature, int output);
  // The map's output `o` for one step's x and input u.
  static double Expected(const std::vector<uint8_t>& x,
                         const std::vector<double>& u, int o);
  // `steps` Train steps of explicit uniform inputs from `seed` (the test
  // must know them: *inputs, steps x nu).
  static v1::RunRequest TrainWithInputs(
      const std::string& session, int steps, uint64_t seed,
      std::vector<std::vector<double>>* inputs);
  static Gathered Gather(const std::vector<v1::RunResponse>& responses);

  // A session whose every neuron has fired: 3,000 plastic steps.
  void Prepare(const std::string& name);
  // Every response of a Train call; without `s` it must succeed.
  std::vector<v1::RunResponse> Train(const v1::RunRequest& req,
                                     grpc::Status* s = nullptr);
  grpc::Status Fit(const v1::FitReadoutRequest& req,
                   v1::FitReadoutResponse* response = nullptr);
  // Fits "map" on `steps` Train steps to MapWeight's outputs.
  v1::FitReadoutResponse FitMap(const std::string& name, int steps);
  // Trains `steps` more steps asking for "map" and checks its scores.
  void ExpectMapScores(const std::string& name, int steps, uint64_t seed);
};

}  // namespace sorn

#endif  // SORN_TESTS_SERVER_E2E_READOUT_FIXTURE_H_
