// Training cost per step of one small CNN with three activations:
//   relu        torch::nn::ReLU (the floor)
//   torch_mish  torch::nn::Mish (LibTorch's own)
//   mish_op     mish::nn::Mish  (this library's operator)
// The network: 3 x (conv 3x3 + BatchNorm + activation) with two 2x2 max-pools,
// then 2 fully connected layers (the hidden one activated); batch 128 of
// 1x28x28 inputs, 10 classes, cross-entropy, SGD with momentum. One iteration
// = forward + backward + optimizer step; the time per iteration is the time
// per training step. Data are random (the cost does not depend on the
// values). The argument is LibTorch's intra-op thread count
// (at::set_num_threads), which the operator follows.
//   build/bench/bench_torch_cnn --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "mish/torch.hpp"

namespace {

using ActFactory = std::function<torch::nn::AnyModule()>;

struct NetImpl : torch::nn::Module {
  explicit NetImpl(const ActFactory& act) {
    body = register_module(
        "body", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1)),
                                      torch::nn::BatchNorm2d(32), act(), torch::nn::MaxPool2d(2),
                                      torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3).padding(1)),
                                      torch::nn::BatchNorm2d(64), act(), torch::nn::MaxPool2d(2),
                                      torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3).padding(1)),
                                      torch::nn::BatchNorm2d(64), act(), torch::nn::Flatten(),
                                      torch::nn::Linear(64 * 7 * 7, 128), act(), torch::nn::Linear(128, 10)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return body->forward(x); }
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(Net);

void TrainStep(benchmark::State& state, ActFactory act) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  torch::manual_seed(0);
  Net net(act);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const torch::Tensor x = torch::randn({128, 1, 28, 28});
  const torch::Tensor y = torch::randint(0, 10, {128});
  for (auto _ : state) {
    opt.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.data_ptr());
  }
  state.counters["threads"] = at::get_num_threads();
}

// The fastest repetition is the least disturbed figure on a shared machine.
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void Register(const char* name, ActFactory act) {
  benchmark::RegisterBenchmark((std::string("TrainStep/") + name).c_str(),
                               [act](benchmark::State& st) { TrainStep(st, act); })
      ->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0)
      ->ComputeStatistics("min", Min);
}

}  // namespace

int main(int argc, char** argv) {
  Register("relu", [] { return torch::nn::AnyModule(torch::nn::ReLU()); });
  Register("torch_mish", [] { return torch::nn::AnyModule(torch::nn::Mish()); });
  Register("mish_op", [] { return torch::nn::AnyModule(mish::nn::Mish()); });
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
