// Data-parallel training over PyTorch's c10d: the launcher's environment
// (torchrun, Slurm's srun, mpirun), a Gloo process group rendezvousing through
// c10d's TCPStore, and the context the models' batch-norm and dropout layers
// read so that N processes compute what one process computes on the same
// global batch.
//
// Equivalence: every rank draws the same shuffled global batch and takes its
// contiguous slice of it; the loss is the slice's summed loss over the global
// batch size, and gradients are all-reduced (summed), so the update is the
// one-process update. Batch norm normalises with the statistics of the whole
// global batch (all-reduced sums, and all-reduced sums again in the backward
// pass); dropout draws the whole global batch's mask from the shared seed and
// keeps the rank's rows. What differs is the order of floating-point sums.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

namespace mish::lab {

// Who this process is in a multi-process launch. world == 1 means a plain run.
struct LaunchEnv {
  std::string launcher;  // "torchrun" (RANK/WORLD_SIZE), "mpirun" (Open MPI or PMI), "srun" (Slurm), or ""
  int rank = 0, world = 1;
  int local_rank = 0, local_world = 1;  // on this machine (sizes the default thread count)
  std::string master_addr;              // where rank 0 serves the rendezvous store
  int master_port = 29500;
  // torchrun's agent already serves the store at MASTER_ADDR:MASTER_PORT
  // (TORCHELASTIC_USE_AGENT_STORE=True): every rank joins it as a client,
  // under a prefix per restart attempt, as PyTorch's own workers do.
  bool agent_store = false;
  std::string attempt = "0";
};

using EnvReader = std::function<std::optional<std::string>(const char* name)>;
// The process environment.
EnvReader process_env();
// Reads the launcher's variables (torchrun's first, then Open MPI's, PMI's,
// Slurm's); throws std::invalid_argument naming the variable that is missing
// or malformed. `rendezvous`: the ranks will meet (MASTER_ADDR is required);
// false when only the rank is wanted (a sweep's shard).
LaunchEnv launch_env(const EnvReader& env = process_env(), bool rendezvous = true);

// The first host of a Slurm node list ("node[03-05,9],gpu1" -> "node03").
std::string first_slurm_host(const std::string& nodelist);

// A c10d Gloo process group. Every collective waits at most `timeout`; a rank
// that died, hung or never came makes the others throw std::runtime_error
// saying so (never hang).
class ProcessGroup {
 public:
  ProcessGroup(const LaunchEnv& env, std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;
  int rank() const { return rank_; }
  int world() const { return world_; }
  // In place, across all ranks.
  void sum(torch::Tensor& t);
  void broadcast(torch::Tensor& t, int root = 0);

 private:
  [[noreturn]] void rendezvous_failed(const std::string& at, const std::string& secs, const std::string& why) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0, world_ = 1;
  std::chrono::milliseconds timeout_;
};

// The data-parallel step in progress on this thread: the global batch's size
// and where this rank's rows start in it. Set by the trainer around forward
// and backward; null outside data-parallel training.
struct ShardContext {
  ProcessGroup* group = nullptr;
  int64_t global_batch = 0;
  int64_t offset = 0;
};
const ShardContext* current_shard();
class ShardScope {
 public:
  explicit ShardScope(const ShardContext& c);
  ~ShardScope();
  ShardScope(const ShardScope&) = delete;
  ShardScope& operator=(const ShardScope&) = delete;

 private:
  const ShardContext* previous_;
  ShardContext mine_;
};

// Batch normalisation over dimension 1 (BatchNorm1d on [N, C], BatchNorm2d on
// [N, C, H, W]) with torch's parameters, buffers and names (weight, bias,
// running_mean, running_var, num_batches_tracked; momentum 0.1, eps 1e-5):
// torch's own kernel in a plain run, global-batch statistics in a
// data-parallel step.
class GlobalBatchNormImpl : public torch::nn::Module {
 public:
  explicit GlobalBatchNormImpl(int64_t features);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  double momentum = 0.1, eps = 1e-5;
};
TORCH_MODULE(GlobalBatchNorm);

// Dropout whose mask is drawn for the whole global batch (the same draws as
// one process makes), of which a data-parallel rank keeps its rows.
class GlobalDropoutImpl : public torch::nn::Module {
 public:
  explicit GlobalDropoutImpl(double p);
  torch::Tensor forward(const torch::Tensor& x);
  double p;
};
TORCH_MODULE(GlobalDropout);

}  // namespace mish::lab
