#include "distributed.hpp"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <functional>
#include <stdexcept>

namespace mish::lab {
namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

int int_var(const EnvReader& env, const char* name, std::optional<int> fallback = std::nullopt) {
  const auto v = env(name);
  if (!v) {
    if (fallback) return *fallback;
    bad(std::string("the launcher set some of its variables but not ") + name +
        "; start every process with the launcher (torchrun, srun or mpirun), or set " + name);
  }
  char* end = nullptr;
  const long x = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || x < 0 || x > 1000000) {
    bad(std::string(name) + "='" + *v + "' is not a non-negative integer");
  }
  return static_cast<int>(x);
}

thread_local const ShardContext* tls_shard = nullptr;

// What went wrong, in one line: LibTorch's errors without their backtrace.
std::string reason(const std::exception& e) {
  const auto* c = dynamic_cast<const c10::Error*>(&e);
  std::string r = c ? c->what_without_backtrace() : e.what();
  const size_t nl = r.find('\n');
  if (nl != std::string::npos) r.resize(nl);
  return r;
}

std::string where(const ProcessGroup& g) {
  return "rank " + std::to_string(g.rank()) + " of " + std::to_string(g.world());
}

}  // namespace

EnvReader process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string first_slurm_host(const std::string& nodelist) {
  const size_t comma = nodelist.find(','), bracket = nodelist.find('[');
  if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket)) {
    return nodelist.substr(0, comma);
  }
  // prefix[03-05,9] -> prefix03
  size_t end = bracket + 1;
  while (end < nodelist.size() && std::isdigit(static_cast<unsigned char>(nodelist[end]))) ++end;
  return nodelist.substr(0, bracket) + nodelist.substr(bracket + 1, end - bracket - 1);
}

LaunchEnv launch_env(const EnvReader& env, bool rendezvous) {
  // The launchers that name world size, rank, local rank and local size outright.
  struct Vars {
    const char *launcher, *world, *rank, *local_rank, *local_world;
  };
  static constexpr Vars kLaunchers[] = {
      {"torchrun", "WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"},
      {"mpirun", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK",
       "OMPI_COMM_WORLD_LOCAL_SIZE"},                                                    // Open MPI
      {"mpirun", "PMI_SIZE", "PMI_RANK", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"},  // MPICH (Hydra)
  };
  LaunchEnv e;
  const Vars* found = nullptr;
  for (const Vars& v : kLaunchers) {
    if (env(v.world) || env(v.rank)) {
      found = &v;
      break;
    }
  }
  if (found) {
    e.launcher = found->launcher;
    e.world = int_var(env, found->world);
    e.rank = int_var(env, found->rank);
    e.local_rank = int_var(env, found->local_rank, 0);
    e.local_world = int_var(env, found->local_world, 1);
    e.agent_store = env("TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
    e.attempt = env("TORCHELASTIC_RESTART_COUNT").value_or("0");
  } else if (env("SLURM_STEP_NUM_TASKS") && env("SLURM_PROCID")) {
    // srun sets the step's variables; a batch script alone does not (it is one process)
    e.launcher = "srun";
    e.world = int_var(env, "SLURM_STEP_NUM_TASKS");
    e.rank = int_var(env, "SLURM_PROCID");
    e.local_rank = int_var(env, "SLURM_LOCALID", 0);
    if (const auto per = env("SLURM_STEP_TASKS_PER_NODE")) e.local_world = std::max(1, std::atoi(per->c_str()));
    if (const auto nodes = env("SLURM_STEP_NODELIST") ? env("SLURM_STEP_NODELIST") : env("SLURM_JOB_NODELIST")) {
      e.master_addr = first_slurm_host(*nodes);
    }
  } else {
    return e;
  }
  if (e.world < 1) bad("the world size (" + e.launcher + ") must be at least 1, not " + std::to_string(e.world));
  if (e.rank >= e.world) {
    bad("rank " + std::to_string(e.rank) + " is not below the world size " + std::to_string(e.world) + " (" +
        e.launcher + "'s variables disagree)");
  }
  if (e.local_rank >= e.local_world) e.local_world = e.local_rank + 1;
  if (const auto addr = env("MASTER_ADDR")) e.master_addr = *addr;
  if (rendezvous && e.world > 1 && e.master_addr.empty()) {
    bad("a data-parallel launch (" + e.launcher + ", " + std::to_string(e.world) +
        " processes) needs MASTER_ADDR, the host of rank 0, in every process's environment "
        "(torchrun sets it; with mpirun pass -x MASTER_ADDR=HOST -x MASTER_PORT=PORT)");
  }
  e.master_port = int_var(env, "MASTER_PORT", 29500);
  if (e.master_port < 1 || e.master_port > 65535) bad("MASTER_PORT must be a TCP port (1-65535)");
  return e;
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

ProcessGroup::ProcessGroup(const LaunchEnv& env, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()), rank_(env.rank), world_(env.world), timeout_(timeout) {
  const std::string at = env.master_addr + ":" + std::to_string(env.master_port);
  const std::string secs = std::to_string(timeout.count() / 1000);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0 && !env.agent_store;
    so.numWorkers = static_cast<std::size_t>(env.world);
    so.waitWorkers = !env.agent_store;
    so.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (env.agent_store) {
      impl_->store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.attempt, tcp);
    } else {
      impl_->store = tcp;
    }
  } catch (const std::exception& e) {
    rendezvous_failed(at, secs, reason(e));
  }
  try {
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    opts->threads = 2;
    impl_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world, opts);
  } catch (const std::exception& e) {
    // waiting for the other ranks' addresses is part of the rendezvous
    rendezvous_failed(at, secs, reason(e) + "; GLOO_SOCKET_IFNAME names the network interface to use");
  }
}

