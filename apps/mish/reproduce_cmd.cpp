// `mish reproduce (--quick|--paper) [--only fig4,table1,...] --out DIR` and
// `mish report DIR`: the paper's experiments, and the report of a results
// directory (see src/lab/experiments.hpp and src/lab/report.hpp).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "experiments.hpp"
#include "report.hpp"

namespace mish::cli {

void add_reproduce(CLI::App& app) {
  struct Args {
    bool quick = false, paper = false, dry_run = false;
    std::vector<std::string> only, set;
    std::string out;
    int seeds = 0, jobs = 0, threads = 0;
  };
  auto a = std::make_shared<Args>();
  std::string ids;
  for (const auto& e : lab::experiments()) ids += (ids.empty() ? "" : ",") + e.id;
  std::string quick;
  for (const auto& e : lab::quick_default()) quick += (quick.empty() ? "" : ",") + e;
  CLI::App* cmd = app.add_subcommand(
      "reproduce", "Rerun the Mish paper's figures and tables into DIR (figures/, sweeps/, report.md, report.html); "
                   "rerun the same command to resume");
  auto* q = cmd->add_flag("--quick", a->quick, "small-scale preset (default set: " + quick + "; minutes on 2 cores)");
  auto* p = cmd->add_flag("--paper", a->paper, "the paper's settings (every experiment; days on a CPU: see "
                                               "docs/EXPERIMENTS.md)");
  q->excludes(p);
  cmd->add_option("--only", a->only, "experiments to run, comma-separated: " + ids)->delimiter(',');
  cmd->add_option("--out", a->out, "results directory")->required();
  cmd->add_option("--set", a->set, "KEY=VALUE: a train setting for every run (e.g. dataset=cifar10, "
                                   "data_dir=/data/cifar, epochs=2); repeatable");
  cmd->add_option("--seeds", a->seeds, "seeds per grid point (1..N) instead of the preset's");
  cmd->add_option("--jobs", a->jobs, "training runs at once (0: one per core)")->capture_default_str();
  cmd->add_option("--threads", a->threads, "threads per run (0: cores / jobs)")->capture_default_str();
  cmd->add_flag("--dry-run", a->dry_run, "print the experiments and their sweep files; run nothing");
  cmd->callback([a] {
    if (!a->quick && !a->paper) throw CLI::ValidationError("--quick / --paper", "choose a preset: --quick or --paper");
    lab::ReproduceOptions o;
    o.preset = a->paper ? "paper" : "quick";
    o.out = a->out;
    o.only = a->only;
    for (const auto& kv : a->set) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw CLI::ValidationError("--set", "'" + kv + "' is not KEY=VALUE (e.g. --set epochs=2)");
      }
      o.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    o.seeds = a->seeds;
    o.jobs = a->jobs;
    o.threads = a->threads;
    o.dry_run = a->dry_run;
    o.exe = std::filesystem::read_symlink("/proc/self/exe").string();
    const int failed = lab::reproduce(o, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    if (failed) {
      std::fprintf(stderr, "mish reproduce: %d experiment(s) failed; the report says which and why\n", failed);
      throw CLI::RuntimeError(1);
    }
  });
}

void add_report(CLI::App& app) {
  struct Args {
    std::string dir, baseline = "mish";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write DIR/report.md and a self-contained DIR/report.html from a reproduce or sweep directory");
  cmd->add_option("DIR", a->dir, "results directory (mish reproduce --out or mish sweep --out)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--baseline", a->baseline, "activation the others are tested against")->capture_default_str();
  cmd->callback([a] {
    lab::ReportOptions o;
    o.dir = a->dir;
    o.baseline = a->baseline;
    const lab::ReportFiles f = lab::write_report(o);
    std::printf("report: %s, %s (%zu sections, %zu figures, %zu tables)\n", f.md.c_str(), f.html.c_str(),
                f.sections.size(), f.figures.size(), f.tables.size());
  });
}

}  // namespace mish::cli
