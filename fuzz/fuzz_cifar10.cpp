// CIFAR-10 binary parser (and the gzip layer) on arbitrary bytes: parse or
// throw DataError, nothing else.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mish::lab::ImageSet set;
  try {
    mish::lab::parse_cifar10(mish::lab::decode(std::vector<uint8_t>(data, data + size), "batch"), "batch", set);
    if (set.pixels.size() != static_cast<size_t>(set.n) * 3072 || set.labels.size() != static_cast<size_t>(set.n)) {
      __builtin_trap();
    }
  } catch (const mish::lab::DataError&) {
  }
  return 0;
}
