// Data-parallel training over c10d Gloo, on loopback: the launchers'
// environments, shards that add up to the one-process batch, batch norm and
// dropout that see the global batch, two processes that reach the parameters
// of one, runs that repeat exactly, and ranks that die or never come.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "batches.hpp"
#include "distributed.hpp"
#include "sweeps.hpp"
#include "train.hpp"

namespace {

namespace fs = std::filesystem;
using mish::lab::launch_env;
using mish::lab::LaunchEnv;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

mish::lab::EnvReader env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(const std::map<std::string, std::string>& vars) {
  try {
    launch_env(env_of(vars));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(LaunchEnv, EveryLauncher) {
  EXPECT_EQ(launch_env(env_of({})).world, 1);
  // a Slurm batch script alone is one process, whatever its allocation
  EXPECT_EQ(launch_env(env_of({{"SLURM_NTASKS", "4"}, {"SLURM_PROCID", "0"}})).world, 1);

  LaunchEnv e = launch_env(env_of({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                                   {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "1234"}}));
  EXPECT_EQ(e.launcher, "torchrun");
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world, 4);
  EXPECT_EQ(e.local_world, 2);
  EXPECT_EQ(e.master_addr, "10.0.0.1");
  EXPECT_EQ(e.master_port, 1234);
  EXPECT_FALSE(e.agent_store);
  e = launch_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                         {"TORCHELASTIC_RESTART_COUNT", "3"}}));
  EXPECT_TRUE(e.agent_store);  // torchrun's agent serves the store: every rank is its client
  EXPECT_EQ(e.attempt, "3");

  e = launch_env(env_of({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"},
                         {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}, {"MASTER_ADDR", "h"}}));
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.rank, 2);
  EXPECT_EQ(e.world, 3);
  EXPECT_EQ(e.master_port, 29500);

  e = launch_env(env_of({{"PMI_RANK", "0"}, {"PMI_SIZE", "2"}, {"MASTER_ADDR", "h"}}));
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.world, 2);

  e = launch_env(env_of({{"SLURM_PROCID", "3"}, {"SLURM_STEP_NUM_TASKS", "8"}, {"SLURM_LOCALID", "1"},
                         {"SLURM_STEP_TASKS_PER_NODE", "2(x4)"}, {"SLURM_STEP_NODELIST", "gpu[07-10],cpu1"}}));
  EXPECT_EQ(e.launcher, "srun");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world, 8);
  EXPECT_EQ(e.local_world, 2);
  EXPECT_EQ(e.master_addr, "gpu07");  // the first node, unless MASTER_ADDR says otherwise
  EXPECT_EQ(mish::lab::first_slurm_host("a1,b[1-2]"), "a1");
  EXPECT_EQ(mish::lab::first_slurm_host("n[3,5-7]"), "n3");
  EXPECT_EQ(mish::lab::first_slurm_host("single"), "single");
}

TEST(LaunchEnv, BadEnvironmentsSayWhatToSet) {
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}).find("not RANK"), std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"RANK", "0"}}).find("needs MASTER_ADDR"), std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}}).find("is not below the world size"),
            std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "two"}, {"RANK", "0"}}).find("WORLD_SIZE='two' is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}})
                .find("MASTER_PORT must be a TCP port"),
            std::string::npos);
}

TEST(Shards, AddUpToTheOneProcessBatch) {
  mish::lab::TensorSet set;
  set.x = torch::arange(37 * 3 * 8 * 8, torch::kFloat).view({37, 3, 8, 8});
  set.y = torch::arange(37, torch::kInt64);
  mish::lab::BatchOptions one;
  one.batch_size = 10;
  one.noise_std = 0.5;
  one.augment = true;
  const mish::lab::Batches whole(set, one, 7, 2);
  for (const int world : {2, 3}) {
    std::vector<std::unique_ptr<mish::lab::Batches>> shards;
    for (int r = 0; r < world; ++r) {
      mish::lab::BatchOptions o = one;
      o.rank = r;
      o.world = world;
      shards.push_back(std::make_unique<mish::lab::Batches>(set, o, 7, 2));
    }
    ASSERT_EQ(shards[0]->count(), whole.count());
    for (int64_t b = 0; b < whole.count(); ++b) {
      std::vector<torch::Tensor> xs, ys;
      int64_t expect_offset = 0;
      for (int r = 0; r < world; ++r) {
        EXPECT_EQ(shards[static_cast<size_t>(r)]->offset(b), expect_offset);
        auto [x, y] = shards[static_cast<size_t>(r)]->get(b);
        expect_offset += x.size(0);
        xs.push_back(x);
        ys.push_back(y);
      }
      auto [x, y] = whole.get(b);
      EXPECT_TRUE(torch::equal(torch::cat(xs), x)) << "world " << world << " batch " << b;
      EXPECT_TRUE(torch::equal(torch::cat(ys), y));
    }
  }
}

