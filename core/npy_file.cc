#include "core/npy_file.h"

#include <cerrno>
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

absl::StatusOr<NpyRaw> ParseNpyRaw(const std::string& bytes) {
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
  NpyRaw raw;
  std::string dims(absl::StripSuffix(absl::StripPrefix(*shape, "("), ")"));
  for (absl::string_view part :
       absl::StrSplit(dims, ',', absl::SkipWhitespace())) {
    int64_t d;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &d) || d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad npy shape ", *shape));
    }
    raw.shape.push_back(d);
  }
  raw.descr =
      std::string(absl::StripSuffix(absl::StripPrefix(*descr, "'"), "'"));
  raw.fortran_order = *order == "True";
  raw.data = bytes.substr(header_start + header_len);
  return raw;
}

absl::StatusOr<NpyArray> ParseNpy(const std::string& bytes) {
  absl::StatusOr<NpyRaw> raw = ParseNpyRaw(bytes);
  if (!raw.ok()) return raw.status();
  NpyArray array;
  array.shape = raw->shape;
  const std::string& type = raw->descr;
  const int64_t n = array.size();
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
  if (raw->data.size() < size_t(n) * item) {
    return absl::InvalidArgumentError(absl::StrCat(
        "npy data truncated: ", raw->data.size(), " bytes for ", n, " values"));
  }
  const char* data = raw->data.data();
  if (type == "<f8") Convert<double>(data, n, array.data);
  if (type == "<f4") Convert<float>(data, n, array.data);
  if (type == "<i8") Convert<int64_t>(data, n, array.data);
  if (type == "<i4") Convert<int32_t>(data, n, array.data);
  if (type == "|u1" || type == "|b1") Convert<uint8_t>(data, n, array.data);
  if (type == "|i1") Convert<int8_t>(data, n, array.data);
  if (raw->fortran_order) ToCOrder(array);
  return array;
}

absl::StatusOr<NpyArray> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<NpyArray> array = ParseNpy(buffer.str());
  if (!array.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", array.status().message()));
  }
  return array;
}

namespace {

// Magic, version 1.0, header padded to a multiple of 64 bytes.
std::string NpyHeader(const std::string& descr,
                      const std::vector<int64_t>& shape) {
  std::string dims = "(";
  for (size_t d = 0; d < shape.size(); ++d) {
    absl::StrAppend(&dims, shape[d], shape.size() == 1 ? "," : "",
                    d + 1 < shape.size() ? ", " : "");
  }
  dims += ")";
  std::string header =
      absl::StrCat("{'descr': '", descr,
                   "', 'fortran_order': False, 'shape': ", dims, ", }");
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

}  // namespace

std::string SerializeNpy(const NpyArray& array) {
  std::string out = NpyHeader("<f8", array.shape);
  out.append(reinterpret_cast<const char*>(array.data.data()),
             array.data.size() * sizeof(double));
  return out;
}

std::string SerializeNpyBytes(const std::string& bytes) {
  return NpyHeader("|u1", {static_cast<int64_t>(bytes.size())}) + bytes;
}

std::string SerializeNpyU8(const std::vector<int64_t>& shape,
                           const std::vector<uint8_t>& data) {
  std::string out = NpyHeader("|u1", shape);
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  return out;
}

std::string SerializeNpyI64(const std::vector<int64_t>& shape,
                            const std::vector<int64_t>& data) {
  std::string out = NpyHeader("<i8", shape);
  out.append(reinterpret_cast<const char*>(data.data()),
             data.size() * sizeof(int64_t));
  return out;
}

absl::Status WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  out.write(bytes.data(), bytes.size());
  out.flush();
  if (!out) return absl::DataLossError(absl::StrCat("short write to ", path));
  return absl::OkStatus();
}

absl::Status WriteNpy(const std::string& path, const NpyArray& array) {
  return WriteFileBytes(path, SerializeNpy(array));
}

}  // namespace sorn
