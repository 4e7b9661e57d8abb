// Dataset files: IDX (raw and gzip) and CIFAR-10 binary, good and bad, from
// files the test writes; and the real Fashion-MNIST that set-up installs.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using mish::lab::DataError;

void put32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

Bytes idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  Bytes b = {0, 0, 0x08, 3};
  put32(b, n);
  put32(b, rows);
  put32(b, cols);
  for (uint32_t i = 0; i < n * rows * cols; ++i) b.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

Bytes idx_labels(uint32_t n) {
  Bytes b = {0, 0, 0x08, 1};
  put32(b, n);
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

Bytes gzip(const Bytes& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);  // +16: gzip wrapper
  Bytes out(deflateBound(&zs, in.size()) + 64);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Bytes cifar_records(int n, int label_offset = 0) {
  Bytes b;
  for (int r = 0; r < n; ++r) {
    b.push_back(static_cast<uint8_t>((r + label_offset) % 10));
    for (int i = 0; i < 3072; ++i) b.push_back(static_cast<uint8_t>(r + i));
  }
  return b;
}

// The message of the DataError fn throws ("" and a test failure if none).
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError";
  return "";
}

#define EXPECT_ERROR(expr, fragment)                                                        \
  do {                                                                                      \
    const std::string m_ = error_of([&] { (void)(expr); });                                 \
    EXPECT_NE(m_.find(fragment), std::string::npos) << "message: " << m_;                   \
  } while (0)

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("mish_test_data_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const Bytes& b) {
    std::ofstream f(dir / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  fs::path dir;
};

TEST(Idx, ParsesImagesAndLabels) {
  const auto s = mish::lab::parse_idx(idx_images(5, 3, 4), "img", idx_labels(5), "lab");
  EXPECT_EQ(s.n, 5);
  EXPECT_EQ(s.channels, 1);
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.cols, 4);
  ASSERT_EQ(s.pixels.size(), 60u);
  EXPECT_EQ(s.pixels[13], static_cast<uint8_t>(13 * 7));
  EXPECT_EQ(s.labels, (Bytes{0, 1, 2, 3, 4}));
}

TEST(Idx, BadFilesSayWhatIsWrong) {
  const Bytes img = idx_images(4, 2, 2), lab = idx_labels(4);
  Bytes bad = img;
  bad[0] = 0x42;
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "img: not an IDX image file (bad magic");
  bad = img;
  bad[2] = 0x0d;  // float elements
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "element type 0x0d is not supported");
  EXPECT_ERROR(mish::lab::parse_idx(lab, "lab", img, "img"), "swapped");
  bad = Bytes(img.begin(), img.end() - 3);
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "img: truncated");
  bad = Bytes(img.begin(), img.begin() + 10);
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "header is truncated");
  bad = img;
  bad.push_back(1);
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "bytes after");
  EXPECT_ERROR(mish::lab::parse_idx(img, "img", idx_labels(3), "lab"), "4 images but lab has 3 labels");
  bad = lab;
  bad.back() = 10;
  EXPECT_ERROR(mish::lab::parse_idx(img, "img", bad, "lab"), "label 10 of item 3 is not below 10");
  bad = img;
  bad[4] = bad[5] = bad[6] = bad[7] = 0;  // zero images
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "out of range");
  bad = img;
  bad[8] = bad[12] = 0x0f;  // 4 x 2^28-ish x 2^28-ish
  EXPECT_ERROR(mish::lab::parse_idx(bad, "img", lab, "lab"), "img:");
  EXPECT_ERROR(mish::lab::parse_idx(Bytes{}, "img", lab, "lab"), "too short");
}

TEST(Gzip, DecodesAndRejectsDamage) {
  const Bytes raw = idx_images(3, 5, 5);
  const Bytes gz = gzip(raw);
  EXPECT_EQ(mish::lab::decode(gz, "f.gz"), raw);
  EXPECT_EQ(mish::lab::decode(raw, "f"), raw);  // not gzip: as is
  EXPECT_ERROR(mish::lab::decode(Bytes(gz.begin(), gz.end() - 12), "f.gz"), "f.gz: the gzip stream ends early");
  Bytes corrupt = gz;
  for (size_t i = 12; i < corrupt.size() - 8; ++i) corrupt[i] ^= 0x5a;
  EXPECT_ERROR(mish::lab::decode(corrupt, "f.gz"), "f.gz:");
  Bytes trailing = gz;
  trailing.push_back(0);
  EXPECT_ERROR(mish::lab::decode(trailing, "f.gz"), "after the end of the gzip stream");
}