TEST(GlobalLayers, PlainRunsAreTorchs) {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({16, 6, 3, 3});
  mish::lab::GlobalBatchNorm ours(6);
  torch::nn::BatchNorm2d theirs(6);
  const torch::Tensor a = ours->forward(x), b = theirs->forward(x);
  EXPECT_TRUE(torch::allclose(a, b));
  EXPECT_TRUE(torch::allclose(ours->running_var, theirs->running_var));
  EXPECT_EQ(ours->named_parameters().keys(), theirs->named_parameters().keys());
  EXPECT_EQ(ours->named_buffers().keys(), theirs->named_buffers().keys());
  ours->eval();
  theirs->eval();
  EXPECT_TRUE(torch::allclose(ours->forward(x), theirs->forward(x)));

  mish::lab::GlobalDropout drop(0.25);
  torch::manual_seed(9);
  const torch::Tensor d = drop->forward(torch::ones({64, 10}));
  torch::manual_seed(9);
  const torch::Tensor t = torch::dropout(torch::ones({64, 10}), 0.25, true);
  EXPECT_TRUE(torch::equal(d, t));  // the same draws as torch's dropout
  drop->eval();
  EXPECT_TRUE(torch::equal(drop->forward(x), x));
  EXPECT_THROW(mish::lab::GlobalDropout(1.0), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// The command line under a torchrun-style environment, on 127.0.0.1.

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    return 29577;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

struct Proc {
  pid_t pid = -1;
  int err = -1;  // the read end of its stderr
  std::string text;
  // Reads stderr until `what` appears or the stream ends; true if it appeared.
  bool wait_for(const std::string& what) {
    char buf[4096];
    while (text.find(what) == std::string::npos) {
      const ssize_t n = ::read(err, buf, sizeof buf);
      if (n <= 0) return false;
      text.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  int finish() {
    wait_for("\x01never\x01");  // drain to the end
    ::close(err);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
};

// Runs exe with args and env added to ours; its stdout and stderr go to one pipe.
Proc start_program(const char* exe, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  Proc p;
  p.pid = ::fork();
  if (p.pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    argv.push_back(const_cast<char*>(exe));
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe, argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  p.err = fds[0];
  return p;
}

Proc start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  return start_program(MISH_CLI, args, env);
}

class DataParallel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("mish_test_dp_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<std::string> train(const std::string& name, int epochs = 2) const {
    return {"train", "--model", "depth", "--limit-train", "640", "--limit-test", "256", "--epochs",
            std::to_string(epochs), "--batch-size", "64", "--threads", "1", "--seed", "3", "--save-model",
            "--out", dir.string(), "--name", name, "--dist-timeout", "60"};
  }
  static std::map<std::string, std::string> rank(int r, int world, int port) {
    return {{"RANK", std::to_string(r)}, {"WORLD_SIZE", std::to_string(world)}, {"MASTER_ADDR", "127.0.0.1"},
            {"MASTER_PORT", std::to_string(port)}, {"GLOO_SOCKET_IFNAME", "lo"}};
  }
  // Runs `name` on `world` processes; returns rank 0's exit status.
  int run(const std::string& name, int world) const {
    const int port = free_port();
    std::vector<Proc> ps;
    for (int r = 0; r < world; ++r) ps.push_back(start(train(name), rank(r, world, port)));
    int status0 = -1;
    for (int r = 0; r < world; ++r) {
      const int s = ps[static_cast<size_t>(r)].finish();
      EXPECT_EQ(s, 0) << "rank " << r << ": " << ps[static_cast<size_t>(r)].text;
      if (r == 0) status0 = s;
    }
    return status0;
  }
  std::string metrics(const std::string& name) const {
    std::ifstream f(dir / name / "metrics.csv");
    std::stringstream ss;
    std::string line;
    while (std::getline(f, line)) ss << line.substr(0, line.rfind(',')) << "\n";  // without the seconds
    return ss.str();
  }
  fs::path dir;
};

TEST_F(DataParallel, TwoProcessesReachTheParametersOfOne) {
  Proc one = start(train("one"), {});
  ASSERT_EQ(one.finish(), 0) << one.text;
  ASSERT_EQ(run("two", 2), 0);
  EXPECT_FALSE(fs::exists(dir / "two_1")) << "only rank 0 writes";
  const auto a = mish::lab::load_saved_run((dir / "one").string());
  const auto b = mish::lab::load_saved_run((dir / "two").string());
  const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    const torch::Tensor& t = item.value();
    const torch::Tensor& u = pb[item.key()];
    EXPECT_TRUE(torch::allclose(t, u, 1e-4, 1e-5)) << item.key() << ": max diff " << (t - u).abs().max().item<double>();
    EXPECT_FALSE(torch::equal(t, torch::zeros_like(t))) << item.key();
  }
  const auto ba = a.model->named_buffers(), bb = b.model->named_buffers();
  for (const auto& item : ba) {
    EXPECT_TRUE(torch::allclose(item.value().to(torch::kDouble), bb[item.key()].to(torch::kDouble), 1e-4, 1e-5))
        << item.key();  // batch-norm running statistics of the global batch
  }
  const std::string result = slurp(dir / "two" / "result.json");
  EXPECT_NE(result.find("\"processes\": 2"), std::string::npos) << result;
}

TEST_F(DataParallel, SameSeedAndWorldSizeSameResult) {
  ASSERT_EQ(run("a", 2), 0);
  ASSERT_EQ(run("b", 2), 0);
  EXPECT_EQ(metrics("a"), metrics("b"));
  EXPECT_NE(metrics("a").find("\n2,"), std::string::npos) << metrics("a");
}

TEST_F(DataParallel, JoinsTorchrunsAgentStore) {
  // torchrun's agent serves the TCPStore at MASTER_ADDR:MASTER_PORT and tells
  // its workers so (TORCHELASTIC_USE_AGENT_STORE): here the test is the agent
  const int port = free_port();
  c10d::TCPStoreOptions so;
  so.port = static_cast<std::uint16_t>(port);
  so.isServer = true;
  so.waitWorkers = false;
  so.timeout = std::chrono::seconds(60);
  const auto agent = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", so);
  std::vector<Proc> ps;
  for (int r = 0; r < 2; ++r) {
    auto env = rank(r, 2, port);
    env["TORCHELASTIC_USE_AGENT_STORE"] = "True";
    env["TORCHELASTIC_RESTART_COUNT"] = "1";
    ps.push_back(start(train("agent", 1), env));
  }
  for (auto& p : ps) EXPECT_EQ(p.finish(), 0) << p.text;
  EXPECT_GT(agent->getNumKeys(), 0);  // the ranks met in its store (their own would not bind the port)
  const std::string result = slurp(dir / "agent" / "result.json");
  EXPECT_NE(result.find("\"processes\": 2"), std::string::npos) << result;
}

TEST_F(DataParallel, AKilledRankFailsTheOthersWithAMessage) {
  const int port = free_port();
  Proc r0 = start(train("killed", 200), rank(0, 2, port));
  Proc r1 = start(train("killed", 200), rank(1, 2, port));
  // rank 0 prints a line per epoch: once the first is out, training is under way
  ASSERT_TRUE(r0.wait_for("epoch 1/200")) << r0.text;
  ::kill(r1.pid, SIGKILL);
  r1.finish();
  EXPECT_EQ(r0.finish(), 1) << r0.text;
  EXPECT_NE(r0.text.find("rank 0 of 2: failed: rank 0 of 2:"), std::string::npos) << r0.text;
  EXPECT_NE(r0.text.find("another rank died"), std::string::npos) << r0.text;
  const std::string result = slurp(dir / "killed" / "result.json");
  EXPECT_NE(result.find("\"status\": \"failed\""), std::string::npos) << result;
  EXPECT_NE(result.find("\"epochs\": 1"), std::string::npos) << result;  // the finished epoch is kept
}

TEST_F(DataParallel, ARankThatNeverComesEndsTheRendezvous) {
  std::vector<std::string> args = train("alone");
  args.back() = "2";  // --dist-timeout 2
  Proc r0 = start(args, rank(0, 2, free_port()));
  EXPECT_EQ(r0.finish(), 1) << r0.text;
  EXPECT_NE(r0.text.find("the rendezvous at 127.0.0.1:"), std::string::npos) << r0.text;
  EXPECT_NE(r0.text.find("did not complete within 2 s"), std::string::npos) << r0.text;
}

TEST_F(DataParallel, MissingMasterAddrIsSaid) {
  Proc p = start(train("x"), {{"RANK", "0"}, {"WORLD_SIZE", "2"}});
  EXPECT_EQ(p.finish(), 2);
  EXPECT_NE(p.text.find("needs MASTER_ADDR"), std::string::npos) << p.text;
  EXPECT_FALSE(fs::exists(dir / "x"));
}

// ---------------------------------------------------------------------------
// Sweeps in shards sharing one directory.

TEST(Shard, ParsedOrSaidWrong) {
  EXPECT_EQ(mish::lab::parse_shard("2/5"), std::make_pair(2, 5));
  for (const char* bad : {"5/5", "-1/2", "a/2", "1/0", "1", "1/", "/2", "1/2x"}) {
    try {
      mish::lab::parse_shard(bad);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("expected I/N with 0 <= I < N"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(mish::lab::shard_from_env(env_of({})), std::nullopt);
  EXPECT_EQ(mish::lab::shard_from_env(env_of({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"},
                                              {"SLURM_ARRAY_TASK_COUNT", "3"}})),
            std::make_pair(1, 3));
  EXPECT_EQ(mish::lab::shard_from_env(env_of({{"RANK", "1"}, {"WORLD_SIZE", "4"}})),
            std::make_pair(1, 4));  // shards need no MASTER_ADDR: they never meet
  EXPECT_THROW(mish::lab::shard_from_env(env_of({{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_COUNT", "3"}})),
               std::invalid_argument);
}

class ShardedSweep : public DataParallel {
 protected:
  std::vector<std::string> sweep(const std::vector<std::string>& more = {}) const {
    std::vector<std::string> a = {"sweep", "--grid", "activation=mish,relu,swish", "--grid", "seed=1,2", "--set",
                                  "model=mlp", "--set", "depth=1", "--set", "width=16", "--set", "epochs=1", "--set",
                                  "limit_train=300", "--set", "limit_test=100", "--out", dir.string(), "--jobs", "1",
                                  "--threads", "1"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  // How many times each run was finished, over the outputs of every process.
  static std::map<std::string, int> completions(const std::vector<std::string>& outputs) {
    std::map<std::string, int> n;
    const std::regex line(R"(\] \d+/\d+ (\S+): ok)");
    for (const auto& text : outputs) {
      for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
        ++n[(*it)[1]];
      }
    }
    return n;
  }
  void expect_every_run_once(const std::vector<std::string>& outputs) const {
    const auto n = completions(outputs);
    EXPECT_EQ(n.size(), 6u);
    for (const auto& [run, times] : n) EXPECT_EQ(times, 1) << run;
    for (const auto& [run, times] : n) {
      EXPECT_TRUE(mish::lab::read_run_record((dir / "runs" / run).string()).finished()) << run;
    }
  }
};

TEST_F(ShardedSweep, TwoShardsRunEveryRunOnce) {
  Proc a = start(sweep({"--shard", "0/2"}), {}), b = start(sweep({"--shard", "1/2"}), {});
  EXPECT_EQ(a.finish(), 0) << a.text;
  EXPECT_EQ(b.finish(), 0) << b.text;
  EXPECT_NE(a.text.find("shard 0/2: 3 of the 6 runs"), std::string::npos) << a.text;
  expect_every_run_once({a.text, b.text});
}

TEST_F(ShardedSweep, AKilledShardRestartedFinishesWithoutRepeating) {
  // shard 0 kills itself (SIGKILL) after its first result; shard 1 runs alongside
  Proc a = start(sweep({"--shard", "0/2"}), {{"MISH_SWEEP_KILL_AFTER", "1"}});
  Proc b = start(sweep({"--shard", "1/2"}), {});
  EXPECT_EQ(a.finish(), 128 + SIGKILL) << a.text;
  EXPECT_EQ(b.finish(), 0) << b.text;
  Proc again = start(sweep({"--shard", "0/2"}), {});
  EXPECT_EQ(again.finish(), 0) << again.text;
  EXPECT_NE(again.text.find("1 of 3 runs already done"), std::string::npos) << again.text;
  expect_every_run_once({a.text, b.text, again.text});
}

TEST_F(ShardedSweep, OverlappingProcessesNeverRunARunTwice) {
  // the whole sweep and half of it at once: the run locks keep them apart
  Proc a = start(sweep({"--shard", "0/1"}), {}), b = start(sweep({"--shard", "0/2"}), {});
  EXPECT_EQ(a.finish(), 0) << a.text;
  EXPECT_EQ(b.finish(), 0) << b.text;
  expect_every_run_once({a.text, b.text});
  Proc same = start(sweep({"--shard", "1/2"}), {});  // everything is done now
  EXPECT_EQ(same.finish(), 0) << same.text;
  EXPECT_NE(same.text.find("3 of 3 runs already done"), std::string::npos) << same.text;
}

TEST_F(ShardedSweep, ShardFromTheLaunchersEnvironment) {
  Proc a = start(sweep(), {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}});
  EXPECT_EQ(a.finish(), 0) << a.text;
  EXPECT_NE(a.text.find("shard 1/2: 3 of the 6 runs"), std::string::npos) << a.text;
  EXPECT_EQ(completions({a.text}).size(), 3u);
}

TEST_F(ShardedSweep, EmittedSlurmArrayScriptRunsTheSweep) {
  const std::string job = (dir / "job.sh").string();
  Proc e = start(sweep({"--emit-slurm", job, "--tasks", "2", "--sbatch=--partition=cpu", "--sbatch=--time=1:00:00"}),
                 {});
  ASSERT_EQ(e.finish(), 0) << e.text;
  EXPECT_NE(e.text.find("2 array tasks for the 6 runs"), std::string::npos) << e.text;
  const std::string script = slurp(job);
  for (const std::string& part :
       {std::string("#!/bin/bash\n"), std::string("#SBATCH --array=0-1\n"), std::string("#SBATCH --cpus-per-task=1\n"),
        std::string("#SBATCH --partition=cpu\n"), std::string("#SBATCH --time=1:00:00\n"),
        "#SBATCH --output=" + dir.string() + "/logs/slurm-%A_%a.out\n",
        "exec '" + std::string(MISH_CLI) + "' sweep --config '" + dir.string() + "/sweep.toml' --out '" +
            dir.string() + "' --jobs 1 --threads 1 --shard \"${SLURM_ARRAY_TASK_ID}/2\"\n"}) {
    EXPECT_NE(script.find(part), std::string::npos) << part << "\n---\n" << script;
  }
  EXPECT_TRUE(fs::exists(dir / "sweep.toml"));
  EXPECT_EQ(std::system(("bash -n " + job).c_str()), 0);
  // what the two array tasks run, outside Slurm: together, the whole sweep once
  std::vector<std::string> outputs;
  for (const char* task : {"0", "1"}) {
    Proc p = start_program("/bin/bash", {job}, {{"SLURM_ARRAY_TASK_ID", task}});
    EXPECT_EQ(p.finish(), 0) << p.text;
    outputs.push_back(p.text);
  }
  expect_every_run_once(outputs);
}

}  // namespace
