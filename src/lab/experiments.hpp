// The Mish paper's experiments, each with a `quick` preset (the same effect
// at small scale, minutes on 2 cores) and a `paper` preset (the paper's
// settings), and `reproduce`, which runs a set of them into one directory:
//   DIR/reproduce.json      what was asked (preset, experiments, overrides) and how it went
//   DIR/figures/            every figure (PNG, SVG, and the data behind it)
//   DIR/sweeps/<id>/        the training runs of experiment <id> (a `mish sweep` directory)
//   DIR/report.md, report.html   (see report.hpp)
// Training experiments are sweeps, so `reproduce` is resumable like a sweep:
// rerun the same command and finished runs are kept.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mish::lab {

struct ExperimentInfo {
  std::string id;     // fig1, fig2, ..., table2
  std::string title;  // one line
  bool trains;        // runs a sweep
};

// In report order.
const std::vector<ExperimentInfo>& experiments();
const ExperimentInfo& experiment(const std::string& id);  // throws std::invalid_argument for an unknown id

// What `reproduce --quick` runs when no --only is given.
const std::vector<std::string>& quick_default();

// The preset ("quick" or "paper") of a training experiment as a sweep file,
// with `overrides` (key = TOML value, or text taken as a string) applied to
// every run and, when seeds > 0, the seed axis replaced by 1..seeds.
// Throws std::invalid_argument for a bad preset, id, key or value.
std::string sweep_file(const std::string& id, const std::string& preset,
                       const std::vector<std::pair<std::string, std::string>>& overrides = {}, int seeds = 0);

// fig4 / fig5 sizes per preset.
struct LandscapeSettings {
  int size = 21;          // grid points per axis
  double range = 1;       // fig5: [-range, range]^2
  int64_t samples = 1000; // fig5: training images the loss is measured on
};
LandscapeSettings fig5_settings(const std::string& preset);

struct ReproduceOptions {
  std::string preset = "quick";
  std::string out;
  std::vector<std::string> only;  // empty: quick_default() for quick, everything for paper
  std::vector<std::pair<std::string, std::string>> overrides;
  int seeds = 0;
  int jobs = 0;     // worker processes (0: one per core)
  int threads = 0;  // per worker (0: cores / jobs)
  std::string exe;  // the mish executable (sweep workers run `exe train`)
  bool dry_run = false;  // only print what would run
};

// Runs the experiments (an experiment that fails is recorded in
// reproduce.json and the report, and the others still run), then writes the
// report. Returns the number of experiments that failed.
int reproduce(const ReproduceOptions& opt, const std::function<void(const std::string&)>& log);

}  // namespace mish::lab
