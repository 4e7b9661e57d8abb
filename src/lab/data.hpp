// Image-classification datasets for the lab, read from files a user has
// (never downloaded): IDX (MNIST, Fashion-MNIST; gzip or raw) and the CIFAR-10
// binary version.
//
// The parsers work on bytes and check everything a file could get wrong
// (magic, element type, dimensions, sizes, label range, counts that disagree
// between the image and label files); each problem is a DataError whose
// message names the file, what is wrong, and what to do. They have no LibTorch
// dependency, so that the fuzz targets and tests can call them directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mish::lab {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// n images of channels x rows x cols bytes (channel-major, then rows), and
// their labels in [0, num_classes).
struct ImageSet {
  int64_t n = 0, channels = 0, rows = 0, cols = 0;
  int num_classes = 0;
  std::vector<uint8_t> pixels;  // n * channels * rows * cols
  std::vector<uint8_t> labels;  // n
  int64_t image_bytes() const { return channels * rows * cols; }
};

// A file's whole content, gunzipped when it is gzip (by its magic bytes).
// Unreadable files and truncated or corrupt gzip streams fail with DataError.
std::vector<uint8_t> read_file(const std::string& path);
// The same on bytes already in memory (name labels errors).
std::vector<uint8_t> decode(std::vector<uint8_t> bytes, const std::string& name);

// IDX: images (3 dimensions: n, rows, cols) and labels (1 dimension: n), both
// unsigned bytes. `name`s only label the error messages.
ImageSet parse_idx(const std::vector<uint8_t>& images, const std::string& images_name,
                   const std::vector<uint8_t>& labels, const std::string& labels_name, int num_classes = 10);

// CIFAR-10 binary records: 1 label byte (0..9) + 3 x 32 x 32 pixel bytes,
// appended to `into` (which may already hold records from other batch files).
void parse_cifar10(const std::vector<uint8_t>& bytes, const std::string& name, ImageSet& into);

struct Splits {
  std::string dataset;  // "fashion-mnist", "mnist", "cifar10"
  std::string source;   // the directory the files came from
  ImageSet train, test;
  std::vector<std::string> class_names;
};

// The dataset names load() accepts.
const std::vector<std::string>& dataset_names();

// Default place of a dataset's files ("" when there is none: the user must
// pass a directory). fashion-mnist: Debian's dataset-fashion-mnist package.
std::string default_data_dir(const std::string& dataset);

// Reads a dataset's train and test splits from dir ("" = the default).
//   fashion-mnist, mnist: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
//   cifar10: data_batch_{1..5}.bin and test_batch.bin, in dir or in
//            dir/cifar-10-batches-bin
Splits load(const std::string& dataset, const std::string& dir = "");

}  // namespace mish::lab
