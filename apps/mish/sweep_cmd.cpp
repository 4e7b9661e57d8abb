// `mish sweep`: a grid of training runs from a TOML file, in parallel worker
// processes, resumable (see src/lab/sweeps.hpp for the file and the layout).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "sweeps.hpp"

namespace mish::cli {

void add_sweep(CLI::App& app) {
  struct Args {
    std::string config, out;
    int jobs = 1, threads = 0;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of training runs (TOML: train keys plus a [grid] of key = [values]); rerun to resume");
  cmd->add_option("--config", a->config, "sweep file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out, "output directory (runs/, results.csv, logs/)")->required();
  cmd->add_option("--jobs", a->jobs, "worker processes at once")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->threads, "threads per worker (0: cores / jobs)")->capture_default_str();
  cmd->callback([a] {
    std::ifstream f(a->config);
    std::stringstream ss;
    ss << f.rdbuf();
    const auto runs = lab::expand_sweep(ss.str(), a->config);
    std::printf("mish sweep: %zu runs, %d at a time -> %s\n", runs.size(), a->jobs, a->out.c_str());
    std::fflush(stdout);
    lab::SweepOptions opt;
    opt.out = a->out;
    opt.jobs = a->jobs;
    opt.threads_per_job = a->threads;
    opt.sweep_text = ss.str();
    opt.exe = std::filesystem::read_symlink("/proc/self/exe").string();
    const lab::SweepStatus st = lab::run_sweep(runs, opt, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    std::printf("done: %d ok, %d diverged, %d failed, %d already done -> %s/results.csv\n", st.ok, st.diverged,
                st.failed, st.skipped, a->out.c_str());
    if (st.failed) throw CLI::RuntimeError(1);
  });
}

}  // namespace mish::cli