TEST(Cifar10, ParsesRecordsAcrossFiles) {
  mish::lab::ImageSet s;
  mish::lab::parse_cifar10(cifar_records(3), "b1", s);
  mish::lab::parse_cifar10(cifar_records(2, 3), "b2", s);
  EXPECT_EQ(s.n, 5);
  EXPECT_EQ(s.channels, 3);
  EXPECT_EQ(s.rows, 32);
  EXPECT_EQ(s.labels, (Bytes{0, 1, 2, 3, 4}));
  ASSERT_EQ(s.pixels.size(), 5u * 3072);
  EXPECT_EQ(s.pixels[3072 + 5], static_cast<uint8_t>(1 + 5));
}

TEST(Cifar10, BadFilesSayWhatIsWrong) {
  mish::lab::ImageSet s;
  EXPECT_ERROR(mish::lab::parse_cifar10(Bytes{}, "b", s), "b: empty file");
  const Bytes good = cifar_records(2);
  EXPECT_ERROR(mish::lab::parse_cifar10(Bytes(good.begin(), good.end() - 1), "b", s), "not a multiple of the 3073-byte");
  Bytes bad = good;
  bad[3073] = 11;
  EXPECT_ERROR(mish::lab::parse_cifar10(bad, "b", s), "label 11 of item 1 is not below 10");
}

TEST_F(TempDir, LoadsIdxDirectoriesRawAndGzip) {
  write("train-images-idx3-ubyte.gz", gzip(idx_images(20, 28, 28)));
  write("train-labels-idx1-ubyte.gz", gzip(idx_labels(20)));
  write("t10k-images-idx3-ubyte", idx_images(6, 28, 28));
  write("t10k-labels-idx1-ubyte", idx_labels(6));
  const auto s = mish::lab::load("mnist", dir.string());
  EXPECT_EQ(s.train.n, 20);
  EXPECT_EQ(s.test.n, 6);
  EXPECT_EQ(s.class_names.size(), 10u);
  fs::remove(dir / "t10k-labels-idx1-ubyte");
  EXPECT_ERROR(mish::lab::load("mnist", dir.string()), "no t10k-images-idx3-ubyte[.gz] / t10k-labels");
}

TEST_F(TempDir, LoadsCifar10Directories) {
  fs::create_directories(dir / "cifar-10-batches-bin");
  for (int b = 1; b <= 5; ++b) {
    std::ofstream f(dir / "cifar-10-batches-bin" / ("data_batch_" + std::to_string(b) + ".bin"), std::ios::binary);
    const Bytes r = cifar_records(2, b);
    f.write(reinterpret_cast<const char*>(r.data()), static_cast<std::streamsize>(r.size()));
  }
  EXPECT_ERROR(mish::lab::load("cifar10", dir.string()), "test_batch.bin: missing");
  {
    std::ofstream f(dir / "cifar-10-batches-bin" / "test_batch.bin", std::ios::binary);
    const Bytes r = cifar_records(3);
    f.write(reinterpret_cast<const char*>(r.data()), static_cast<std::streamsize>(r.size()));
  }
  const auto s = mish::lab::load("cifar10", dir.string());
  EXPECT_EQ(s.train.n, 10);
  EXPECT_EQ(s.test.n, 3);
  EXPECT_EQ(s.train.channels, 3);
}

TEST(Load, BadRequestsSayWhatToDo) {
  EXPECT_ERROR(mish::lab::load("imagenet"), "unknown dataset 'imagenet'; choose fashion-mnist, mnist or cifar10");
  EXPECT_ERROR(mish::lab::load("cifar10"), "pass --data-dir");
  EXPECT_ERROR(mish::lab::load("mnist", "/nonexistent/mnist"), "/nonexistent/mnist does not exist");
  EXPECT_ERROR(mish::lab::read_file("/nonexistent/file"), "/nonexistent/file: cannot open");
}

// The default dataset, as Debian's dataset-fashion-mnist installs it (set-up
// installs the package; without it this test fails and says so).
TEST(Load, RealFashionMnist) {
  const auto s = mish::lab::load("fashion-mnist");
  EXPECT_EQ(s.train.n, 60000);
  EXPECT_EQ(s.test.n, 10000);
  EXPECT_EQ(s.train.rows, 28);
  EXPECT_EQ(s.train.cols, 28);
  std::vector<int> count(10);
  for (uint8_t l : s.test.labels) ++count[l];
  for (int c : count) EXPECT_EQ(c, 1000);  // the test split is balanced
}

}  // namespace
