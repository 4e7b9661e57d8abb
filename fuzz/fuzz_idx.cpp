// IDX parser (and the gzip layer in front of it) on arbitrary bytes: it must
// either parse or throw DataError, never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // first byte: where the image file ends and the label file begins
  const size_t split = 1 + (size - 1) * data[0] / 255;
  std::vector<uint8_t> images(data + 1, data + split), labels(data + split, data + size);
  try {
    const auto set = mish::lab::parse_idx(mish::lab::decode(images, "images"), "images",
                                          mish::lab::decode(labels, "labels"), "labels");
    if (set.pixels.size() != static_cast<size_t>(set.n * set.image_bytes())) __builtin_trap();
  } catch (const mish::lab::DataError&) {
  }
  return 0;
}
