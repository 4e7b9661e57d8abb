#include "data.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& name, const std::string& what) { throw DataError(name + ": " + what); }

bool is_gzip(const std::vector<uint8_t>& b) { return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& name) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) fail(name, "zlib could not start inflating");  // 32: gzip header
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string why = rc == Z_BUF_ERROR ? "the gzip stream ends early (truncated file?)"
                                                : std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "zlib error") + ")";
      inflateEnd(&zs);
      fail(name, why + "; download or copy the file again");
    }
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - zs.avail_out));
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) fail(name, "unexpected bytes after the end of the gzip stream; the file is corrupt");
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]};
}

// An IDX header: 00 00 <type> <ndims>, then ndims big-endian sizes. Returns
// the sizes; checks the element type (unsigned byte) and that the payload
// holds exactly their product.
std::vector<int64_t> idx_dims(const std::vector<uint8_t>& b, const std::string& name, int want_ndims) {
  const char* kind = want_ndims == 3 ? "an IDX image file" : "an IDX label file";
  if (b.size() < 4) fail(name, std::string("too short to be ") + kind + " (" + std::to_string(b.size()) + " bytes)");
  if (b[0] != 0 || b[1] != 0) fail(name, std::string("not ") + kind + " (bad magic number; is it the right file?)");
  if (b[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", b[2]);
    fail(name, std::string("IDX element type ") + type + " is not supported (only unsigned bytes, 0x08)");
  }
  if (b[3] != want_ndims) {
    fail(name, "has " + std::to_string(b[3]) + " dimensions but " + kind + " has " + std::to_string(want_ndims) +
                   " (image and label files swapped?)");
  }
  const size_t header = 4 + 4 * static_cast<size_t>(want_ndims);
  if (b.size() < header) fail(name, "the IDX header is truncated");
  std::vector<int64_t> dims;
  uint64_t total = 1;
  for (int d = 0; d < want_ndims; ++d) {
    const uint32_t v = be32(b, 4 + 4 * static_cast<size_t>(d));
    if (v == 0 || v > (1u << 28)) fail(name, "IDX dimension " + std::to_string(d) + " is " + std::to_string(v) + ", out of range");
    dims.push_back(v);
    total *= v;
    if (total > (uint64_t{1} << 40)) fail(name, "IDX sizes multiply to more than 2^40 bytes; the header is corrupt");
  }
  const uint64_t have = b.size() - header;
  if (have < total) {
    fail(name, "truncated: the header promises " + std::to_string(total) + " bytes of data but the file has " +
                   std::to_string(have) + "; copy the file again");
  }
  if (have > total) {
    fail(name, "has " + std::to_string(have - total) + " bytes after the " + std::to_string(total) +
                   " the header describes; the file is corrupt");
  }
  return dims;
}

void check_labels(const std::vector<uint8_t>& labels, size_t from, const std::string& name, int num_classes) {
  for (size_t i = from; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      fail(name, "label " + std::to_string(labels[i]) + " of item " + std::to_string(i - from) + " is not below " +
                     std::to_string(num_classes) + " (the number of classes)");
    }
  }
}

std::string find_first(const fs::path& dir, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (fs::exists(dir / n)) return (dir / n).string();
  }
  return "";
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) fail(path, "read error");
  return decode(std::move(bytes), path);
}

std::vector<uint8_t> decode(std::vector<uint8_t> bytes, const std::string& name) {
  return is_gzip(bytes) ? gunzip(bytes, name) : bytes;
}

ImageSet parse_idx(const std::vector<uint8_t>& images, const std::string& images_name,
                   const std::vector<uint8_t>& labels, const std::string& labels_name, int num_classes) {
  const auto idims = idx_dims(images, images_name, 3);
  const auto ldims = idx_dims(labels, labels_name, 1);
  if (idims[0] != ldims[0]) {
    throw DataError(images_name + " has " + std::to_string(idims[0]) + " images but " + labels_name + " has " +
                    std::to_string(ldims[0]) + " labels; they must come from the same split");
  }
  ImageSet s;
  s.n = idims[0];
  s.channels = 1;
  s.rows = idims[1];
  s.cols = idims[2];
  s.num_classes = num_classes;
  s.pixels.assign(images.begin() + 16, images.end());
  s.labels.assign(labels.begin() + 8, labels.end());
  check_labels(s.labels, 0, labels_name, num_classes);
  return s;
}

