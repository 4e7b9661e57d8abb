// One training run: data, model, optimiser and schedule from a TrainConfig,
// per-epoch metrics, and a run directory whose files are always whole
// (config.toml, metrics.csv, result.json, each written to a temporary file
// and renamed into place).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "batches.hpp"
#include "distributed.hpp"
#include "models.hpp"

namespace mish::lab {

struct TrainConfig {
  // data
  std::string dataset = "fashion-mnist";
  std::string data_dir;  // "" = the dataset's default location
  int64_t limit_train = 0, limit_test = 0;  // 0 = all
  double noise_std = 0;
  std::string noise_on = "train";  // train | test | both
  bool augment = false;
  // model
  std::string model = "depth";
  std::string activation = "mish";
  int depth = 0, width = 0;  // 0 = the model's default
  bool batch_norm = true;
  double dropout = 0;
  std::string init = "default";
  // optimisation
  std::string optimizer = "sgd";  // sgd | adam | rmsprop
  double lr = 0.01, momentum = 0.9, weight_decay = 0;
  bool nesterov = false;
  std::string schedule = "constant";  // constant | step | multistep | cosine
  int step_size = 10;
  std::vector<int> milestones = {};
  double gamma = 0.1;
  int epochs = 10;
  int64_t batch_size = 128;
  // run
  uint64_t seed = 0;
  int threads = 0;  // 0 = all cores
  std::string out = "runs";  // parent directory of the run directory
  std::string name;          // run directory name ("" = derived from the config)
  bool save_model = false;   // write the trained weights to <run dir>/model.pt
};

// Throws std::invalid_argument naming the first field that is out of range.
void validate(const TrainConfig& c);

// The config as TOML (what config.toml holds; parse_config reads it back).
std::string to_toml(const TrainConfig& c);
// Reads TOML text over c's values (unknown keys are errors: typos must not be
// silently ignored). `source` names the file in messages.
void parse_config(const std::string& toml_text, const std::string& source, TrainConfig& c);

struct EpochMetrics {
  int epoch = 0;
  double train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0, lr = 0, seconds = 0;
};

struct RunResult {
  std::string status = "failed";  // ok | diverged | failed
  std::string message;
  std::string run_dir;
  std::vector<EpochMetrics> epochs;
  double test_accuracy = 0, test_loss = 0, best_test_accuracy = 0, seconds = 0;
};

// Progress callbacks: batch b of n in an epoch (with running loss and
// accuracy), and each finished epoch.
struct Progress {
  std::function<void(int epoch, int64_t batch, int64_t batches, double loss, double acc)> on_batch;
  std::function<void(const EpochMetrics&)> on_epoch;
};

// A data-parallel run: the launch (see distributed.hpp) and how long any
// rank waits for the others before the run fails.
struct DistributedOptions {
  LaunchEnv env;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};

// Runs the config; the run directory is created under c.out (a fresh name),
// or is exactly run_dir when that is given (emptied first: sweeps rerun an
// unfinished run in its own place). Failures of the data or the model end as
// status "failed" with the message (and the files written), divergence as
// "diverged"; neither throws.
//
// With dist (world size > 1) every rank calls this with the same config: each
// trains on its shard of every global batch of c.batch_size, gradients are
// summed over the ranks, and rank 0 alone writes the run directory (the other
// ranks return its status with an empty run_dir). A rank that fails or is lost
// makes every rank end "failed" within dist->timeout.
RunResult train(const TrainConfig& c, const Progress& progress = {}, const std::string& run_dir = "",
                const DistributedOptions* dist = nullptr);

// The data of a config as tensors (what train() trains and tests on).
TensorSplits load_tensors(const TrainConfig& c);
// The config's model, freshly initialised (c.init, from c.seed) for inputs
// like in's.
std::shared_ptr<Model> build_model(const TrainConfig& c, const InputShape& in);
InputShape input_shape(const TensorSplits& data);

// The model a run saved (config.toml + model.pt of a run with save_model),
// rebuilt and loaded; throws std::runtime_error saying what is missing.
struct SavedRun {
  TrainConfig config;
  std::shared_ptr<Model> model;
  TensorSplits data;
};
SavedRun load_saved_run(const std::string& run_dir);

// Writes text to path through a temporary file in the same directory and a
// rename, so readers never see a partial file.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace mish::lab
