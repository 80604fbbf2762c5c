#include "client/cpp/sornctl_loop.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/npy_file.h"

namespace sorn::ctl {
namespace {

namespace pb = ::sorn::v1;

// The next input: column t of --inputs, or the next line of stdin (false at
// the end of either). A line that is not numbers is a usage error.
class InputFeed {
 public:
  static absl::StatusOr<InputFeed> Open(const Args& args) {
    InputFeed feed;
    if (!args.Has("inputs")) return feed;
    absl::StatusOr<NpyArray> a = ReadNpy(args.Get("inputs"));
    if (!a.ok()) return InputFile(a.status());
    if (a->shape.size() != 2)
      return Usage("--inputs must hold an nu x T array");
    feed.file_ = *std::move(a);
    return feed;
  }

  absl::StatusOr<bool> Next(std::vector<double>* input) {
    input->clear();
    if (file_.has_value()) {
      const int64_t units = file_->shape[0], steps = file_->shape[1];
      if (t_ == steps) return false;
      for (int64_t k = 0; k < units; ++k) {
        input->push_back(file_->data[k * steps + t_]);
      }
      ++t_;
      return true;
    }
    std::string line;
    if (!std::getline(std::cin, line)) return false;
    for (absl::string_view word :
         absl::StrSplit(line, absl::ByAnyChar(" ,\t"), absl::SkipEmpty())) {
      double v;
      if (!absl::SimpleAtod(word, &v)) {
        return Usage(
            absl::StrCat("an input line holds numbers; got \"", line, "\""));
      }
      input->push_back(v);
    }
    return true;
  }

