// `sornctl simulate` and `sornctl train`: request, streamed activity,
// progress bar, --out files and summary.
#include "client/cpp/sornctl_run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "core/npy_file.h"

namespace sorn::ctl {
namespace {

namespace pb = ::sorn::v1;

// What a run streamed back, step-major: activity as 0/1 bytes, connection
// counts as integers (the dtypes --out writes).
struct RunRecord {
  std::vector<uint8_t> x, y, r;
  std::vector<int64_t> ee, ei;
  int64_t done = 0;  // steps received.
};

// --inputs=FILE.npy (nu x T) into the request; T steps if *steps is 0.
absl::Status SetInputs(const Args& args, pb::RunRequest* req, int64_t* steps) {
  absl::StatusOr<sorn::NpyArray> inputs = sorn::ReadNpy(args.Get("inputs"));
  if (!inputs.ok()) return InputFile(inputs.status());
  if (inputs->shape.size() != 2)
    return Usage("--inputs must hold an nu x T array");
  req->mutable_values()->set_units(int(inputs->shape[0]));
  req->mutable_values()->set_steps(inputs->shape[1]);
  req->mutable_values()->mutable_values()->Assign(inputs->data.begin(),
                                                  inputs->data.end());
  if (*steps == 0) *steps = inputs->shape[1];
  return absl::OkStatus();
}

// --generate=uniform|gaussian|one_hot|multi_one_hot [--input_seed=N]
// [--units_per_symbol=N] [--amplitude=A] into the request.
absl::Status SetGenerated(const Args& args, pb::RunRequest* req) {
  static const std::map<std::string, pb::GeneratedInputs::Kind> kinds = {
      {"uniform", pb::GeneratedInputs::UNIFORM},
      {"gaussian", pb::GeneratedInputs::GAUSSIAN},
      {"one_hot", pb::GeneratedInputs::ONE_HOT},
      {"multi_one_hot", pb::GeneratedInputs::MULTI_ONE_HOT}};
  auto kind = kinds.find(absl::AsciiStrToLower(args.Get("generate")));
  if (kind == kinds.end())
    return Usage("--generate is uniform, gaussian, one_hot or multi_one_hot");
  pb::GeneratedInputs* generated = req->mutable_generated();
  generated->set_kind(kind->second);
  absl::StatusOr<int64_t> seed = Int(args, "input_seed", 0);
  if (!seed.ok()) return seed.status();
  generated->set_seed(*seed);
  absl::StatusOr<int64_t> units = Int(args, "units_per_symbol", 0);
  if (!units.ok()) return units.status();
  generated->set_units_per_symbol(int32_t(*units));
  if (args.Has("amplitude")) {
    double amplitude;
    if (!absl::SimpleAtod(args.Get("amplitude"), &amplitude))
      return Usage("--amplitude takes a number");
    generated->set_amplitude(amplitude);
  }
  return absl::OkStatus();
}

// The request of `sornctl simulate|train NAME [--OPTIONS]`.
absl::StatusOr<pb::RunRequest> Request(const Args& args) {
  pb::RunRequest req;
  req.set_session(args.positional[0]);
  absl::StatusOr<int64_t> steps = Int(args, "steps", 0);
  if (!steps.ok()) return steps.status();
  req.set_noise(!args.Has("no_noise"));
  for (const std::string& m : List(args.Get("freeze"))) req.add_freeze(m);
  absl::Status s = absl::OkStatus();
  if (args.Has("inputs")) {
    s = SetInputs(args, &req, &*steps);
  } else if (args.Has("generate")) {
    s = SetGenerated(args, &req);
  }
  if (!s.ok()) return s;
  req.set_timesteps(*steps);
  return req;
}

// Appends `steps` steps of `n` bits (packed per step into (n + 7) / 8 bytes,
// least significant bit first) as 0s and 1s.
void AppendBits(const std::string& packed, int steps, int n,
                std::vector<uint8_t>* out) {
  const size_t bytes = (size_t(n) + 7) / 8;
  for (int t = 0; t < steps; ++t) {
    for (int i = 0; i < n; ++i)
      out->push_back((uint8_t(packed[t * bytes + i / 8]) >> (i % 8)) & 1);
  }
}

void Append(const pb::RunResponse& m, const pb::SessionInfo& info,
            RunRecord* record) {
  AppendBits(m.x(), m.steps(), info.ne(), &record->x);
  AppendBits(m.y(), m.steps(), info.ni(), &record->y);
  AppendBits(m.r(), m.steps(), info.ne(), &record->r);
  record->ee.insert(record->ee.end(), m.ee_conn().begin(), m.ee_conn().end());
  record->ei.insert(record->ei.end(), m.ei_conn().begin(), m.ei_conn().end());
  record->done += m.steps();
}

// "\r[####    ] done/steps steps" on stderr.
void PrintProgress(int64_t done, int64_t steps) {
  const int width = 40,
            filled = int(width * done / std::max<int64_t>(1, steps));
  std::fprintf(stderr, "\r[%s%s] %lld/%lld steps",
               std::string(filled, '#').c_str(),
               std::string(width - filled, ' ').c_str(), (long long)done,
               (long long)steps);
}

// PREFIX_x.npy, _y, _r (steps x neurons, uint8 0/1), _ee_conn and _ei_conn
// (steps, int64).
absl::Status WriteNpys(const std::string& prefix, const RunRecord& record,
                       const pb::SessionInfo& info) {
  const int64_t t = record.done;
  const std::pair<std::string, std::string> files[] = {
      {"_x.npy", sorn::SerializeNpyU8({t, info.ne()}, record.x)},
      {"_y.npy", sorn::SerializeNpyU8({t, info.ni()}, record.y)},
      {"_r.npy", sorn::SerializeNpyU8({t, info.ne()}, record.r)},
      {"_ee_conn.npy", sorn::SerializeNpyI64({t}, record.ee)},
      {"_ei_conn.npy", sorn::SerializeNpyI64({t}, record.ei)}};
  for (const auto& [suffix, bytes] : files) {
    absl::Status w = sorn::WriteFileBytes(prefix + suffix, bytes);
    if (!w.ok()) return OutputFile(w);
  }
  return absl::OkStatus();
}

// "simulated|trained T steps: rate_x X rate_y Y" on stdout.
void PrintSummary(bool train, const RunRecord& record,
                  const pb::SessionInfo& info) {
  const int64_t done = record.done;
  double sx = 0, sy = 0;
  for (uint8_t v : record.x) sx += v;
  for (uint8_t v : record.y) sy += v;
  std::printf("%s %lld steps: rate_x %.4f rate_y %.4f\n",
              train ? "trained" : "simulated", (long long)done,
              done ? sx / (done * info.ne()) : 0.0,
              done ? sy / (done * info.ni()) : 0.0);
}

}  // namespace

absl::Status Run(client::SornClient& client, const Args& args, bool train) {
  absl::StatusOr<pb::SessionInfo> info = client.Get(args.positional[0]);
  if (!info.ok()) return info.status();
  absl::StatusOr<pb::RunRequest> req = Request(args);
  if (!req.ok()) return req.status();
  if (args.Has("out")) {
    // Before the run: a run whose files cannot be written would change the
    // session and then fail.
    // A probe beside the files, removed at once: earlier results stay.
    const std::string probe = args.Get("out") + "_x.npy.probe";
    absl::Status w = sorn::WriteFileBytes(probe, "");
    if (!w.ok()) {  // named as the file the user asked for.
      return OutputFile(absl::Status(
          w.code(),
          absl::StrReplaceAll(w.message(), {{".npy.probe", ".npy"}})));
    }
    std::remove(probe.c_str());
  }
  const int64_t steps = req->timesteps();
  const bool progress = isatty(STDERR_FILENO) && !args.Has("quiet");
  RunRecord record;
  absl::Status s = client.Run(*req, train, [&](const pb::RunResponse& m) {
    Append(m, *info, &record);
    if (progress) PrintProgress(record.done, steps);
  });
  if (progress) std::fprintf(stderr, "\n");
  if (!s.ok()) return s;
  if (args.Has("out")) {
    absl::Status w = WriteNpys(args.Get("out"), record, *info);
    if (!w.ok()) return w;
  }
  PrintSummary(train, record, *info);
  return absl::OkStatus();
}

}  // namespace sorn::ctl
