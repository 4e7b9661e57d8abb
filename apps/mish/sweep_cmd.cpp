// `mish sweep`: a grid of training runs from a TOML file, in parallel worker
// processes, resumable (see src/lab/sweeps.hpp for the file and the layout).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "commands.hpp"
#include "sweeps.hpp"

namespace mish::cli {

void add_sweep(CLI::App& app) {
  struct Args {
    std::string config, out;
    std::vector<std::string> set, grid;
    int jobs = 1, threads = 0;
    std::string shard, emit_slurm;
    int tasks = 0;
    std::vector<std::string> sbatch;
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
  cmd->add_option("--shard", a->shard,
                  "I/N: run only the runs whose grid index is I modulo N; N processes (on any machines sharing "
                  "--out) together run the sweep once. Default: from a Slurm array task or a torchrun / srun / "
                  "mpirun rank, else the whole sweep");
  CLI::Option* emit = cmd->add_option(
      "--emit-slurm", a->emit_slurm,
      "write an sbatch script running this sweep as a Slurm job array (one shard per task) and exit");
  cmd->get_option("--shard")->excludes(emit);
  cmd->add_option("--tasks", a->tasks, "array tasks for --emit-slurm (default: one per run, at most 64)")
      ->check(CLI::Range(1, 100000))
      ->needs(emit);
  cmd->add_option("--sbatch", a->sbatch, "an #SBATCH option for --emit-slurm, e.g. --sbatch=--partition=cpu; "
                                         "repeatable")
      ->needs(emit);
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
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    if (!a->emit_slurm.empty()) {
      lab::SlurmOptions so;
      so.out = std::filesystem::absolute(a->out).lexically_normal().string();
      so.exe = exe;
      so.file = a->emit_slurm;
      so.runs = static_cast<int>(runs.size());
      so.tasks = a->tasks > 0 ? a->tasks : std::min<int>(so.runs, 64);
      so.jobs = a->jobs;
      so.threads = a->threads > 0 ? a->threads : 1;
      so.cpus_per_task = so.jobs * so.threads;
      so.sbatch = a->sbatch;
      lab::keep_sweep_text(so.out, text);  // every task reads this file
      std::filesystem::create_directories(std::filesystem::path(so.out) / "logs");
      lab::write_atomically(a->emit_slurm, lab::slurm_script(so));
      std::filesystem::permissions(a->emit_slurm, std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec,
                                   std::filesystem::perm_options::add);
      std::printf("wrote %s: %d array tasks for the %zu runs in %s (submit: sbatch %s)\n", a->emit_slurm.c_str(),
                  so.tasks, runs.size(), so.out.c_str(), a->emit_slurm.c_str());
      return;
    }
    lab::SweepOptions opt;
    if (!a->shard.empty()) {
      std::tie(opt.shard, opt.shards) = lab::parse_shard(a->shard);
    } else if (const auto env = lab::shard_from_env()) {
      std::tie(opt.shard, opt.shards) = *env;
    }
    std::printf("mish sweep: %zu runs, %d at a time -> %s\n", runs.size(), a->jobs, a->out.c_str());
    std::fflush(stdout);
    opt.out = a->out;
    opt.jobs = a->jobs;
    opt.threads_per_job = a->threads;
    opt.sweep_text = text;
    opt.exe = exe;
    const lab::SweepStatus st = lab::run_sweep(runs, opt, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    std::printf("done: %d ok, %d diverged, %d failed, %d already done%s -> %s/results.csv (mish report %s)\n",
                st.ok, st.diverged, st.failed, st.skipped,
                st.busy ? (", " + std::to_string(st.busy) + " left to another process").c_str() : "",
                a->out.c_str(), a->out.c_str());
    if (st.failed) throw CLI::RuntimeError(1);
  });
}

}  // namespace mish::cli
