// `mish sweep`: a grid of training runs from a TOML file, in parallel worker
// processes, resumable (see src/lab/sweeps.hpp for the file and the layout).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "sweeps.hpp"

namespace mish::cli {

void add_sweep(CLI::App& app) {
  struct Args {
    std::string config, out;
    std::vector<std::string> set, grid;
    int jobs = 1, threads = 0;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of training runs (TOML: train keys plus a [grid] of key = [values], and/or --grid / "
               "--set); rerun to resume");
  cmd->add_option("--config", a->config, "sweep file")->check(CLI::ExistingFile);
  cmd->add_option("--grid", a->grid, "KEY=V1,V2,...: a grid axis (e.g. --grid activation=mish,swish,relu "
                                     "--grid seed=1,2,3); repeatable, added to the file's [grid]");
  cmd->add_option("--set", a->set, "KEY=VALUE: a train setting for every run (e.g. --set model=mlp); repeatable, "
                                   "overrides the file");
  cmd->add_option("--out", a->out, "output directory (runs/, results.csv, logs/, sweep.toml)")->required();
  cmd->add_option("--jobs", a->jobs, "worker processes at once")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->threads, "threads per worker (0: cores / jobs)")->capture_default_str();
  cmd->callback([a] {
    if (a->config.empty() && a->grid.empty() && a->set.empty()) {
      throw CLI::ValidationError("--config / --grid", "give a sweep file (--config) or the grid (--grid, --set)");
    }
    auto pairs = [](const std::vector<std::string>& items, const char* flag) {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto& kv : items) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
          throw CLI::ValidationError(flag, "'" + kv + "' is not KEY=VALUE");
        }
        out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      }
      return out;
    };
    std::string text;
    if (!a->config.empty()) {
      std::ifstream f(a->config);
      std::stringstream ss;
      ss << f.rdbuf();
      text = ss.str();
    }
    const std::string source = a->config.empty() ? "the command line" : a->config;
    if (!a->grid.empty() || !a->set.empty()) {
      text = lab::compose_sweep(text, source, pairs(a->set, "--set"), pairs(a->grid, "--grid"));
    }
    const auto runs = lab::expand_sweep(text, source);
    std::printf("mish sweep: %zu runs, %d at a time -> %s\n", runs.size(), a->jobs, a->out.c_str());
    std::fflush(stdout);
    lab::SweepOptions opt;
    opt.out = a->out;
    opt.jobs = a->jobs;
    opt.threads_per_job = a->threads;
    opt.sweep_text = text;
    opt.exe = std::filesystem::read_symlink("/proc/self/exe").string();
    const lab::SweepStatus st = lab::run_sweep(runs, opt, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    std::printf("done: %d ok, %d diverged, %d failed, %d already done -> %s/results.csv (mish report %s)\n", st.ok,
                st.diverged, st.failed, st.skipped, a->out.c_str(), a->out.c_str());
    if (st.failed) throw CLI::RuntimeError(1);
  });
}

}  // namespace mish::cli
