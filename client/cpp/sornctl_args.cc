// sornctl's command line: parsing argv, and reading integers, comma lists and
// SORN parameters from the flags.
#include "client/cpp/sornctl_args.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sorn::ctl {

namespace pb = ::sorn::v1;

Args ParseArgs(int argc, char** argv, std::string* command) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      const size_t eq = a.find('=');
      args.options[a.substr(
          2, eq == std::string::npos ? std::string::npos : eq - 2)] =
          eq == std::string::npos ? "" : a.substr(eq + 1);
    } else if (command->empty()) {
      *command = a;
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

namespace {
// Prefixes that mark a status as sornctl's own (not the server's).
constexpr char kInputPrefix[] = "input file: ";
constexpr char kDataPrefix[] = "input data: ";
constexpr char kOutputPrefix[] = "output file: ";
}  // namespace

absl::Status InputFile(const absl::Status& status) {
  if (status.ok()) return status;
  const bool unreadable = status.code() == absl::StatusCode::kNotFound;
  return absl::Status(
      status.code(),
      absl::StrCat(unreadable ? kInputPrefix : kDataPrefix, status.message()));
}

absl::Status OutputFile(const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(kOutputPrefix, status.message()));
}

int LocalExitCode(const absl::Status& status) {
  const absl::string_view m = status.message();
  if (absl::StartsWith(m, "usage: ")) return 64;      // EX_USAGE
  if (absl::StartsWith(m, kDataPrefix)) return 65;    // EX_DATAERR
  if (absl::StartsWith(m, kInputPrefix)) return 66;   // EX_NOINPUT
  if (absl::StartsWith(m, kOutputPrefix)) return 73;  // EX_CANTCREAT
  return -1;
}

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

std::vector<std::string> List(const std::string& csv) {
  return absl::StrSplit(csv, ',', absl::SkipEmpty());
}

namespace {

// --input_pools=1,3;3,7: pools separated by ';', neurons by ','.
absl::Status SetInputPools(const std::string& value, pb::Params* params) {
  for (absl::string_view pool : absl::StrSplit(value, ';')) {
    if (absl::StripAsciiWhitespace(pool).empty())
      return Usage("--input_pools has an empty pool (pools like 1,3;3,7)");
    pb::InputPool* out = params->add_input_pools();
    for (absl::string_view neuron :
         absl::StrSplit(pool, ',', absl::SkipEmpty())) {
      int v;
      if (!absl::SimpleAtoi(neuron, &v))
        return Usage(
            "--input_pools takes neurons like 1,3;3,7 (one pool per "
            "input unit, separated by ';')");
      out->add_neurons(v);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetParams(const Args& args, pb::Params* params) {
  const auto* d = pb::Params::descriptor();
  const auto* r = pb::Params::GetReflection();
  for (const auto& [key, value] : args.options) {
    const auto* field = d->FindFieldByName(key);
    if (field == nullptr) continue;
    if (key == "input_pools") {
      absl::Status s = SetInputPools(value, params);
      if (!s.ok()) return s;
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_BOOL) {
      bool v;
      if (!absl::SimpleAtob(value, &v))
        return Usage("--" + key + " takes true or false (or yes/no, 1/0)");
      r->SetBool(params, field, v);
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_INT32) {
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
      // Enums (network types, arithmetic) in any case: Dense, DENSE, exact.
      const auto* type = field->enum_type();
      const auto* e = type->FindValueByName(absl::AsciiStrToUpper(value));
      if (e == nullptr || e->number() == 0) {
        std::vector<std::string> names;
        for (int k = 1; k < type->value_count(); ++k) {
          names.push_back(type->value(k)->name());
        }
        return Usage("--" + key + " is one of " + absl::StrJoin(names, ", "));
      }
      r->SetEnum(params, field, e);
    }
  }
  return absl::OkStatus();
}

}  // namespace sorn::ctl
