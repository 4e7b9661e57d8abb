// Sweeps: a grid of training runs over any config keys, run by parallel
// worker processes (`mish train --run-dir ...`), resumable.
//
// Sweep file (TOML): the keys of `mish train` as the base of every run, and a
// [grid] table of key = [values] whose cross product gives the runs:
//   model = "mlp"
//   epochs = 3
//   [grid]
//   activation = ["mish", "swish", "relu"]
//   seed = [1, 2, 3]
//
// Layout of the output directory:
//   runs/<name>/       one run directory per grid point (config.toml, metrics.csv, result.json)
//   configs/<name>.toml, logs/<name>.log
//   results.csv        one row per finished run (rewritten atomically)
//   sweep.toml         the sweep file (a directory holds one sweep: resuming
//                      with a different file is refused)
//   locks/<name>.lock  held (fcntl) by the process running that run, so shards
//                      sharing the directory never run a run twice at once
// A run is finished when its result.json says ok or diverged (written last,
// atomically). Rerunning a sweep skips finished runs and restarts the others
// in their own directory, so a sweep killed at any moment (even SIGKILL: the
// workers die with it) loses no finished result and never duplicates one.
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "train.hpp"

namespace mish::lab {

struct SweepRun {
  std::string name;  // "activation=mish,seed=1": the grid values, also the directory name
  std::vector<std::pair<std::string, std::string>> grid;  // key, value as text
  std::string toml;  // the run's full config
  TrainConfig config;
};

// A sweep file from a file's text (may be empty) and command-line settings:
// `set` (key, value) for every run, `grid` (key, "v1,v2,...") axes added to
// [grid]. Values are TOML values as written, other text is a string. Throws
// std::invalid_argument naming what is wrong.
std::string compose_sweep(const std::string& file_text, const std::string& source,
                          const std::vector<std::pair<std::string, std::string>>& set,
                          const std::vector<std::pair<std::string, std::string>>& grid);

// Expands a sweep file; throws std::invalid_argument naming what is wrong.
std::vector<SweepRun> expand_sweep(const std::string& toml_text, const std::string& source);

struct SweepOptions {
  std::string out;          // output directory
  int jobs = 1;             // worker processes at once
  int threads_per_job = 0;  // 0: cores / jobs
  std::string exe;          // the mish executable the workers run
  std::string sweep_text;   // the sweep file, kept as OUT/sweep.toml (the report reads it)
  // Runs of the shard: the runs whose index in the grid is shard modulo
  // shards. Shards on several machines may share one directory (a network
  // filesystem with POSIX locks): a lock per run keeps any run from being run
  // twice at once, and a finished run is never run again.
  int shard = 0, shards = 1;
};

// Writes dir/sweep.toml, or checks that it already holds this text (a
// directory holds one sweep); throws std::runtime_error when it differs.
void keep_sweep_text(const std::string& dir, const std::string& text);

// An sbatch script running a sweep directory as a Slurm job array, one shard per task.
struct SlurmOptions {
  std::string out;   // the sweep directory (absolute), holding sweep.toml
  std::string exe;   // the mish executable (absolute)
  std::string file;  // where the script will be (for its comment)
  int runs = 0, tasks = 1, jobs = 1, threads = 1, cpus_per_task = 1;
  std::vector<std::string> sbatch;  // more #SBATCH options, e.g. "--partition=cpu"
};
std::string slurm_script(const SlurmOptions& o);

// "I/N" -> {I, N}; throws std::invalid_argument unless 0 <= I < N.
std::pair<int, int> parse_shard(const std::string& text);
// The shard a launcher gives this process: a Slurm array task
// (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT) or a
// rank of torchrun / srun / mpirun; nullopt when none did.
std::optional<std::pair<int, int>> shard_from_env(const EnvReader& env = process_env());

struct SweepStatus {
  int total = 0, skipped = 0, ok = 0, diverged = 0, failed = 0;
  int busy = 0;  // runs another process was running (left to it)
};

// What a run directory's result.json says. A run is finished when its status is
// ok or diverged; "ok" also needs a finite numeric test_accuracy (anything else
// is reported as failed, with the reason in message). No file, or one that is
// not JSON (a run killed before its last write), gives status "none".
struct RunRecord {
  std::string status = "none";  // ok, diverged, failed, none
  std::string message;
  double test_accuracy = NAN, best_test_accuracy = NAN, test_loss = NAN, seconds = NAN;
  int epochs = -1;
  bool finished() const { return status == "ok" || status == "diverged"; }
};
RunRecord read_run_record(const std::string& run_dir);

// Runs what is not finished yet; log gets one line per run, with a bar of the
// sweep's progress. Throws std::runtime_error when the directory is in use by
// another sweep or holds a different one.
SweepStatus run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& opt,
                      const std::function<void(const std::string&)>& log);

// The runs of the sweep in dir (from its sweep.toml); throws
// std::runtime_error when there is none.
std::vector<SweepRun> sweep_in(const std::string& dir);

}  // namespace mish::lab
