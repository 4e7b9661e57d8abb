// Builds against the installed mish::torch and trains one step through it.
#include <mish/torch.hpp>

#include <iostream>

int main() {
  torch::nn::Sequential net(torch::nn::Linear(3, 4), mish::nn::Mish(), torch::nn::Linear(4, 1));
  const torch::Tensor x = torch::randn({8, 3});
  const torch::Tensor loss = net->forward(x).pow(2).mean();
  loss.backward();
  const torch::Tensor y = mish::ops::mish(torch::tensor({-1.0, 0.0, 1.0}, torch::kFloat64));
  const bool ok = torch::allclose(y, torch::mish(torch::tensor({-1.0, 0.0, 1.0}, torch::kFloat64)));
  std::cout << "mish via installed libmish_torch: " << y << "\n";
  return ok ? 0 : 1;
}
