// `mish train`: one training run from flags and/or a TOML config file (flags
// override the file), into a fresh run directory.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "models.hpp"
#include "train.hpp"

namespace mish::cli {
namespace {

struct TrainCommand {
  lab::TrainConfig flags;  // what CLI11 fills in
  std::string config_file;
  std::string run_dir;  // exact run directory (sweeps)
  std::string distributed = "auto";  // auto: data-parallel when a launcher started this process
  double dist_timeout = 300;
  std::vector<std::pair<CLI::Option*, std::function<void(lab::TrainConfig&)>>> given;

  template <class T>
  void opt(CLI::App* cmd, const std::string& name, T lab::TrainConfig::*m, const std::string& help) {
    CLI::Option* o = cmd->add_option(name, flags.*m, help)->capture_default_str();
    given.emplace_back(o, [this, m](lab::TrainConfig& c) { c.*m = flags.*m; });
  }
  void flag(CLI::App* cmd, const std::string& name, bool lab::TrainConfig::*m, const std::string& help) {
    CLI::Option* o = cmd->add_flag(name, flags.*m, help);
    given.emplace_back(o, [this, m](lab::TrainConfig& c) { c.*m = flags.*m; });
  }

  lab::TrainConfig resolve() const {
    lab::TrainConfig c;
    if (!config_file.empty()) {
      std::ifstream f(config_file);
      if (!f) throw std::runtime_error("cannot read config file " + config_file);
      std::stringstream ss;
      ss << f.rdbuf();
      lab::parse_config(ss.str(), config_file, c);
    }
    for (const auto& [o, apply] : given) {
      if (o->count() > 0) apply(c);
    }
    lab::validate(c);
    return c;
  }
};

std::string clock(double s) {
  const int t = static_cast<int>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  return buf;
}

void run(const TrainCommand& tc) {
  const lab::TrainConfig c = tc.resolve();
  lab::DistributedOptions dist;
  if (tc.distributed == "auto") dist.env = lab::launch_env();
  dist.timeout = std::chrono::milliseconds(static_cast<int64_t>(tc.dist_timeout * 1000));
  const bool parallel = dist.env.world > 1, lead = dist.env.rank == 0;
  const std::string who =
      parallel ? "rank " + std::to_string(dist.env.rank) + " of " + std::to_string(dist.env.world) + ": " : "";
  const bool tty = isatty(fileno(stderr)) != 0 && lead;
  const auto t0 = std::chrono::steady_clock::now();
  if (lead) {
    std::fprintf(stderr, "mish train: %s with %s on %s, %d epochs, seed %llu%s\n", c.model.c_str(),
                 c.activation.c_str(), c.dataset.c_str(), c.epochs, static_cast<unsigned long long>(c.seed),
                 parallel ? (", data-parallel over " + std::to_string(dist.env.world) + " processes (" +
                             dist.env.launcher + ", Gloo)").c_str()
                          : "");
  }
  lab::Progress p;
  if (tty) {
    p.on_batch = [&](int epoch, int64_t b, int64_t n, double loss, double acc) {
      if (b % 5 != 0 && b != n) return;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double done = (epoch - 1 + static_cast<double>(b) / static_cast<double>(n)) / c.epochs;
      const int width = 24, fill = static_cast<int>(width * static_cast<double>(b) / static_cast<double>(n));
      std::fprintf(stderr, "\repoch %d/%d [%s%s] %lld/%lld loss %.4f acc %5.1f%% ETA %s ", epoch, c.epochs,
                   std::string(static_cast<size_t>(fill), '#').c_str(),
                   std::string(static_cast<size_t>(width - fill), '.').c_str(), static_cast<long long>(b),
                   static_cast<long long>(n), loss, 100 * acc, clock(s / done - s).c_str());
    };
  }
  if (lead) p.on_epoch = [&](const lab::EpochMetrics& m) {
    std::fprintf(stderr, "%sepoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | lr %.3g | %.1f s\n",
                 tty ? "\r\033[K" : "", m.epoch, c.epochs, m.train_loss, 100 * m.train_acc, m.test_loss,
                 100 * m.test_acc, m.lr, m.seconds);
  };
  const lab::RunResult r = lab::train(c, p, tc.run_dir, parallel ? &dist : nullptr);
  if (r.status == "ok") {
    if (lead) {
      std::printf("ok: test accuracy %.2f%% (best %.2f%%) after %zu epochs, %.1f s -> %s\n", 100 * r.test_accuracy,
                  100 * r.best_test_accuracy, r.epochs.size(), r.seconds, r.run_dir.c_str());
    }
    return;
  }
  std::fprintf(stderr, "%s%s%s: %s\n", tty ? "\r\033[K" : "", who.c_str(), r.status.c_str(), r.message.c_str());
  if (lead) std::fprintf(stderr, "results so far: %s\n", r.run_dir.c_str());
  throw CLI::RuntimeError(r.status == "diverged" ? 3 : 1);
}

}  // namespace

void add_train(CLI::App& app) {
  auto tc = std::make_shared<TrainCommand>();
  CLI::App* cmd = app.add_subcommand("train", "Train one model on real data with one activation; writes a run "
                                              "directory (config.toml, metrics.csv, result.json)");
  std::string models, inits;
  for (const auto& m : lab::model_names()) models += (models.empty() ? "" : ", ") + m;
  for (const auto& i : lab::init_names()) inits += (inits.empty() ? "" : ", ") + i;
  cmd->add_option("--config", tc->config_file, "TOML file with any of these settings (keys: flag names with _ for -); "
                                               "flags given here override it")
      ->check(CLI::ExistingFile);
  tc->opt(cmd, "--dataset", &lab::TrainConfig::dataset, "fashion-mnist, mnist or cifar10");
  tc->opt(cmd, "--data-dir", &lab::TrainConfig::data_dir,
          "directory with the dataset's files (default for fashion-mnist: /usr/share/datasets/fashion-mnist)");
  tc->opt(cmd, "--model", &lab::TrainConfig::model, models);
  tc->opt(cmd, "--depth", &lab::TrainConfig::depth, "layers (depth: dense layers; mlp; cnn: conv layers); 0 = default");
  tc->opt(cmd, "--width", &lab::TrainConfig::width, "units (mlp) or first conv channels (cnn); 0 = default");
  tc->opt(cmd, "--activation", &lab::TrainConfig::activation, "registry activation: mish, swish:beta=1.5, relu, ...");
  tc->opt(cmd, "--optimizer", &lab::TrainConfig::optimizer, "sgd, adam or rmsprop");
  tc->opt(cmd, "--lr", &lab::TrainConfig::lr, "learning rate");
  tc->opt(cmd, "--momentum", &lab::TrainConfig::momentum, "momentum (sgd, rmsprop)");
  tc->flag(cmd, "--nesterov", &lab::TrainConfig::nesterov, "Nesterov momentum (sgd)");
  tc->opt(cmd, "--weight-decay", &lab::TrainConfig::weight_decay, "L2 weight decay");
  tc->opt(cmd, "--schedule", &lab::TrainConfig::schedule, "constant, step, multistep or cosine");
  tc->opt(cmd, "--step-size", &lab::TrainConfig::step_size, "epochs per step (schedule step)");
  tc->opt(cmd, "--milestones", &lab::TrainConfig::milestones, "epochs where the lr drops (schedule multistep)");
  tc->opt(cmd, "--gamma", &lab::TrainConfig::gamma, "lr factor per step / milestone");
  tc->opt(cmd, "--epochs", &lab::TrainConfig::epochs, "epochs");
  tc->opt(cmd, "--batch-size", &lab::TrainConfig::batch_size, "batch size");
  tc->opt(cmd, "--seed", &lab::TrainConfig::seed, "seed of weights, shuffling, dropout, noise");
  tc->opt(cmd, "--noise-std", &lab::TrainConfig::noise_std, "std of Gaussian noise added to the standardised inputs");
  tc->opt(cmd, "--noise-on", &lab::TrainConfig::noise_on, "where the noise goes: train, test or both");
  tc->flag(cmd, "--augment", &lab::TrainConfig::augment, "random crop (padding 4) and horizontal flip");
  tc->opt(cmd, "--init", &lab::TrainConfig::init, inits);
  tc->opt(cmd, "--dropout", &lab::TrainConfig::dropout, "dropout after each hidden layer (mlp)");
  tc->opt(cmd, "--batch-norm", &lab::TrainConfig::batch_norm, "batch normalisation in the mlp (true/false)");
  tc->opt(cmd, "--limit-train", &lab::TrainConfig::limit_train, "use only the first N training images (0 = all)");
  tc->opt(cmd, "--limit-test", &lab::TrainConfig::limit_test, "use only the first N test images (0 = all)");
  tc->opt(cmd, "--threads", &lab::TrainConfig::threads, "threads (0 = all cores); results are reproducible per count");
  tc->opt(cmd, "--out", &lab::TrainConfig::out, "parent directory of the run directory");
  tc->opt(cmd, "--name", &lab::TrainConfig::name, "run directory name (default: dataset_model_activation_seedN)");
  tc->flag(cmd, "--save-model", &lab::TrainConfig::save_model, "write the trained weights to <run dir>/model.pt");
  cmd->add_option("--run-dir", tc->run_dir,
                  "write into exactly this directory, emptied first (instead of a fresh one under --out)");
  cmd->add_option("--distributed", tc->distributed,
                  "auto: train data-parallel when started by torchrun, srun or mpirun (their environment); off: "
                  "one process whatever the environment")
      ->check(CLI::IsMember({"auto", "off"}))
      ->capture_default_str();
  cmd->add_option("--dist-timeout", tc->dist_timeout,
                  "seconds a data-parallel rank waits for the others (rendezvous, each all-reduce) before the run "
                  "fails")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  cmd->callback([tc] { run(*tc); });
}

}  // namespace mish::cli
