// sornctl's commands: one function per command, and the table (at the end)
// that gives each its name, usage line and positional argument count.
// simulate and train are in sornctl_run.cc.
#include "client/cpp/sornctl_commands.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cpp/npz_file.h"
#include "client/cpp/sornctl_loop.h"
#include "client/cpp/sornctl_output.h"
#include "client/cpp/sornctl_run.h"
#include "core/npy_file.h"

namespace sorn::ctl {
namespace {

namespace pb = ::sorn::v1;
using client::SornClient;

absl::Status Create(SornClient& c, const Args& a) {
  pb::CreateSessionRequest req;
  req.set_name(a.positional[0]);
  if (a.Has("seed")) {
    absl::StatusOr<int64_t> s = Int(a, "seed", 0);
    if (!s.ok()) return s.status();
    req.set_seed(*s);
  }
  if (a.Has("record_buffer_steps")) {
    absl::StatusOr<int64_t> s = Int(a, "record_buffer_steps", 0);
    if (!s.ok()) return s.status();
    req.set_record_buffer_steps(*s);
  }
  req.set_preset(a.Get("preset"));
  absl::Status p = SetParams(a, req.mutable_params());
  return p.ok() ? Print(c.Create(req)) : p;
}

absl::Status Delete(SornClient& c, const Args& a) {
  return c.Delete(a.positional[0]);
}

absl::Status Export(SornClient& c, const Args& a) {
  absl::StatusOr<std::string> bytes = c.Export(a.positional[0]);
  if (!bytes.ok()) return bytes.status();
  pb::NetworkState state;
  if (!state.ParseFromString(*bytes))
    return absl::DataLossError("unreadable state");
  absl::Status s =
      OutputFile(client::WriteNpz(a.positional[1], StateNpz(state, *bytes)));
  if (s.ok())
    std::printf("exported %s to %s\n", a.positional[0].c_str(),
                a.positional[1].c_str());
  return s;
}

absl::Status Fork(SornClient& c, const Args& a) {
  pb::ForkSessionRequest req;
  req.set_source(a.positional[0]);
  req.set_name(a.positional[1]);
  if (a.Has("reseed")) {
    absl::StatusOr<int64_t> s = Int(a, "reseed", 0);
    if (!s.ok()) return s.status();
    req.set_reseed(*s);
  }
  return Print(c.Fork(req));
}

absl::Status Freeze(SornClient& c, const Args& a) {
  pb::FreezeRequest req;
  req.set_session(a.positional[0]);
  for (const std::string& m : List(a.Get("freeze"))) req.add_freeze(m);
  for (const std::string& m : List(a.Get("unfreeze"))) req.add_unfreeze(m);
  return Print(c.Freeze(req));
}

absl::Status Get(SornClient& c, const Args& a) {
  return Print(c.Get(a.positional[0]));
}

absl::Status Health(SornClient& c, const Args&) {
  absl::Status s = c.Health();
  if (s.ok()) std::printf("SERVING\n");
  return s;
}

// The arrays of the reference implementation's layout from the npz.
absl::Status ReadReference(const client::NpzEntries& npz,
                           pb::ReferenceState* ref) {
  for (auto [name, out] : {std::pair{"Wee", ref->mutable_wee()},
                           {"Wei", ref->mutable_wei()},
                           {"Wie", ref->mutable_wie()},
                           {"Te", ref->mutable_te()},
                           {"Ti", ref->mutable_ti()},
                           {"X", ref->mutable_x()},
                           {"Y", ref->mutable_y()}}) {
    auto it = npz.find(name);
    if (it == npz.end())
      return absl::InvalidArgumentError(absl::StrCat("the npz has no ", name));
    absl::StatusOr<sorn::NpyArray> arr = sorn::ParseNpy(it->second);
    if (!arr.ok()) return arr.status();
    out->set_rows(arr->shape.empty() ? 0 : int(arr->shape[0]));
    out->set_cols(arr->shape.size() > 1 ? int(arr->shape[1]) : 1);
    out->mutable_data()->Assign(arr->data.begin(), arr->data.end());
  }
  return absl::OkStatus();
}

// The import's header and data from the npz's reference-layout arrays; the
// parameters from the flags, ne from Wee unless given.
absl::Status ReferenceImport(const client::NpzEntries& npz, const Args& a,
                             pb::ImportStateRequest::Header* header,
                             std::string* data) {
  pb::ReferenceState ref;
  absl::Status s = ReadReference(npz, &ref);
  if (!s.ok()) return InputFile(s);
  header->set_format(pb::ImportStateRequest::Header::REFERENCE);
  absl::Status p = SetParams(a, header->mutable_params());
  if (!p.ok()) return p;
  if (!header->params().has_ne())
    header->mutable_params()->set_ne(ref.wee().rows());
  absl::StatusOr<int64_t> seed = Int(a, "seed", 1);
  if (!seed.ok()) return seed.status();
  header->set_seed(*seed);
  *data = ref.SerializeAsString();
  return absl::OkStatus();
}

absl::Status Import(SornClient& c, const Args& a) {
  absl::StatusOr<client::NpzEntries> npz = client::ReadNpz(a.positional[0]);
  if (!npz.ok()) return InputFile(npz.status());
  pb::ImportStateRequest::Header header;
  header.set_name(a.positional[1]);
  header.set_replace(a.Has("replace"));
  std::string data;
  auto state = npz->find("sorn_state");
  if (state != npz->end() && !a.Has("reference")) {
    absl::StatusOr<sorn::NpyRaw> raw = sorn::ParseNpyRaw(state->second);
    if (!raw.ok()) return InputFile(raw.status());
    header.set_format(pb::ImportStateRequest::Header::NATIVE);
    data = raw->data;
  } else {
    absl::Status s = ReferenceImport(*npz, a, &header, &data);
    if (!s.ok()) return s;
  }
  return Print(c.Import(header, data));
}

absl::Status ListSessions(SornClient& c, const Args&) {
  absl::StatusOr<std::vector<pb::SessionInfo>> all = c.List();
  if (!all.ok()) return all.status();
  for (const pb::SessionInfo& i : *all) PrintListLine(i);
  return absl::OkStatus();
}

absl::Status Simulate(SornClient& c, const Args& a) { return Run(c, a, false); }

// The request of `sornctl stats NAME [--OPTIONS]`.
absl::StatusOr<pb::GetStatisticsRequest> StatisticsRequest(const Args& a) {
  pb::GetStatisticsRequest req;
  req.set_session(a.positional[0]);
  pb::Population pop = pb::EXCITATORY;
  if (a.Has("population") &&
      !pb::Population_Parse(absl::AsciiStrToUpper(a.Get("population")), &pop)) {
    return Usage("--population is excitatory, inhibitory or recurrent");
  }
  req.set_population(pop);
  for (auto [key, set] :
       std::vector<std::pair<const char*, std::function<void(int64_t)>>>{
           {"last_steps", [&](int64_t v) { req.set_last_steps(v); }},
           {"neuron", [&](int64_t v) { req.set_neuron(int(v)); }},
           {"bin_size", [&](int64_t v) { req.set_bin_size(int(v)); }},
           {"window_size", [&](int64_t v) { req.set_window_size(int(v)); }},
           {"lag", [&](int64_t v) { req.set_lag(int(v)); }}}) {
    absl::StatusOr<int64_t> v = Int(a, key, 0);
    if (!v.ok()) return v.status();
    set(*v);
  }
  return req;
}

absl::Status Stats(SornClient& c, const Args& a) {
  absl::StatusOr<pb::GetStatisticsRequest> req = StatisticsRequest(a);
  if (!req.ok()) return req.status();
  absl::StatusOr<pb::Statistics> st = c.Statistics(*req);
  if (!st.ok()) return st.status();
  PrintStatistics(*st);
  return absl::OkStatus();
}

absl::Status Train(SornClient& c, const Args& a) { return Run(c, a, true); }

constexpr const char* kRunOptions =
    "steps inputs generate input_seed units_per_symbol amplitude no_noise "
    "freeze out quiet";

// Sorted by name: `sornctl --help` lists the commands in this order.
constexpr Command kCommands[] = {
    {"create",
     "create NAME [--seed=N] [--record_buffer_steps=N] "
     "[--preset=lazar2009|zheng2013|delpapa2017] [--ne=.. --eta_stdp=.. "
     "--arithmetic=EXACT|FAST --fast_inhibit=true --input_pools=1,3;3,7 "
     "any SORN parameter]",
     1, "seed record_buffer_steps preset PARAMS", Create},
    {"delete", "delete NAME", 1, "", Delete},
    {"delete-readout", "delete-readout NAME READOUT", 2, "", DeleteReadout},
    {"export",
     "export NAME FILE.npz   (Wee Wei Wie Te Ti X Y, and sorn_state for an "
     "exact import)",
     2, "", Export},
    {"fit-readout",
     "fit-readout NAME READOUT (--labels=FILE.npy [--classes=N] | "
     "--values=FILE.npy (T x outputs)) [--skip_last=N] [--regularization=R] "
     "[--population=excitatory|inhibitory|recurrent] [--include_input] "
     "[--no_bias]   (on the most recent recorded steps)",
     2,
     "labels classes values skip_last regularization population "
     "include_input no_bias",
     FitReadout},
    {"fork", "fork SOURCE NAME [--reseed=N]", 2, "reseed", Fork},
    {"freeze", "freeze NAME [--freeze=stdp,ip] [--unfreeze=ss]", 1,
     "freeze unfreeze", Freeze},
    {"get", "get NAME", 1, "", Get},
    {"health", "health", 0, "", Health},
    {"import",
     "import FILE.npz NAME [--replace] [--reference] [--seed=N] [--nu=.. "
     "any SORN parameter]",
     2, "replace reference seed PARAMS", Import},
    {"list", "list", 0, "", ListSessions},
    {"simulate",
     "simulate NAME --steps=T [--inputs=FILE.npy (nu x T) | "
     "--generate=uniform|gaussian|one_hot|multi_one_hot "
     "[--input_seed=N] [--units_per_symbol=N] [--amplitude=A]] [--no_noise] "
     "[--freeze=stdp,ip] [--out=PREFIX] [--quiet]",
     1, kRunOptions, Simulate},
    {"stats",
     "stats NAME [--population=excitatory|inhibitory|recurrent] "
     "[--last_steps=N] [--neuron=I] "
     "[--bin_size=N] [--window_size=N] [--lag=N]",
     1, "population last_steps neuron bin_size window_size lag", Stats},
    {"step",
     "step NAME [--inputs=FILE.npy (nu x T) | lines of nu numbers on stdin] "
     "[--readouts=a,b] [--phase=plasticity|training] [--no_noise]   (one "
     "JSON line per step: step, active neurons, readout outputs)",
     1, "inputs readouts phase no_noise", StepLoop},
    {"train", "train NAME (options as simulate; training phase)", 1,
     kRunOptions, Train},
};

constexpr bool SortedByName() {
  for (size_t i = 1; i < std::size(kCommands); ++i) {
    if (std::string_view(kCommands[i - 1].name) >= kCommands[i].name)
      return false;
  }
  return true;
}
static_assert(SortedByName(), "kCommands must be sorted by name, no repeats");

}  // namespace

std::span<const Command> Commands() { return kCommands; }

const Command* FindCommand(const std::string& name) {
  for (const Command& command : kCommands) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

}  // namespace sorn::ctl
