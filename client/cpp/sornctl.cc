// sornctl: sorn-server from the command line.
//
//   sornctl [--address=HOST:PORT] [--token=TOKEN]
//           [--tls | --tls_ca=PEM] [--tls_cert=PEM --tls_key=PEM]
//           COMMAND [ARGS] [--OPTIONS]
//
// The address defaults to $SORN_SERVER_ADDRESS, else 127.0.0.1:50051; the
// token to $SORN_TOKEN; the TLS files to $SORN_TLS_CA, $SORN_TLS_CERT and
// $SORN_TLS_KEY (--tls alone: TLS with the system's roots). `sornctl COMMAND
// --help` describes a command. The exit code is 0 on success, 2 for a usage
// error, and otherwise the gRPC status code, with the server's message on
// stderr.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cpp/npz_file.h"
#include "client/cpp/sorn_client.h"
#include "core/npy_file.h"

namespace {

namespace pb = ::sorn::v1;
using sorn::client::SornClient;

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --key=value; --flag -> "".
  bool Has(const std::string& key) const { return options.count(key) > 0; }
  std::string Get(const std::string& key,
                  const std::string& fallback = "") const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
};

struct Command {
  const char* usage;
  int positional;  // required positional arguments.
  std::function<absl::Status(SornClient&, const Args&)> run;
};

absl::Status Usage(const std::string& message) {
  return absl::Status(absl::StatusCode::kUnknown, "usage: " + message);
}

absl::StatusOr<int64_t> Int(const Args& args, const std::string& key,
                            int64_t fallback) {
  if (!args.Has(key)) return fallback;
  int64_t v;
  if (!absl::SimpleAtoi(args.Get(key), &v))
    return Usage("--" + key + " takes an integer");
  return v;
}

