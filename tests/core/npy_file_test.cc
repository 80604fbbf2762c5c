#include "core/npy_file.h"

#include <cstdio>
#include <filesystem>

#include "gtest/gtest.h"

namespace sorn {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// A version 1.0 file with the given header dict, padded as NumPy pads it.
std::string NpyBytes(std::string header, const void* data, size_t size) {
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(static_cast<const char*>(data), size);
  return bytes;
}

TEST(NpyFileTest, WriteThenReadRoundTrips) {
  NpyArray a;
  a.shape = {2, 3};
  a.data = {1.5, -2, 0, 1e-300, 7, 3.25};
  const std::string path = TempPath("sorn_npy_roundtrip.npy");
  ASSERT_TRUE(WriteNpy(path, a).ok());
  absl::StatusOr<NpyArray> b = ReadNpy(path);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->shape, a.shape);
  EXPECT_EQ(b->data, a.data);
  std::remove(path.c_str());
}

TEST(NpyFileTest, ReadsOneDimensionalAndIntegerArrays) {
  NpyArray a;
  a.shape = {4};
  a.data = {1, 2, 3, 4};
  const std::string path = TempPath("sorn_npy_1d.npy");
  ASSERT_TRUE(WriteNpy(path, a).ok());
  EXPECT_EQ(ReadNpy(path)->shape, (std::vector<int64_t>{4}));
  std::remove(path.c_str());
  const int64_t values[2] = {-3, 40};
  absl::StatusOr<NpyArray> b = ParseNpy(
      NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
               values, sizeof(values)));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->data, (std::vector<double>{-3, 40}));
}

TEST(NpyFileTest, FortranOrderIsConvertedToCOrder) {
  // Column-major [[1, 2, 3], [4, 5, 6]].
  const double values[6] = {1, 4, 2, 5, 3, 6};
  absl::StatusOr<NpyArray> b = ParseNpy(
      NpyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
               values, sizeof(values)));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(NpyFileTest, MalformedFilesAreErrors) {
  EXPECT_EQ(ParseNpy("hello").status().code(),
            absl::StatusCode::kInvalidArgument);
  const double two[2] = {1, 2};  // 2 of 10 values.
  absl::StatusOr<NpyArray> b = ParseNpy(
      NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }",
               two, sizeof(two)));
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("truncated"), std::string::npos);
  EXPECT_EQ(ReadNpy("/nonexistent/x.npy").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sorn