void parse_cifar10(const std::vector<uint8_t>& bytes, const std::string& name, ImageSet& into) {
  constexpr size_t kImage = 3 * 32 * 32, kRecord = 1 + kImage;
  if (bytes.empty()) fail(name, "empty file; a CIFAR-10 batch has records of 3073 bytes");
  if (bytes.size() % kRecord != 0) {
    fail(name, "size " + std::to_string(bytes.size()) + " is not a multiple of the 3073-byte CIFAR-10 record " +
                   "(truncated, or not the binary version of CIFAR-10?)");
  }
  if (into.n == 0) {
    into.channels = 3;
    into.rows = into.cols = 32;
    into.num_classes = 10;
  }
  const size_t count = bytes.size() / kRecord;
  const size_t first_label = into.labels.size();
  into.pixels.reserve(into.pixels.size() + count * kImage);
  for (size_t r = 0; r < count; ++r) {
    const uint8_t* rec = bytes.data() + r * kRecord;
    into.labels.push_back(rec[0]);
    into.pixels.insert(into.pixels.end(), rec + 1, rec + kRecord);
  }
  check_labels(into.labels, first_label, name, 10);
  into.n += static_cast<int64_t>(count);
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "mnist", "cifar10"};
  return names;
}

std::string default_data_dir(const std::string& dataset) {
  return dataset == "fashion-mnist" ? "/usr/share/datasets/fashion-mnist" : "";
}

Splits load(const std::string& dataset, const std::string& dir_in) {
  const auto& names = dataset_names();
  if (std::find(names.begin(), names.end(), dataset) == names.end()) {
    throw DataError("unknown dataset '" + dataset + "'; choose fashion-mnist, mnist or cifar10");
  }
  const std::string dir_s = dir_in.empty() ? default_data_dir(dataset) : dir_in;
  if (dir_s.empty()) {
    throw DataError("dataset " + dataset + " has no default location here; pass --data-dir with its files");
  }
  fs::path dir(dir_s);
  if (!fs::is_directory(dir)) {
    throw DataError("data directory " + dir_s + " does not exist" +
                    (dataset == "fashion-mnist" && dir_in.empty()
                         ? " (install Debian's dataset-fashion-mnist, which scripts/setup does)"
                         : ""));
  }
  Splits s;
  s.dataset = dataset;
  s.source = dir_s;
  if (dataset == "cifar10") {
    if (fs::is_directory(dir / "cifar-10-batches-bin")) dir /= "cifar-10-batches-bin";
    for (int b = 1; b <= 5; ++b) {
      const fs::path f = dir / ("data_batch_" + std::to_string(b) + ".bin");
      if (!fs::exists(f)) throw DataError(f.string() + ": missing (CIFAR-10 binary version: data_batch_1..5.bin)");
      parse_cifar10(read_file(f.string()), f.string(), s.train);
    }
    const fs::path t = dir / "test_batch.bin";
    if (!fs::exists(t)) throw DataError(t.string() + ": missing (CIFAR-10 binary version: test_batch.bin)");
    parse_cifar10(read_file(t.string()), t.string(), s.test);
    s.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    return s;
  }
  auto split = [&](const char* prefix) {
    const std::string p(prefix);
    const std::string img = find_first(dir, {(p + "-images-idx3-ubyte.gz").c_str(), (p + "-images-idx3-ubyte").c_str(),
                                             (p + "-images.idx3-ubyte").c_str()});
    const std::string lab = find_first(dir, {(p + "-labels-idx1-ubyte.gz").c_str(), (p + "-labels-idx1-ubyte").c_str(),
                                             (p + "-labels.idx1-ubyte").c_str()});
    if (img.empty() || lab.empty()) {
      throw DataError(dir_s + ": no " + p + "-images-idx3-ubyte[.gz] / " + p +
                      "-labels-idx1-ubyte[.gz] (the IDX files of " + dataset + ")");
    }
    return parse_idx(read_file(img), img, read_file(lab), lab);
  };
  s.train = split("train");
  s.test = split("t10k");
  if (s.train.rows != s.test.rows || s.train.cols != s.test.cols) {
    throw DataError(dir_s + ": train images are " + std::to_string(s.train.rows) + "x" + std::to_string(s.train.cols) +
                    " but test images are " + std::to_string(s.test.rows) + "x" + std::to_string(s.test.cols));
  }
  if (dataset == "fashion-mnist") {
    s.class_names = {"t-shirt/top", "trouser", "pullover", "dress", "coat",
                     "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};
  } else {
    s.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  }
  return s;
}

}  // namespace mish::lab