// --ne=100 --eta_stdp=0.01 --network_type_ee=Dense ... into Params.
absl::Status SetParams(const Args& args, pb::Params* params) {
  const auto* d = pb::Params::descriptor();
  const auto* r = pb::Params::GetReflection();
  for (const auto& [key, value] : args.options) {
    const auto* field = d->FindFieldByName(key);
    if (field == nullptr) continue;
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_INT32) {
      int v;
      if (!absl::SimpleAtoi(value, &v))
        return Usage("--" + key + " takes an integer");
      r->SetInt32(params, field, v);
    } else if (field->type() ==
               google::protobuf::FieldDescriptor::TYPE_DOUBLE) {
      double v;
      if (!absl::SimpleAtod(value, &v))
        return Usage("--" + key + " takes a number");
      r->SetDouble(params, field, v);
    } else {
      const auto* e = field->enum_type()->FindValueByName(
          value == "Dense" || value == "dense"     ? "DENSE"
          : value == "Sparse" || value == "sparse" ? "SPARSE"
                                                   : value);
      if (e == nullptr) return Usage("--" + key + " is Sparse or Dense");
      r->SetEnum(params, field, e);
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> List(const std::string& csv) {
  return absl::StrSplit(csv, ',', absl::SkipEmpty());
}

void PrintInfo(const pb::SessionInfo& i) {
  std::string frozen;
  for (const std::string& f : i.frozen())
    absl::StrAppend(&frozen, frozen.empty() ? "" : ",", f);
  std::printf(
      "name: %s\nne: %d\nni: %d\nnu: %d\nseed: %llu\nstep: %lld\nfrozen: %s\n"
      "ee_connections: %lld\nei_connections: %lld\nie_connections: %lld\n"
      "recorded_steps: %lld\nrate_x: %.6f\nrate_y: %.6f\n",
      i.name().c_str(), i.ne(), i.ni(), i.nu(), (unsigned long long)i.seed(),
      (long long)i.step(), frozen.c_str(), (long long)i.ee_connections(),
      (long long)i.ei_connections(), (long long)i.ie_connections(),
      (long long)i.recorded_steps(), i.rate_x(), i.rate_y());
}

absl::Status Print(absl::StatusOr<pb::SessionInfo> info) {
  if (!info.ok()) return info.status();
  PrintInfo(*info);
  return absl::OkStatus();
}

// Simulate and Train.
absl::Status Run(SornClient& client, const Args& args, bool train) {
  const std::string& name = args.positional[0];
  absl::StatusOr<pb::SessionInfo> info = client.Get(name);
  if (!info.ok()) return info.status();
  pb::RunRequest req;
  req.set_session(name);
  absl::StatusOr<int64_t> steps = Int(args, "steps", 0);
  if (!steps.ok()) return steps.status();
  req.set_noise(!args.Has("no_noise"));
  for (const std::string& m : List(args.Get("freeze"))) req.add_freeze(m);
  if (args.Has("inputs")) {
    absl::StatusOr<sorn::NpyArray> inputs = sorn::ReadNpy(args.Get("inputs"));
    if (!inputs.ok()) return inputs.status();
    if (inputs->shape.size() != 2)
      return Usage("--inputs must hold an nu x T array");
    req.mutable_values()->set_units(int(inputs->shape[0]));
    req.mutable_values()->set_steps(inputs->shape[1]);
    req.mutable_values()->mutable_values()->Assign(inputs->data.begin(),
                                                   inputs->data.end());
    if (*steps == 0) *steps = inputs->shape[1];
  } else if (args.Has("generate")) {
    static const std::map<std::string, pb::GeneratedInputs::Kind> kinds = {
        {"uniform", pb::GeneratedInputs::UNIFORM},
        {"gaussian", pb::GeneratedInputs::GAUSSIAN},
        {"one_hot", pb::GeneratedInputs::ONE_HOT}};
    auto kind = kinds.find(args.Get("generate"));
    if (kind == kinds.end())
      return Usage("--generate is uniform, gaussian or one_hot");
    req.mutable_generated()->set_kind(kind->second);
    absl::StatusOr<int64_t> seed = Int(args, "input_seed", 0);
    if (!seed.ok()) return seed.status();
    req.mutable_generated()->set_seed(*seed);
  }
  req.set_timesteps(*steps);
  const bool progress = isatty(STDERR_FILENO) && !args.Has("quiet");
  std::vector<double> x, y, r, ee, ei;
  int64_t done = 0;
  auto add = [](const std::string& packed, int steps, int n,
                std::vector<double>& out) {
    const size_t bytes = (size_t(n) + 7) / 8;
    for (int t = 0; t < steps; ++t) {
      for (int i = 0; i < n; ++i)
        out.push_back((uint8_t(packed[t * bytes + i / 8]) >> (i % 8)) & 1);
    }
  };
  absl::Status s = client.Run(req, train, [&](const pb::RunResponse& m) {
    add(m.x(), m.steps(), info->ne(), x);
    add(m.y(), m.steps(), info->ni(), y);
    add(m.r(), m.steps(), info->ne(), r);
    ee.insert(ee.end(), m.ee_conn().begin(), m.ee_conn().end());
    ei.insert(ei.end(), m.ei_conn().begin(), m.ei_conn().end());
    done += m.steps();
    if (progress) {
      const int width = 40,
                filled = int(width * done / std::max<int64_t>(1, *steps));
      std::fprintf(stderr, "\r[%s%s] %lld/%lld steps",
                   std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), (long long)done,
                   (long long)*steps);
    }
  });
  if (progress) std::fprintf(stderr, "\n");
  if (!s.ok()) return s;
  if (args.Has("out")) {
    const std::string prefix = args.Get("out");
    const int64_t t = done;
    for (auto [suffix, data, cols] :
         {std::tuple{"_x.npy", &x, int64_t(info->ne())},
          {"_y.npy", &y, int64_t(info->ni())},
          {"_r.npy", &r, int64_t(info->ne())},
          {"_ee_conn.npy", &ee, int64_t(0)},
          {"_ei_conn.npy", &ei, int64_t(0)}}) {
      sorn::NpyArray a;
      a.shape = cols ? std::vector<int64_t>{t, cols} : std::vector<int64_t>{t};
      a.data = *data;
      absl::Status w = sorn::WriteNpy(prefix + suffix, a);
      if (!w.ok()) return w;
    }
  }
  double sx = 0, sy = 0;
  for (double v : x) sx += v;
  for (double v : y) sy += v;
  std::printf("%s %lld steps: rate_x %.4f rate_y %.4f\n",
              train ? "trained" : "simulated", (long long)done,
              done ? sx / (done * info->ne()) : 0.0,
              done ? sy / (done * info->ni()) : 0.0);
  return absl::OkStatus();
}

absl::Status Export(SornClient& client, const Args& args) {
  absl::StatusOr<std::string> bytes = client.Export(args.positional[0]);
  if (!bytes.ok()) return bytes.status();
  pb::NetworkState state;
  if (!state.ParseFromString(*bytes))
    return absl::DataLossError("unreadable state");
  sorn::client::NpzEntries npz;
  auto dense = [](const pb::SynapseMatrixState& m) {
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
  };
  auto column = [](const auto& values) {
    sorn::NpyArray a;
    a.shape = {int64_t(values.size()), 1};
    a.data.assign(values.begin(), values.end());
    return sorn::SerializeNpy(a);
  };
  auto activity = [](const std::string& prev, const std::string& now) {
    sorn::NpyArray a;
    a.shape = {int64_t(now.size()), 2};
    for (size_t i = 0; i < now.size(); ++i) {
      a.data.push_back(uint8_t(prev[i]));
      a.data.push_back(uint8_t(now[i]));
    }
    return sorn::SerializeNpy(a);
  };
  npz["Wee"] = dense(state.wee());
  npz["Wei"] = dense(state.wei());
  npz["Wie"] = dense(state.wie());
  npz["Te"] = column(state.te());
  npz["Ti"] = column(state.ti());
  npz["X"] = activity(state.x_prev(), state.x());
  npz["Y"] = activity(state.y_prev(), state.y());
  // The exact state, generator included, for a bit-identical import.
  npz["sorn_state"] = sorn::SerializeNpyBytes(*bytes);
  absl::Status s = sorn::client::WriteNpz(args.positional[1], npz);
  if (s.ok())
    std::printf("exported %s to %s\n", args.positional[0].c_str(),
                args.positional[1].c_str());
  return s;
}

absl::Status Import(SornClient& client, const Args& args) {
  absl::StatusOr<sorn::client::NpzEntries> npz =
      sorn::client::ReadNpz(args.positional[0]);
  if (!npz.ok()) return npz.status();
  pb::ImportStateRequest::Header header;
  header.set_name(args.positional[1]);
  header.set_replace(args.Has("replace"));
  std::string data;
  auto state = npz->find("sorn_state");
  if (state != npz->end() && !args.Has("reference")) {
    absl::StatusOr<sorn::NpyRaw> raw = sorn::ParseNpyRaw(state->second);
    if (!raw.ok()) return raw.status();
    header.set_format(pb::ImportStateRequest::Header::NATIVE);
    data = raw->data;
  } else {
    pb::ReferenceState ref;
    for (auto [name, out] : {std::pair{"Wee", ref.mutable_wee()},
                             {"Wei", ref.mutable_wei()},
                             {"Wie", ref.mutable_wie()},
                             {"Te", ref.mutable_te()},
                             {"Ti", ref.mutable_ti()},
                             {"X", ref.mutable_x()},
                             {"Y", ref.mutable_y()}}) {
      auto it = npz->find(name);
      if (it == npz->end())
        return absl::InvalidArgumentError(
            absl::StrCat("the npz has no ", name));
      absl::StatusOr<sorn::NpyArray> a = sorn::ParseNpy(it->second);
      if (!a.ok()) return a.status();
      out->set_rows(a->shape.empty() ? 0 : int(a->shape[0]));
      out->set_cols(a->shape.size() > 1 ? int(a->shape[1]) : 1);
      out->mutable_data()->Assign(a->data.begin(), a->data.end());
    }
    header.set_format(pb::ImportStateRequest::Header::REFERENCE);
    absl::Status p = SetParams(args, header.mutable_params());
    if (!p.ok()) return p;
    if (!header.params().has_ne())
      header.mutable_params()->set_ne(ref.wee().rows());
    absl::StatusOr<int64_t> seed = Int(args, "seed", 1);
    if (!seed.ok()) return seed.status();
    header.set_seed(*seed);
    data = ref.SerializeAsString();
  }
  return Print(client.Import(header, data));
}

const std::map<std::string, Command>& Commands() {
  static const auto* commands = new std::map<std::string, Command>{
      {"create",
       {"create NAME [--seed=N] [--record_buffer_steps=N] [--ne=.. "
        "--eta_stdp=.. any SORN parameter]",
        1,
        [](SornClient& c, const Args& a) {
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
          absl::Status p = SetParams(a, req.mutable_params());
          return p.ok() ? Print(c.Create(req)) : p;
        }}},
      {"list",
       {"list", 0,
        [](SornClient& c, const Args&) -> absl::Status {
          absl::StatusOr<std::vector<pb::SessionInfo>> all = c.List();
          if (!all.ok()) return all.status();
          for (const pb::SessionInfo& i : *all) {
            std::printf("%s\tstep %lld\tne %d\tee %lld\trate_x %.4f\n",
                        i.name().c_str(), (long long)i.step(), i.ne(),
                        (long long)i.ee_connections(), i.rate_x());
          }
          return absl::OkStatus();
        }}},
      {"get",
       {"get NAME", 1,
        [](SornClient& c, const Args& a) {
          return Print(c.Get(a.positional[0]));
        }}},
      {"delete",
       {"delete NAME", 1,
        [](SornClient& c, const Args& a) {
          return c.Delete(a.positional[0]);
        }}},
      {"simulate",
       {"simulate NAME --steps=T [--inputs=FILE.npy (nu x T) | "
        "--generate=uniform|gaussian|one_hot "
        "[--input_seed=N]] [--no_noise] [--freeze=stdp,ip] [--out=PREFIX] "
        "[--quiet]",
        1, [](SornClient& c, const Args& a) { return Run(c, a, false); }}},
      {"train",
       {"train NAME (options as simulate; training phase)", 1,
        [](SornClient& c, const Args& a) { return Run(c, a, true); }}},
      {"freeze",
       {"freeze NAME [--freeze=stdp,ip] [--unfreeze=ss]", 1,
        [](SornClient& c, const Args& a) {
          pb::FreezeRequest req;
          req.set_session(a.positional[0]);
          for (const std::string& m : List(a.Get("freeze"))) req.add_freeze(m);
          for (const std::string& m : List(a.Get("unfreeze")))
            req.add_unfreeze(m);
          return Print(c.Freeze(req));
        }}},
      {"stats",
       {"stats NAME [--population=excitatory|inhibitory|recurrent] "
        "[--last_steps=N] [--neuron=I] "
        "[--bin_size=N] [--window_size=N] [--lag=N]",
        1,
        [](SornClient& c, const Args& a) -> absl::Status {
          pb::GetStatisticsRequest req;
          req.set_session(a.positional[0]);
          pb::Population pop = pb::EXCITATORY;
          if (a.Has("population") &&
              !pb::Population_Parse(absl::AsciiStrToUpper(a.Get("population")),
                                    &pop)) {
            return Usage("--population is excitatory, inhibitory or recurrent");
          }
          req.set_population(pop);
          for (auto [key, set] : std::vector<
                   std::pair<const char*, std::function<void(int64_t)>>>{
                   {"last_steps", [&](int64_t v) { req.set_last_steps(v); }},
                   {"neuron", [&](int64_t v) { req.set_neuron(int(v)); }},
                   {"bin_size", [&](int64_t v) { req.set_bin_size(int(v)); }},
                   {"window_size",
                    [&](int64_t v) { req.set_window_size(int(v)); }},
                   {"lag", [&](int64_t v) { req.set_lag(int(v)); }}}) {
            absl::StatusOr<int64_t> v = Int(a, key, 0);
            if (!v.ok()) return v.status();
            set(*v);
          }
          absl::StatusOr<pb::Statistics> st = c.Statistics(req);
          if (!st.ok()) return st.status();
          std::printf("steps: %lld\nneurons: %d\n", (long long)st->steps(),
                      st->neurons());
          auto opt = [](const char* name, bool has, double v) {
            if (has) std::printf("%s: %.6g\n", name, v);
          };
          opt("firing_rate_neuron_mean", st->has_firing_rate_neuron_mean(),
              st->firing_rate_neuron_mean());
          opt("scale_dependent_smoothness",
              st->has_scale_dependent_smoothness(),
              st->scale_dependent_smoothness());
          opt("scale_independent_smoothness",
              st->has_scale_independent_smoothness(),
              st->scale_independent_smoothness());
          opt("autocorrelation", st->has_autocorrelation(),
              st->autocorrelation());
          opt("mean_correlation", st->has_mean_correlation(),
              st->mean_correlation());
          opt("fano_factor", st->has_fano_factor(), st->fano_factor());
          opt("spike_source_entropy", st->has_spike_source_entropy(),
              st->spike_source_entropy());
          for (const auto& [name, why] : st->undefined())
            std::printf("%s: undefined (%s)\n", name.c_str(), why.c_str());
          return absl::OkStatus();
        }}},
      {"export",
       {"export NAME FILE.npz   (Wee Wei Wie Te Ti X Y, and sorn_state for an "
        "exact import)",
        2, Export}},
      {"import",
       {"import FILE.npz NAME [--replace] [--reference] [--seed=N] [--nu=.. "
        "any SORN parameter]",
        2, Import}},
      {"fork",
       {"fork SOURCE NAME [--reseed=N]", 2,
        [](SornClient& c, const Args& a) -> absl::Status {
          pb::ForkSessionRequest req;
          req.set_source(a.positional[0]);
          req.set_name(a.positional[1]);
          if (a.Has("reseed")) {
            absl::StatusOr<int64_t> s = Int(a, "reseed", 0);
            if (!s.ok()) return s.status();
            req.set_reseed(*s);
          }
          return Print(c.Fork(req));
        }}},
      {"health",
       {"health", 0,
        [](SornClient& c, const Args&) -> absl::Status {
          absl::Status s = c.Health();
          if (s.ok()) std::printf("SERVING\n");
          return s;
        }}},
  };
  return *commands;
}

void PrintUsage(FILE* out) {
  std::fprintf(
      out,
      "usage: sornctl [--address=HOST:PORT] [--token=TOKEN] [--tls_ca=PEM] "
      "[--tls_cert=PEM --tls_key=PEM] COMMAND "
      "[ARGS]\ncommands:\n");
  for (const auto& [name, command] : Commands())
    std::fprintf(out, "  %s\n", command.usage);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      const size_t eq = a.find('=');
      args.options[a.substr(
          2, eq == std::string::npos ? std::string::npos : eq - 2)] =
          eq == std::string::npos ? "" : a.substr(eq + 1);
    } else if (command.empty()) {
      command = a;
    } else {
      args.positional.push_back(a);
    }
  }
  if (command.empty()) {
    PrintUsage(args.Has("help") ? stdout : stderr);
    return args.Has("help") ? 0 : 2;
  }
  auto it = Commands().find(command);
  if (it == Commands().end()) {
    std::fprintf(stderr, "sornctl: unknown command \"%s\"\n", command.c_str());
    PrintUsage(stderr);
    return 2;
  }
  if (args.Has("help")) {
    std::printf("usage: sornctl [--address=HOST:PORT] [--token=TOKEN] %s\n",
                it->second.usage);
    return 0;
  }
  if (int(args.positional.size()) != it->second.positional) {
    std::fprintf(stderr, "usage: sornctl %s\n", it->second.usage);
    return 2;
  }
  auto flag_or_env = [&](const char* flag, const char* env,
                         const char* fallback) {
    const char* value = std::getenv(env);
    return args.Get(flag, value != nullptr ? value : fallback);
  };
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  const std::string tls_ca = flag_or_env("tls_ca", "SORN_TLS_CA", "");
  const std::string tls_cert = flag_or_env("tls_cert", "SORN_TLS_CERT", "");
  const std::string tls_key = flag_or_env("tls_key", "SORN_TLS_KEY", "");
  if (!tls_ca.empty() || !tls_cert.empty() || !tls_key.empty() ||
      args.Has("tls")) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls =
        sorn::client::TlsCredentials(tls_ca, tls_cert, tls_key);
    if (!tls.ok()) {
      std::fprintf(stderr, "sornctl: %s\n",
                   std::string(tls.status().message()).c_str());
      return 2;
    }
    credentials = *tls;
  }
  SornClient client(
      flag_or_env("address", "SORN_SERVER_ADDRESS", "127.0.0.1:50051"),
      flag_or_env("token", "SORN_TOKEN", ""), credentials);
  const absl::Status s = it->second.run(client, args);
  if (s.ok()) return 0;
  if (absl::StartsWith(s.message(), "usage: ")) {
    std::fprintf(stderr, "sornctl %s: %s\n", command.c_str(),
                 std::string(s.message()).c_str());
    return 2;
  }
  std::fprintf(stderr, "sornctl: %s: %s\n",
               absl::StatusCodeToString(s.code()).c_str(),
               std::string(s.message()).c_str());
  return static_cast<int>(s.code());
}