 private:
  std::optional<NpyArray> file_;
  int64_t t_ = 0;
};

// {"step":N,"x":[...],"readouts":{...}} for one response.
std::string JsonLine(const pb::StepResponse& r, int ne) {
  std::vector<int> active;
  for (int i = 0; i < ne; ++i) {
    if ((uint8_t(r.x()[i / 8]) >> (i % 8)) & 1) active.push_back(i);
  }
  std::string line = absl::StrCat("{\"step\":", r.step(), ",\"x\":[",
                                  absl::StrJoin(active, ","), "]");
  if (r.readouts_size() > 0) {
    std::vector<std::string> outputs;
    for (const pb::ReadoutOutput& o : r.readouts()) {
      std::string one = absl::StrCat("\"", o.name(), "\":{");
      if (o.classes_size() > 0)
        absl::StrAppend(&one, "\"class\":", o.classes(0), ",");
      absl::StrAppend(&one, "\"scores\":[",
                      absl::StrJoin(o.scores(), ",",
                                    [](std::string* out, double v) {
                                      absl::StrAppend(out, v);
                                    }),
                      "]}");
      outputs.push_back(std::move(one));
    }
    absl::StrAppend(&line, ",\"readouts\":{", absl::StrJoin(outputs, ","), "}");
  }
  return line + "}";
}

absl::StatusOr<pb::Phase> PhaseOf(const Args& args) {
  if (!args.Has("phase")) return pb::PLASTICITY;
  pb::Phase phase;
  if (!pb::Phase_Parse(absl::AsciiStrToUpper(args.Get("phase")), &phase) ||
      phase == pb::PHASE_UNSPECIFIED) {
    return Usage("--phase is plasticity or training");
  }
  return phase;
}

}  // namespace

absl::Status StepLoop(client::SornClient& client, const Args& args) {
  const std::string& name = args.positional[0];
  absl::StatusOr<pb::SessionInfo> info = client.Get(name);
  if (!info.ok()) return info.status();
  absl::StatusOr<pb::Phase> phase = PhaseOf(args);
  if (!phase.ok()) return phase.status();
  absl::StatusOr<InputFeed> feed = InputFeed::Open(args);
  if (!feed.ok()) return feed.status();
  std::unique_ptr<client::StepStream> steps = client.OpenSteps(name);
  pb::StepRequest request;
  request.set_session(name);
  request.set_phase(*phase);
  request.set_noise(!args.Has("no_noise"));
  request.mutable_record()->set_x(true);  // only what is printed.
  request.mutable_record()->set_y(false);
  request.mutable_record()->set_r(false);
  request.mutable_record()->set_counts(false);
  for (const std::string& r : List(args.Get("readouts"))) {
    request.add_readouts(r);
  }
  std::vector<double> input;
  for (;;) {
    absl::StatusOr<bool> more = feed->Next(&input);
    if (!more.ok()) return more.status();
    if (!*more) break;
    request.mutable_input()->Assign(input.begin(), input.end());
    absl::StatusOr<pb::StepResponse> response = steps->Step(request);
    if (!response.ok()) return response.status();
    std::printf("%s\n", JsonLine(*response, info->ne()).c_str());
    std::fflush(stdout);  // a reader on a pipe sees every step at once.
    request.clear_session();
    request.clear_readouts();
    request.clear_record();
  }
  return steps->Finish();
}

namespace {

// --labels (a classifier) or --values (real outputs) into the request.
absl::Status SetTargets(const Args& args, pb::FitReadoutRequest* request) {
  if (args.Has("labels") == args.Has("values")) {
    return Usage("give --labels=FILE.npy (classes) or --values=FILE.npy");
  }
  absl::StatusOr<NpyArray> targets =
      ReadNpy(args.Has("labels") ? args.Get("labels") : args.Get("values"));
  if (!targets.ok()) return InputFile(targets.status());
  if (args.Has("labels")) {
    if (targets->shape.size() != 1) return Usage("--labels must be 1-D");
    pb::ClassLabels* labels = request->mutable_labels();
    for (double v : targets->data) {
      if (v != std::floor(v) || v < 0 || v > 1e9) {
        return Usage("--labels holds class numbers 0, 1, 2, ...");
      }
      labels->add_labels(int32_t(v));
    }
    absl::StatusOr<int64_t> classes = Int(args, "classes", 0);
    if (!classes.ok()) return classes.status();
    labels->set_classes(int32_t(*classes));
  } else {
    if (targets->shape.size() != 2)
      return Usage("--values must be T x outputs");
    request->mutable_values()->set_outputs(int32_t(targets->shape[1]));
    request->mutable_values()->mutable_values()->Assign(targets->data.begin(),
                                                        targets->data.end());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FitReadout(client::SornClient& client, const Args& args) {
  pb::FitReadoutRequest request;
  request.set_session(args.positional[0]);
  request.set_readout(args.positional[1]);
  if (absl::Status s = SetTargets(args, &request); !s.ok()) return s;
  absl::StatusOr<int64_t> skip = Int(args, "skip_last", 0);
  if (!skip.ok()) return skip.status();
  request.set_skip_last(*skip);
  if (args.Has("regularization")) {
    double lambda;
    if (!absl::SimpleAtod(args.Get("regularization"), &lambda))
      return Usage("--regularization takes a number");
    request.set_regularization(lambda);
  }
  pb::ReadoutFeatures* features = request.mutable_features();
  if (args.Has("population")) {
    pb::Population population;
    if (!pb::Population_Parse(absl::AsciiStrToUpper(args.Get("population")),
                              &population)) {
      return Usage("--population is excitatory, inhibitory or recurrent");
    }
    features->set_population(population);
  }
  features->set_include_input(args.Has("include_input"));
  if (args.Has("no_bias")) features->set_bias(false);
  absl::StatusOr<pb::FitReadoutResponse> fit = client.FitReadout(request);
  if (!fit.ok()) return fit.status();
  const pb::ReadoutInfo& r = fit->readout();
  std::printf(
      "readout: %s\nfitted_steps: %lld\nfeatures: %d\noutputs: %d\n"
      "training_error: %.6g\n",
      r.name().c_str(), (long long)r.fitted_steps(), r.features_count(),
      r.outputs(), r.training_error());
  if (r.has_training_accuracy())
    std::printf("training_accuracy: %.6f\n", r.training_accuracy());
  return absl::OkStatus();
}

absl::Status DeleteReadout(client::SornClient& client, const Args& args) {
  pb::DeleteReadoutRequest request;
  request.set_session(args.positional[0]);
  request.set_readout(args.positional[1]);
  absl::StatusOr<pb::SessionInfo> info = client.DeleteReadout(request);
  if (!info.ok()) return info.status();
  std::printf("deleted readout %s of %s\n", args.positional[1].c_str(),
              args.positional[0].c_str());
  return absl::OkStatus();
}

}  // namespace sorn::ctl
