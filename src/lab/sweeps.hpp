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
// A run is finished when its result.json says ok or diverged (written last,
// atomically). Rerunning a sweep skips finished runs and restarts the others
// in their own directory, so a sweep killed at any moment (even SIGKILL: the
// workers die with it) loses no finished result and never duplicates one.
#pragma once

#include <cmath>
#include <functional>
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
};

struct SweepStatus {
  int total = 0, skipped = 0, ok = 0, diverged = 0, failed = 0;
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