void ProcessGroup::rendezvous_failed(const std::string& at, const std::string& secs, const std::string& why) const {
  throw std::runtime_error(where(*this) + ": the rendezvous at " + at + " did not complete within " + secs + " s (" +
                           why + "); check that all " + std::to_string(world_) +
                           " ranks were started with the same MASTER_ADDR and MASTER_PORT, that rank 0 is running "
                           "and that the port is free");
}

ProcessGroup::~ProcessGroup() = default;

namespace {

// Runs a collective and waits for it; a failure says which rank, which
// collective and why.
void collective(const ProcessGroup& g, const char* what, std::chrono::milliseconds timeout,
                const std::function<c10::intrusive_ptr<c10d::Work>()>& start) {
  try {
    start()->wait(timeout);
  } catch (const std::exception& e) {
    throw std::runtime_error(where(g) + ": " + what + " failed: another rank died, hung for more than " +
                             std::to_string(timeout.count() / 1000) + " s (--dist-timeout) or cannot be reached (" +
                             reason(e) + ")");
  }
}

}  // namespace

void ProcessGroup::sum(torch::Tensor& t) {
  std::vector<at::Tensor> v{t};
  collective(*this, "all-reduce", timeout_, [&] { return impl_->pg->allreduce(v); });
}

void ProcessGroup::broadcast(torch::Tensor& t, int root) {
  std::vector<at::Tensor> v{t};
  c10d::BroadcastOptions o;
  o.rootRank = root;
  collective(*this, "broadcast", timeout_, [&] { return impl_->pg->broadcast(v, o); });
}

const ShardContext* current_shard() { return tls_shard; }

ShardScope::ShardScope(const ShardContext& c) : previous_(tls_shard), mine_(c) { tls_shard = &mine_; }
ShardScope::~ShardScope() { tls_shard = previous_; }

