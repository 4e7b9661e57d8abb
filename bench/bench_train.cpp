// Training throughput of the lab's C++ loop (images per second; one epoch =
// one pass over the first 1,024 Fashion-MNIST training images), for the
// depth model with N = 8 and for resnet20, with ReLU and with Mish, after one
// untimed warm-up epoch. The same models and loop in Python PyTorch (which
// takes the fastest of three epochs on one model): bench/train_equivalent.py.
//   build/bench/bench_train --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "batches.hpp"
#include "models.hpp"

namespace {

const mish::lab::TensorSplits& data() {
  static const mish::lab::TensorSplits d = mish::lab::to_tensors(mish::lab::load("fashion-mnist"), 1024, 1);
  return d;
}

void Epoch(benchmark::State& state, std::string model, int depth, std::string act) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  torch::manual_seed(0);
  mish::lab::ModelOptions o;
  o.model = model;
  o.depth = depth;
  o.activation = act;
  const auto& d = data();
  auto net = mish::lab::make_model(o, {1, 28, 28, 10});
  net->train();
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  mish::lab::BatchOptions bo;
  bo.batch_size = 128;
  int64_t epoch = 0, images = 0;
  auto run_epoch = [&] {
    const mish::lab::Batches batches(d.train, bo, 1, epoch++);
    for (int64_t b = 0; b < batches.count(); ++b) {
      auto [x, y] = batches.get(b);
      opt.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
      loss.backward();
      opt.step();
      images += x.size(0);
    }
  };
  run_epoch();  // warm-up: first-touch of weights, gradients and momentum buffers (untimed)
  images = 0;
  for (auto _ : state) run_epoch();
  state.counters["images_per_s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}

double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
  for (const char* act : {"relu", "mish"}) {
    for (auto [model, depth] : {std::pair{"depth", 8}, {"resnet20", 0}}) {
      benchmark::RegisterBenchmark((std::string("Epoch/") + model + "/" + act).c_str(),
                                   [=](benchmark::State& s) { Epoch(s, model, depth, act); })
          ->Arg(2)->ArgName("threads")->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1)
          ->ComputeStatistics("min", Min);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
