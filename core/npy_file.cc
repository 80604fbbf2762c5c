#include "core/npy_file.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sorn {
namespace {

// The value of `key` in the header dict, e.g. "'<f8'" or "(3, 4)".
absl::StatusOr<std::string> HeaderValue(const std::string& header,
                                        const std::string& key) {
  const std::string quoted = absl::StrCat("'", key, "'");
  size_t at = header.find(quoted);
  if (at == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("npy header lacks ", key));
  }
  at = header.find(':', at);
  if (at == std::string::npos) {
    return absl::InvalidArgumentError("malformed npy header");
  }
  ++at;
  while (at < header.size() && header[at] == ' ') ++at;
  size_t end = at;
  if (at < header.size() && header[at] == '(') {
    end = header.find(')', at);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError("malformed npy shape");
    }
    ++end;
  } else {
    end = header.find_first_of(",}", at);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError("malformed npy header");
    }
  }
  return header.substr(at, end - at);
}

template <typename T>
void Convert(const char* raw, int64_t n, std::vector<double>& out) {
  out.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    T v;
    std::memcpy(&v, raw + k * sizeof(T), sizeof(T));
    out[k] = static_cast<double>(v);
  }
}

// Converts a Fortran-ordered array to C order in place.
void ToCOrder(NpyArray& a) {
  if (a.shape.size() < 2) return;
  std::vector<double> c(a.data.size());
  const size_t dims = a.shape.size();
  std::vector<int64_t> index(dims, 0);
  for (size_t f = 0; f < a.data.size(); ++f) {
    int64_t offset = 0;
    for (size_t d = 0; d < dims; ++d) offset = offset * a.shape[d] + index[d];
    c[offset] = a.data[f];
    for (size_t d = 0; d < dims && ++index[d] == a.shape[d]; ++d) index[d] = 0;
  }
  a.data = std::move(c);
}

}  // namespace

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

absl::StatusOr<NpyArray> ParseNpy(const std::string& bytes) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return absl::InvalidArgumentError("not an npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len;
  size_t header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<unsigned char>(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return absl::InvalidArgumentError("truncated npy");
    header_len = 0;
    for (int b = 3; b >= 0; --b) {
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + b]);
    }
    header_start = 12;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported npy version ", major));
  }
  if (bytes.size() < header_start + header_len) {
    return absl::InvalidArgumentError("truncated npy header");
  }
  const std::string header = bytes.substr(header_start, header_len);
  absl::StatusOr<std::string> descr = HeaderValue(header, "descr");
  absl::StatusOr<std::string> order = HeaderValue(header, "fortran_order");
  absl::StatusOr<std::string> shape = HeaderValue(header, "shape");
  if (!descr.ok()) return descr.status();
  if (!order.ok()) return order.status();
  if (!shape.ok()) return shape.status();

  NpyArray array;
  std::string dims(absl::StripSuffix(absl::StripPrefix(*shape, "("), ")"));
  for (absl::string_view part :
       absl::StrSplit(dims, ',', absl::SkipWhitespace())) {
    int64_t d;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &d) || d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad npy shape ", *shape));
    }
    array.shape.push_back(d);
  }
  const std::string type(
      absl::StripSuffix(absl::StripPrefix(*descr, "'"), "'"));
  const int64_t n = array.size();
  const char* raw = bytes.data() + header_start + header_len;
  const size_t available = bytes.size() - header_start - header_len;
  size_t item;
  if (type == "<f8" || type == "<i8") {
    item = 8;
  } else if (type == "<f4" || type == "<i4") {
    item = 4;
  } else if (type == "|u1" || type == "|b1" || type == "|i1") {
    item = 1;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported npy dtype ", type));
  }
  if (available < size_t(n) * item) {
    return absl::InvalidArgumentError(absl::StrCat(
        "npy data truncated: ", available, " bytes for ", n, " values"));
  }
  if (type == "<f8") Convert<double>(raw, n, array.data);
  if (type == "<f4") Convert<float>(raw, n, array.data);
  if (type == "<i8") Convert<int64_t>(raw, n, array.data);
  if (type == "<i4") Convert<int32_t>(raw, n, array.data);
  if (type == "|u1" || type == "|b1") Convert<uint8_t>(raw, n, array.data);
  if (type == "|i1") Convert<int8_t>(raw, n, array.data);
  if (*order == "True") ToCOrder(array);
  return array;
}

absl::StatusOr<NpyArray> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<NpyArray> array = ParseNpy(buffer.str());
  if (!array.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", array.status().message()));
  }
  return array;
}

absl::Status WriteNpy(const std::string& path, const NpyArray& array) {
  std::string shape = "(";
  for (size_t d = 0; d < array.shape.size(); ++d) {
    absl::StrAppend(&shape, array.shape[d], array.shape.size() == 1 ? "," : "",
                    d + 1 < array.shape.size() ? ", " : "");
  }
  shape += ")";
  std::string header = absl::StrCat(
      "{'descr': '<f8', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad so that magic + version + length + header ends on a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  const char preamble[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.write(preamble, 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff),
                             static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char*>(array.data.data()),
            array.data.size() * sizeof(double));
  if (!out) return absl::DataLossError(absl::StrCat("short write to ", path));
  return absl::OkStatus();
}

}  // namespace sorn