namespace {

// For per-channel statistics of [N, C, ...]: the dimensions to reduce over
// (all but 1), and the shape that broadcasts a [C] vector against x.
std::pair<std::vector<int64_t>, std::vector<int64_t>> channel_dims(const torch::Tensor& x) {
  std::vector<int64_t> dims{0}, shape(static_cast<size_t>(x.dim()), 1);
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  shape[1] = x.size(1);
  return {dims, shape};
}

// Batch norm with the statistics of the global batch: sums over every rank's
// rows in the forward pass, and the two sums of the backward pass likewise.
struct GlobalBatchNormFn : public torch::autograd::Function<GlobalBatchNormFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, int64_t group, double eps,
                               double momentum, torch::Tensor running_mean, torch::Tensor running_var) {
    ProcessGroup& g = *reinterpret_cast<ProcessGroup*>(group);
    const int64_t c = x.size(1);
    const auto [dims, shape] = channel_dims(x);
    const torch::Tensor xd = x.to(torch::kDouble);
    torch::Tensor stats = torch::cat({xd.sum(dims), (xd * xd).sum(dims),
                                      torch::full({1}, static_cast<double>(x.numel() / c), xd.options())});
    g.sum(stats);
    const double n = stats[2 * c].item<double>();
    const torch::Tensor mean = stats.slice(0, 0, c) / n;
    const torch::Tensor var = (stats.slice(0, c, 2 * c) / n - mean * mean).clamp_min(0);
    const torch::Tensor invstd = (var + eps).rsqrt();
    const torch::Tensor xhat = ((xd - mean.view(shape)) * invstd.view(shape)).to(x.scalar_type());
    {
      torch::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.scalar_type()), momentum);
      running_var.mul_(1 - momentum).add_((var * (n / std::max(1.0, n - 1))).to(running_var.scalar_type()), momentum);
    }
    ctx->save_for_backward({xhat, invstd.to(x.scalar_type()), weight});
    ctx->saved_data["group"] = group;
    ctx->saved_data["n"] = n;
    return xhat * weight.view(shape) + bias.view(shape);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    ProcessGroup& g = *reinterpret_cast<ProcessGroup*>(ctx->saved_data["group"].toInt());
    const double n = ctx->saved_data["n"].toDouble();
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &xhat = saved[0], &invstd = saved[1], &weight = saved[2];
    const torch::Tensor dy = grads[0];
    const int64_t c = xhat.size(1);
    const auto [dims, shape] = channel_dims(xhat);
    const torch::Tensor dbias = dy.sum(dims), dweight = (dy * xhat).sum(dims);  // this rank's share
    torch::Tensor sums = torch::cat({dbias, dweight}).to(torch::kDouble);
    g.sum(sums);
    const torch::Tensor mean_dy = (sums.slice(0, 0, c) / n).to(dy.scalar_type()).view(shape);
    const torch::Tensor mean_dyx = (sums.slice(0, c, 2 * c) / n).to(dy.scalar_type()).view(shape);
    const torch::Tensor dx = (weight * invstd).view(shape) * (dy - mean_dy - xhat * mean_dyx);
    return {dx, dweight, dbias, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

GlobalBatchNormImpl::GlobalBatchNormImpl(int64_t features) {
  weight = register_parameter("weight", torch::ones({features}));
  bias = register_parameter("bias", torch::zeros({features}));
  running_mean = register_buffer("running_mean", torch::zeros({features}));
  running_var = register_buffer("running_var", torch::ones({features}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(int64_t{0}));
}

torch::Tensor GlobalBatchNormImpl::forward(const torch::Tensor& x) {
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  const ShardContext* s = current_shard();
  if (!is_training() || !s || !s->group) {
    return torch::batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum, eps,
                             /*cudnn_enabled=*/false);
  }
  return GlobalBatchNormFn::apply(x, weight, bias, reinterpret_cast<int64_t>(s->group), eps, momentum, running_mean,
                                  running_var);
}

GlobalDropoutImpl::GlobalDropoutImpl(double p_) : p(p_) {
  if (p < 0 || p >= 1) throw std::invalid_argument("dropout probability must be in [0, 1), got " + std::to_string(p));
}

torch::Tensor GlobalDropoutImpl::forward(const torch::Tensor& x) {
  if (!is_training() || p == 0) return x;
  const ShardContext* s = current_shard();
  std::vector<int64_t> shape = x.sizes().vec();
  if (s) shape[0] = s->global_batch;
  torch::Tensor mask = torch::empty(shape, x.options()).bernoulli_(1 - p);
  if (s) mask = mask.narrow(0, s->offset, x.size(0));
  return x * mask.div_(1 - p);
}

}  // namespace mish::lab
