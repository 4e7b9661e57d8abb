// `mish report DIR`: report.md and a self-contained report.html (figures
// embedded) from a results directory:
//   - a `mish reproduce` directory (reproduce.json, figures/, sweeps/<id>/):
//     one section per experiment, with its figures, tables of statistics per
//     group (n, mean +- std, 95% CI, min-max, Welch's p and Cohen's d against
//     the baseline activation) and the paper's numbers beside ours;
//   - a `mish sweep` directory (sweep.toml, runs/): one table of the runs
//     grouped by every grid key except the seed.
// Figures of training experiments (accuracy curves, accuracy against depth /
// noise / initialiser) are drawn here from the runs, so a report of an
// unfinished sweep shows what is finished and says how much is missing.
#pragma once

#include <string>
#include <vector>

namespace mish::lab {

struct ReportOptions {
  std::string dir;
  std::string baseline = "mish";  // the activation the others are tested against
};

struct ReportFiles {
  std::string md, html;
  std::vector<std::string> figures;  // relative to dir, as the report shows them
  std::vector<std::string> sections; // experiment ids (or "sweep") reported
  std::vector<std::string> tables;   // one title per table
};

// Throws std::runtime_error when dir holds neither kind of results.
ReportFiles write_report(const ReportOptions& opt);

}  // namespace mish::lab
