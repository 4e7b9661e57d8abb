#include "report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "experiments.hpp"
#include "figures.hpp"
#include "mish/activations.hpp"
#include "stats.hpp"
#include "sweeps.hpp"
#include "train.hpp"

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// The document: blocks rendered both as Markdown and as HTML.

struct Block {
  enum Kind { kHeading, kText, kImage, kTable, kCode } kind = kText;
  int level = 2;
  std::string text;  // heading / paragraph / code / image caption
  std::string path;  // image, relative to the report
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct Doc {
  std::vector<Block> blocks;
  ReportFiles* files = nullptr;
  void h(int level, const std::string& t) { blocks.push_back({Block::kHeading, level, t, "", {}, {}}); }
  void p(const std::string& t) { blocks.push_back({Block::kText, 0, t, "", {}, {}}); }
  void code(const std::string& t) { blocks.push_back({Block::kCode, 0, t, "", {}, {}}); }
  void image(const std::string& path, const std::string& caption) {
    blocks.push_back({Block::kImage, 0, caption, path, {}, {}});
    files->figures.push_back(path);
  }
  void table(const std::string& title, std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
    blocks.push_back({Block::kText, 0, "**" + title + "**", "", {}, {}});
    blocks.push_back({Block::kTable, 0, title, "", std::move(header), std::move(rows)});
    files->tables.push_back(title);
  }
};

std::string md_cell(std::string s) {
  std::string o;
  for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
  return o;
}

std::string markdown(const Doc& d) {
  std::ostringstream os;
  for (const Block& b : d.blocks) {
    switch (b.kind) {
      case Block::kHeading: os << std::string(static_cast<size_t>(b.level), '#') << ' ' << b.text << "\n\n"; break;
      case Block::kText: os << b.text << "\n\n"; break;
      case Block::kCode: os << "```toml\n" << b.text << (b.text.empty() || b.text.back() == '\n' ? "" : "\n") << "```\n\n"; break;
      case Block::kImage: os << "![" << b.text << "](" << b.path << ")\n\n*" << b.text << "*\n\n"; break;
      case Block::kTable:
        os << '|';
        for (const auto& h : b.header) os << ' ' << md_cell(h) << " |";
        os << "\n|";
        for (size_t i = 0; i < b.header.size(); ++i) os << "---|";
        os << '\n';
        for (const auto& r : b.rows) {
          os << '|';
          for (const auto& c : r) os << ' ' << md_cell(c) << " |";
          os << '\n';
        }
        os << '\n';
        break;
    }
  }
  return os.str();
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// **bold** and `code` spans of the paragraph text, escaped.
std::string html_inline(const std::string& s) {
  std::string o;
  bool bold = false, code = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!code && s.compare(i, 2, "**") == 0) {
      o += bold ? "</strong>" : "<strong>";
      bold = !bold;
      ++i;
    } else if (s[i] == '`') {
      o += code ? "</code>" : "<code>";
      code = !code;
    } else {
      o += html_escape(std::string(1, s[i]));
    }
  }
  if (code) o += "</code>";
  if (bold) o += "</strong>";
  return o;
}

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(in[i]);
    const auto b1 = i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) : 0u;
    const auto b2 = i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0u;
    const unsigned v = (b0 << 16) | (b1 << 8) | b2;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < in.size() ? abc[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? abc[v & 63] : '=';
  }
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string html(const Doc& d, const fs::path& dir, const std::string& title) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << html_escape(title)
     << "</title>\n<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;line-height:1.45}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}td,th{border:1px solid #bbb;padding:.25em "
        ".6em;text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}"
        "img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}figcaption{color:#555;font-style:italic}"
        "pre{background:#f6f6f6;padding:.6em;overflow-x:auto}</style></head><body>\n";
  for (const Block& b : d.blocks) {
    switch (b.kind) {
      case Block::kHeading: os << "<h" << b.level << '>' << html_escape(b.text) << "</h" << b.level << ">\n"; break;
      case Block::kText: os << "<p>" << html_inline(b.text) << "</p>\n"; break;
      case Block::kCode: os << "<pre>" << html_escape(b.text) << "</pre>\n"; break;
      case Block::kImage: {
        const std::string png = read_file(dir / b.path);
        os << "<figure><img alt=\"" << html_escape(b.text) << "\" src=\"data:image/png;base64," << base64(png)
           << "\"><figcaption>" << html_escape(b.text) << "</figcaption></figure>\n";
        break;
      }
      case Block::kTable:
        os << "<table><thead><tr>";
        for (const auto& h : b.header) os << "<th>" << html_escape(h) << "</th>";
        os << "</tr></thead><tbody>\n";
        for (const auto& r : b.rows) {
          os << "<tr>";
          for (const auto& c : r) os << "<td>" << html_escape(c) << "</td>";
          os << "</tr>\n";
        }
        os << "</tbody></table>\n";
        break;
    }
  }
  os << "</body></html>\n";
  return os.str();
}

// ---------------------------------------------------------------------------
// Runs of a sweep.

struct RunData {
  std::map<std::string, std::string> grid;
  TrainConfig config;
  std::string status = "pending";  // ok | diverged | failed | pending (no result yet)
  double acc = 0, loss = 0;
  std::vector<EpochMetrics> epochs;
};

struct SweepData {
  std::string dir;
  std::string toml;
  std::vector<std::string> keys;  // grid keys in order
  std::vector<RunData> runs;
};

std::vector<EpochMetrics> read_metrics(const fs::path& p) {
  std::vector<EpochMetrics> out;
  std::ifstream f(p);
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    EpochMetrics m;
    if (std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf,%lf", &m.epoch, &m.train_loss, &m.train_acc, &m.test_loss,
                    &m.test_acc, &m.lr, &m.seconds) == 7) {
      out.push_back(m);
    }
  }
  return out;
}

SweepData load_sweep(const fs::path& dir) {
  SweepData d;
  d.dir = dir.string();
  d.toml = read_file(dir / "sweep.toml");
  for (const SweepRun& r : sweep_in(dir.string())) {
    RunData rd;
    for (const auto& [k, v] : r.grid) {
      rd.grid[k] = v;
      if (d.runs.empty()) d.keys.push_back(k);
    }
    rd.config = r.config;
    const fs::path rdir = dir / "runs" / r.name;
    const RunRecord res = read_run_record(rdir.string());
    rd.status = res.status == "none" ? "pending" : res.status;
    rd.acc = res.test_accuracy;
    rd.loss = res.test_loss;
    rd.epochs = read_metrics(rdir / "metrics.csv");
    d.runs.push_back(std::move(rd));
  }
  return d;
}

struct Group {
  std::vector<std::string> key;  // values of the group keys
  std::vector<double> acc, loss;
  int ok = 0, diverged = 0, failed = 0, pending = 0;
  std::vector<const RunData*> runs;  // the ok ones
};

std::vector<Group> group_runs(const SweepData& d, const std::vector<std::string>& keys) {
  std::vector<Group> groups;
  for (const RunData& r : d.runs) {
    std::vector<std::string> key;
    for (const auto& k : keys) key.push_back(r.grid.count(k) ? r.grid.at(k) : "");
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.key == key; });
    if (it == groups.end()) {
      groups.push_back({key, {}, {}, 0, 0, 0, 0, {}});
      it = groups.end() - 1;
    }
    if (r.status == "ok") {
      ++it->ok;
      it->acc.push_back(100 * r.acc);
      if (std::isfinite(r.loss)) it->loss.push_back(r.loss);
      it->runs.push_back(&r);
    } else if (r.status == "diverged") {
      ++it->diverged;
    } else if (r.status == "failed") {
      ++it->failed;
    } else {
      ++it->pending;
    }
  }
  return groups;
}

std::string fmt(double v, int decimals) {
  if (!std::isfinite(v)) return "—";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

std::string fmt_p(double p) {
  char b[32];
  if (p < 1e-4) return "< 0.0001";
  std::snprintf(b, sizeof b, "%.4f", p);
  return b;
}

// Canonical spelling of an activation spec (so "swish" matches "swish:beta=1").
std::string canon(const std::string& s) {
  try {
    return Spec::parse(s).str();
  } catch (const std::exception&) {
    return s;
  }
}

std::string runs_cell(const Group& g) {
  std::string s = std::to_string(g.ok);
  if (g.diverged) s += ", " + std::to_string(g.diverged) + " diverged";
  if (g.failed) s += ", " + std::to_string(g.failed) + " failed";
  if (g.pending) s += ", " + std::to_string(g.pending) + " not run yet";
  return s;
}

struct StatsTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> significant;  // "relu: -1.20 points, p = 0.01"
  int tests = 0;                         // how many groups were tested against the baseline
};

// One row per group: the key columns, the statistics of the final test
// accuracy (in %), and against the baseline group (same key but the baseline
// activation) Welch's t-test and Cohen's d. paper(g) gives the paper column.
StatsTable stats_table(const std::vector<std::string>& keys, const std::vector<Group>& groups,
                       const std::string& baseline, const std::string& paper_header,
                       const std::function<std::string(const Group&)>& paper) {
  StatsTable t;
  const auto act = std::find(keys.begin(), keys.end(), "activation") - keys.begin();
  const bool has_act = static_cast<size_t>(act) < keys.size();
  t.header = keys;
  for (const char* h : {"runs", "accuracy % (mean ± std)", "95% CI", "min – max", "test loss"}) t.header.push_back(h);
  if (has_act) {
    t.header.insert(t.header.end(), {"Δ vs " + baseline, "p (Welch)", "Cohen's d"});
  }
  if (!paper_header.empty()) t.header.push_back(paper_header);
  for (const Group& g : groups) {
    std::vector<std::string> row = g.key;
    row.push_back(runs_cell(g));
    if (g.acc.empty()) {
      for (int i = 0; i < 4; ++i) row.push_back("—");
    } else {
      const Summary s = summarize(g.acc);
      row.push_back(fmt(s.mean, 2) + " ± " + fmt(s.std, 2));
      row.push_back(s.n >= 2 ? fmt(s.ci_low, 2) + " – " + fmt(s.ci_high, 2) : "—");
      row.push_back(fmt(s.min, 2) + " – " + fmt(s.max, 2));
      row.push_back(g.loss.empty() ? "—" : fmt(summarize(g.loss).mean, 4));
    }
    if (has_act) {
      const Group* base = nullptr;
      for (const Group& b : groups) {
        bool same = canon(b.key[static_cast<size_t>(act)]) == canon(baseline);
        for (size_t k = 0; k < keys.size() && same; ++k) {
          if (static_cast<ptrdiff_t>(k) != act && b.key[k] != g.key[k]) same = false;
        }
        if (same) base = &b;
      }
      if (base == &g) {
        row.insert(row.end(), {"baseline", "", ""});
      } else if (!base || base->acc.empty() || g.acc.empty()) {
        row.insert(row.end(), {"—", "—", "—"});
      } else {
        const double diff = summarize(g.acc).mean - summarize(base->acc).mean;
        row.push_back((diff >= 0 ? "+" : "") + fmt(diff, 2));
        if (g.acc.size() >= 2 && base->acc.size() >= 2) {
          const Comparison c = welch(g.acc, base->acc);
          ++t.tests;
          row.push_back(fmt_p(c.p));
          row.push_back(fmt(c.cohens_d, 2));
          if (c.p < 0.05) {
            std::string label;
            for (size_t k = 0; k < keys.size(); ++k) label += (k ? ", " : "") + keys[k] + " " + g.key[k];
            t.significant.push_back(label + ": " + (diff >= 0 ? "+" : "") + fmt(diff, 2) + " points (p = " +
                                    fmt_p(c.p) + ")");
          }
        } else {
          row.insert(row.end(), {"— (n < 2)", "—"});
        }
      }
    }
    if (!paper_header.empty()) row.push_back(paper(g));
    t.rows.push_back(std::move(row));
  }
  return t;
}

void add_stats(Doc& doc, const std::string& title, const StatsTable& t, const std::string& baseline, bool with_act) {
  doc.table(title, t.header, t.rows);
  if (!with_act) return;
  if (t.tests == 0) {
    doc.p("No group could be tested against " + baseline + ": a test needs at least 2 finished runs of the group "
          "and of " + baseline + " with the same other settings (more seeds: --seeds N).");
  } else if (t.significant.empty()) {
    doc.p("No group differs from " + baseline + " at p < 0.05 (Welch's t-test, two-sided, no correction for the " +
          "number of comparisons).");
  } else {
    std::string s = "Different from " + baseline + " at p < 0.05 (Welch, two-sided, uncorrected): ";
    for (size_t i = 0; i < t.significant.size(); ++i) s += (i ? "; " : "") + t.significant[i];
    doc.p(s + ".");
  }
}

// ---------------------------------------------------------------------------
// The paper's numbers (../shared/paper-reference.md: the BMVC 2020 paper and
// its repository; ≈ values read off plots).

struct PaperRow {
  double acc, loss, std;
};

const std::map<std::string, PaperRow>& paper_table1() {
  static const std::map<std::string, PaperRow> t = {
      {"mish", {87.48, 4.13, 0.3967}},        {"swish", {87.32, 4.22, 0.414}},
      {"eswish:beta=1.75", {87.49, 4.156, 0.411}}, {"gelu", {87.37, 4.339, 0.472}},
      {"relu", {86.66, 4.398, 0.584}},        {"elu", {86.41, 4.211, 0.3371}},
      {"leaky_relu:alpha=0.3", {86.85, 4.112, 0.4569}}, {"selu", {83.91, 4.831, 0.5995}},
      {"softplus", {83.004, 5.546, 1.4015}},  {"relu6", {86.75, 4.355, 0.4501}},
      {"celu", {86.23, 4.243, 0.50941}},      {"tanh", {83.15, 5.161, 0.6887}},
      {"sigmoid", {74.82, 8.127, 5.7662}},    {"hardtanh", {82.78, 5.209, 0.4491}},
      {"softsign", {82.66, 5.258, 0.6697}},   {"logsigmoid", {81.98, 5.705, 1.6751}},
  };
  return t;
}

template <typename T>
const T* paper_lookup(const std::map<std::string, T>& m, const std::string& activation) {
  for (const auto& [k, v] : m) {
    if (canon(k) == canon(activation)) return &v;
  }
  return nullptr;
}

// Fig 6a: MNIST test accuracy % at 15..25 layers (N = 12..22 dense blocks).
const std::map<std::string, std::vector<double>>& paper_fig6a() {
  static const std::map<std::string, std::vector<double>> t = {
      {"relu", {97.0, 95.3, 94.7, 47.9, 57.4, 36.3, 32.5, 26.8, 21.8, 11.8, 11.2}},
      {"swish", {98, 98, 98, 98, 98, 98, 98, 93.9, 84.9, 70.5, 43.5}},
      {"mish", {98, 98, 98, 98, 98, 98, 98, 98, 96.8, 89.0, 87.9}},
  };
  return t;
}

// Fig 6b: MNIST test loss at input noise std 0, 2, 4, 6, 8.
const std::map<std::string, std::vector<double>>& paper_fig6b() {
  static const std::map<std::string, std::vector<double>> t = {
      {"mish", {0.5, 5.7, 17.0, 20.1, 21.4}},
      {"swish", {0.5, 6.2, 18.0, 20.8, 21.9}},
      {"relu", {0.5, 6.7, 18.2, 21.2, 21.9}},
  };
  return t;
}

// Fig 6c: CIFAR-10 accuracy % per initialiser, Mish / Swish.
const std::map<std::string, std::pair<double, double>>& paper_fig6c() {
  static const std::map<std::string, std::pair<double, double>> t = {
      {"random_normal", {72.8, 72.9}}, {"random_uniform", {74.9, 72.5}}, {"truncated_normal", {73.8, 70.0}},
      {"orthogonal", {73.9, 72.8}},    {"lecun_uniform", {73.9, 72.2}},  {"glorot_normal", {73.3, 70.6}},
      {"glorot_uniform", {74.5, 70.5}}, {"he_normal", {75.7, 71.6}},     {"lecun_normal", {74.8, 72.5}},
      {"he_uniform", {73.7, 72.1}},
  };
  return t;
}

// Table 2: ResNet v2-20 on CIFAR-10, Mish / Swish / ReLU.
const std::map<std::string, double>& paper_resnet20() {
  static const std::map<std::string, double> t = {{"mish", 92.02}, {"swish", 91.61}, {"relu", 91.71}};
  return t;
}

// ---------------------------------------------------------------------------

std::string dataset_note(const SweepData& d, const std::string& paper_dataset) {
  const std::string ours = d.runs.empty() ? "?" : d.runs.front().config.dataset;
  return "Our data: " + ours + "; the paper: " + paper_dataset + "." +
         (ours == paper_dataset ? "" : " The datasets differ, so compare the direction and size of the differences "
                                       "between activations, not the accuracies themselves.");
}

double parse_num(const std::string& s) {
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return NAN;
  }
}

// Mean and std of a metric per x value for each activation (the other keys
// must be x and activation), as plottable series.
std::vector<Series> series_by(const SweepData& d, const std::string& xkey,
                              const std::function<double(const RunData&)>& metric) {
  std::vector<Series> out;
  const auto groups = group_runs(d, {"activation", xkey});
  for (const Group& g : groups) {
    std::vector<double> v;
    for (const RunData* r : g.runs) {
      const double m = metric(*r);
      if (std::isfinite(m)) v.push_back(m);  // a non-finite loss would hide the whole curve
    }
    if (v.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const Series& s) { return s.title == g.key[0]; });
    if (it == out.end()) {
      out.push_back({g.key[0], {}, {}, {}});
      it = out.end() - 1;
    }
    const Summary s = summarize(v);
    it->x.push_back(parse_num(g.key[1]));
    it->y.push_back(s.mean);
    it->err.push_back(s.std);
  }
  return out;
}

// A results file that mish reproduce wrote; when it is not what it should be,
// the error names the file and how to remake it.
struct JsonFile {
  fs::path path;
  std::string id;  // the experiment that writes it
  nlohmann::json j;

  JsonFile(const fs::path& p, const std::string& experiment) : path(p), id(experiment) {
    std::ifstream f(p);
    if (!f) throw std::runtime_error(p.string() + " cannot be read; " + remedy());
    try {
      j = nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(p.string() + " is not valid JSON (" + e.what() + "); " + remedy());
    }
    if (!j.is_object()) throw std::runtime_error(p.string() + " is not a JSON object; " + remedy());
  }
  std::string remedy() const { return "rerun mish reproduce --only " + id + " with this --out"; }
  [[noreturn]] void bad(const std::string& what) const {
    throw std::runtime_error(path.string() + ": " + what + "; " + remedy());
  }
  const nlohmann::json& at(const nlohmann::json& o, const char* key) const {
    if (!o.is_object() || !o.contains(key)) bad(std::string("no '") + key + "'");
    return o[key];
  }
  // A number; null (how a NaN is written) reads as NaN.
  double num(const nlohmann::json& o, const char* key) const {
    const auto& v = at(o, key);
    if (v.is_null()) return NAN;
    if (!v.is_number()) bad(std::string("'") + key + "' is not a number");
    return v.get<double>();
  }
  std::string str(const nlohmann::json& o, const char* key) const {
    const auto& v = at(o, key);
    if (!v.is_string()) bad(std::string("'") + key + "' is not a string");
    return v.get<std::string>();
  }
  const nlohmann::json& array(const nlohmann::json& o, const char* key) const {
    const auto& v = at(o, key);
    if (!v.is_array()) bad(std::string("'") + key + "' is not an array");
    return v;
  }
};

struct Ctx {
  fs::path dir;
  std::string baseline;
  Doc* doc;
  nlohmann::json manifest;
};

void settings_block(Ctx& c, const SweepData& d) {
  c.doc->p("Settings (the sweep file; `mish sweep --config` runs it as is):");
  c.doc->code(d.toml);
}

std::string progress_note(const SweepData& d) {
  int done = 0;
  for (const auto& r : d.runs) done += r.status != "pending";
  if (done == static_cast<int>(d.runs.size())) return std::to_string(done) + " runs, all finished.";
  return std::to_string(done) + " of " + std::to_string(d.runs.size()) +
         " runs finished: the sweep is incomplete (rerun the same command to resume); the numbers below use the "
         "finished runs only.";
}

void section_fig2(Ctx& c, const SweepData& d) {
  Doc& doc = *c.doc;
  fig2_functions((c.dir / "figures").string());  // cheap: drawn with the report
  doc.image("figures/fig2_functions.png", "fig2: the variant family");
  // test accuracy per epoch, mean ± std over seeds
  std::vector<Series> curves;
  for (const Group& g : group_runs(d, {"activation"})) {
    if (g.runs.empty()) continue;
    Series s{g.key[0], {}, {}, {}};
    for (size_t e = 0;; ++e) {
      std::vector<double> v;
      for (const RunData* r : g.runs) {
        if (e < r->epochs.size()) v.push_back(100 * r->epochs[e].test_acc);
      }
      if (v.empty()) break;
      const Summary sm = summarize(v);
      s.x.push_back(static_cast<double>(e + 1));
      s.y.push_back(sm.mean);
      s.err.push_back(sm.std);
    }
    curves.push_back(s);
  }
  if (!curves.empty()) {
    line_plot((c.dir / "figures/fig2_accuracy").string(), "Test accuracy per epoch (mean ± std over seeds)", "epoch",
              "test accuracy (%)", curves);
    doc.image("figures/fig2_accuracy.png", "fig2: test accuracy per epoch, mean ± std over seeds");
  }
  const auto t = stats_table({"activation"}, group_runs(d, {"activation"}), c.baseline, "paper (CIFAR-10, ≈)",
                             [](const Group& g) -> std::string {
                               const std::string a = canon(g.key[0]);
                               if (a == canon("x_log1p_atan_exp")) return "≈ 64";
                               if (a == canon("mish") || a == canon("swish") || a == canon("x_log1p_tanh_exp")) {
                                 return "≈ 74 – 77";
                               }
                               return "";
                             });
  add_stats(doc, "fig2: final test accuracy per activation", t, c.baseline, true);
  doc.p(dataset_note(d, "cifar10"));
}

void section_fig5(Ctx& c) {
  Doc& doc = *c.doc;
  if (!fs::exists(c.dir / "figures/fig5.json")) {
    doc.p("No landscapes yet (figures/fig5.json is missing): the training runs or the landscape step did not finish.");
    return;
  }
  const JsonFile f(c.dir / "figures/fig5.json", "fig5");
  std::vector<std::vector<std::string>> rows;
  std::set<long long> samples;
  for (const auto& r : f.array(f.j, "runs")) {
    const std::string act = f.str(r, "activation"), run = f.str(r, "run"), status = f.str(r, "status");
    if (status != "ok") {
      rows.push_back({act, run, status + ", no landscape", "—", "—", "—", "—"});
      continue;
    }
    const std::string png = "figures/" + f.str(r, "figure") + ".png";
    if (fs::exists(c.dir / png)) doc.image(png, "fig5: loss landscape, " + act + " (" + run + ")");
    samples.insert(static_cast<long long>(f.num(r, "samples")));
    rows.push_back({act, run, status, fmt(f.num(r, "centre_loss"), 4), fmt(f.num(r, "mean_rise_r0.5"), 4),
                    fmt(f.num(r, "mean_rise_r1"), 4), fmt(f.num(r, "max_loss"), 3)});
  }
  const int size = static_cast<int>(f.num(f.j, "size"));
  const double range = f.num(f.j, "range");
  std::string n;
  for (const long long k : samples) n += (n.empty() ? "" : " / ") + std::to_string(k);
  doc.p("Grid " + std::to_string(size) + " × " + std::to_string(size) + " over [−" + fmt(range, 1) + ", " +
        fmt(range, 1) + "]² in units of the filter norms; loss on the first " + (n.empty() ? "?" : n) +
        " training images. The rise is the mean loss within the radius minus the loss at the centre: lower is a "
        "flatter, wider minimum. One seed per activation: these are pictures, not a statistical test.");
  doc.table("fig5: loss around the trained weights",
            {"activation", "run", "status", "loss at centre", "mean rise within r = 0.5", "mean rise within r = 1",
             "max loss"},
            rows);
  doc.p("The paper shows these landscapes for ResNet-20 on CIFAR-10 as pictures only (no numbers to compare).");
}

void section_fig6a(Ctx& c, const SweepData& d) {
  Doc& doc = *c.doc;
  const auto acc = series_by(d, "depth", [](const RunData& r) { return 100 * r.acc; });
  if (!acc.empty()) {
    line_plot((c.dir / "figures/fig6a_depth").string(), "Test accuracy against depth (mean ± std over seeds)",
              "hidden layers N", "test accuracy (%)", acc);
    doc.image("figures/fig6a_depth.png", "fig6a: test accuracy against depth");
  }
  const bool paper_model = !d.runs.empty() && d.runs.front().config.model == "depth";
  const std::vector<std::string> keys = {"depth", "activation"};
  const auto t = stats_table(keys, group_runs(d, keys), c.baseline, "paper (MNIST, ≈)", [&](const Group& g) {
    const auto* v = paper_lookup(paper_fig6a(), g.key[1]);
    const double n = parse_num(g.key[0]);
    if (!v || !paper_model || !(n >= 12 && n <= 22)) return std::string();
    return fmt((*v)[static_cast<size_t>(n) - 12], 1);
  });
  add_stats(doc, "fig6a: test accuracy per depth and activation", t, c.baseline, true);
  doc.p(std::string("The paper's network is the `depth` model (two 5×5 convolutions, then N dense blocks; its 15…25 "
                    "layers are N = 12…22). ") +
        (paper_model ? "" : "This run used the quick preset's `mlp` (the same dense blocks without the convolutional "
                            "stem, at a smaller width, on fewer images and epochs), so the paper column is empty. ") +
        dataset_note(d, "mnist"));
}

void section_fig6b(Ctx& c, const SweepData& d) {
  Doc& doc = *c.doc;
  const auto loss = series_by(d, "noise_std", [](const RunData& r) { return r.loss; });
  const auto acc = series_by(d, "noise_std", [](const RunData& r) { return 100 * r.acc; });
  if (!loss.empty()) {
    line_plot((c.dir / "figures/fig6b_loss").string(), "Test loss against input noise (mean ± std over seeds)",
              "noise std", "test loss", loss);
    line_plot((c.dir / "figures/fig6b_accuracy").string(), "Test accuracy against input noise (mean ± std over seeds)",
              "noise std", "test accuracy (%)", acc);
    doc.image("figures/fig6b_loss.png", "fig6b: test loss against input noise");
    doc.image("figures/fig6b_accuracy.png", "fig6b: test accuracy against input noise");
  }
  const std::vector<std::string> keys = {"noise_std", "activation"};
  const auto t = stats_table(keys, group_runs(d, keys), c.baseline, "paper test loss (MNIST)", [](const Group& g) {
    const auto* v = paper_lookup(paper_fig6b(), g.key[1]);
    const double s = parse_num(g.key[0]);
    if (!v || !(s >= 0 && s <= 8) || std::fmod(s, 2) != 0) return std::string();
    return fmt((*v)[static_cast<size_t>(s / 2)], 1);
  });
  add_stats(doc, "fig6b: test accuracy and loss per noise level and activation", t, c.baseline, true);
  doc.p("The noise (Gaussian, on the standardised inputs) is added at test time only: the networks are trained on "
        "clean data. " +
        dataset_note(d, "mnist"));
}

void section_fig6c(Ctx& c, const SweepData& d) {
  Doc& doc = *c.doc;
  const auto groups = group_runs(d, {"init", "activation"});
  std::vector<std::string> inits;
  std::vector<Series> bars;
  for (const Group& g : groups) {
    if (std::find(inits.begin(), inits.end(), g.key[0]) == inits.end()) inits.push_back(g.key[0]);
    if (std::none_of(bars.begin(), bars.end(), [&](const Series& s) { return s.title == g.key[1]; })) {
      bars.push_back({g.key[1], {}, {}, {}});
    }
  }
  for (Series& s : bars) {
    for (const auto& init : inits) {
      const auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const Group& g) { return g.key[0] == init && g.key[1] == s.title; });
      const bool have = it != groups.end() && !it->acc.empty();
      const Summary sm = have ? summarize(it->acc) : Summary{};
      s.y.push_back(have ? sm.mean : 0);
      s.err.push_back(have ? sm.std : 0);
    }
  }
  if (!inits.empty()) {
    bar_plot((c.dir / "figures/fig6c_init").string(), "Test accuracy per initialiser (mean ± std over seeds)",
             "test accuracy (%)", inits, bars);
    doc.image("figures/fig6c_init.png", "fig6c: test accuracy per initialiser");
  }
  const std::vector<std::string> keys = {"init", "activation"};
  // The paper's comparison is Mish against Swish; without Swish runs, the baseline.
  const bool have_swish =
      std::any_of(groups.begin(), groups.end(), [](const Group& g) { return canon(g.key[1]) == canon("swish"); });
  const std::string base = have_swish ? "swish" : c.baseline;
  const auto t = stats_table(keys, groups, base, "paper (CIFAR-10)", [](const Group& g) {
    const auto it = paper_fig6c().find(g.key[0]);
    if (it == paper_fig6c().end()) return std::string();
    if (canon(g.key[1]) == canon("mish")) return fmt(it->second.first, 1);
    if (canon(g.key[1]) == canon("swish")) return fmt(it->second.second, 1);
    return std::string();
  });
  add_stats(doc, "fig6c: test accuracy per initialiser and activation", t, base, true);
  doc.p(dataset_note(d, "cifar10"));
}

void section_table1(Ctx& c, const SweepData& d) {
  const std::vector<std::string> keys = {"activation"};
  auto groups = group_runs(d, keys);
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    const double ma = a.acc.empty() ? -1 : summarize(a.acc).mean, mb = b.acc.empty() ? -1 : summarize(b.acc).mean;
    return ma > mb;
  });
  const auto t = stats_table(keys, groups, c.baseline, "paper acc / loss / std (CIFAR-10, 23 runs)", [](const Group& g) {
    const PaperRow* p = paper_lookup(paper_table1(), g.key[0]);
    return p ? fmt(p->acc, 2) + " / " + fmt(p->loss, 3) + " / " + fmt(p->std, 3) : std::string();
  });
  add_stats(*c.doc, "table1: final test accuracy per activation (sorted by mean)", t, c.baseline, true);
  c.doc->p("The paper's loss column is on its own scale (it reports ~4 for ~87% accuracy, so it is not a mean "
           "cross-entropy); compare accuracies and their spread. " +
           dataset_note(d, "cifar10"));
}

void section_table2(Ctx& c, const SweepData& d) {
  const std::vector<std::string> keys = {"model", "activation"};
  const auto t = stats_table(keys, group_runs(d, keys), c.baseline, "paper (CIFAR-10)", [](const Group& g) {
    if (g.key[0] != "resnet20") return std::string();
    const double* v = paper_lookup(paper_resnet20(), g.key[1]);
    return v ? fmt(*v, 2) + " (ResNet v2-20)" : std::string();
  });
  add_stats(*c.doc, "table2: final test accuracy per architecture and activation", t, c.baseline, true);
  c.doc->p("The paper's Table 2 has ResNet v2-20 among its ten CIFAR-10 architectures; its SqueezeNet numbers are "
           "in table1. " +
           dataset_note(d, "cifar10"));
}

void section_generic(Ctx& c, const SweepData& d) {
  std::vector<std::string> keys;
  for (const auto& k : d.keys) {
    if (k != "seed") keys.push_back(k);
  }
  const bool with_act = std::find(keys.begin(), keys.end(), "activation") != keys.end();
  c.doc->p(progress_note(d));
  const auto t = stats_table(keys, group_runs(d, keys), c.baseline, "", nullptr);
  add_stats(*c.doc, "Final test accuracy per group (over seeds)", t, c.baseline, with_act);
  settings_block(c, d);
}

const char* explanation(const std::string& id) {
  if (id == "fig1") return "Mish next to the activations it is compared with. Mish is smooth, unbounded above, "
                           "bounded below (minimum −0.3088 at x = −1.1924) and non-monotonic: it keeps a small "
                           "negative output for negative inputs where ReLU outputs 0.";
  if (id == "fig2") return "The candidates Mish was chosen from (tanh(x)·softplus(x), arctan(x)·softplus(x), "
                           "x·ln(1 + tanh(eˣ)), x·ln(1 + arctan(eˣ))) next to Mish and Swish, and how well the same "
                           "network trains with each.";
  if (id == "fig3") return "First and second derivatives (exact first derivatives from the library's backward "
                           "kernels; second by central differences). Mish's first derivative is smooth with a "
                           "maximum of ≈1.0885; ReLU's jumps at 0.";
  if (id == "fig4") return "The output of an untrained 5-layer network on a 400 × 400 grid over [0, 10]², same "
                           "weights for every activation so that only the activation differs. ReLU networks are "
                           "piecewise linear, with sharp transitions; Mish and Swish give smooth landscapes. The "
                           "kink sharpness (99.9th percentile of the absolute second difference over the mean absolute "
                           "first difference) measures it.";
  if (id == "fig5") return "The training loss around the trained weights along two random filter-normalised "
                           "directions (Li et al., 2018), as contour lines and as a surface.";
  if (id == "fig6a") return "How test accuracy holds up as the network gets deeper (dense blocks with batch norm and "
                            "dropout, plain SGD): the paper reports ReLU collapsing beyond ~17 layers, Swish beyond "
                            "~21, Mish holding longest.";
  if (id == "fig6b") return "Test loss and accuracy as Gaussian noise of growing standard deviation is added to the "
                            "test inputs.";
  if (id == "fig6c") return "Mish against Swish under ten weight initialisers.";
  if (id == "table1") return "Many activations on the same network, each trained from several seeds; mean, spread, "
                             "95% confidence interval and a test of each against the baseline.";
  if (id == "table2") return "Mish, Swish and ReLU on several architectures.";
  return "";
}

}  // namespace

ReportFiles write_report(const ReportOptions& opt) {
  const fs::path dir(opt.dir);
  ReportFiles files;
  Doc doc;
  doc.files = &files;
  Ctx c{dir, opt.baseline, &doc, nullptr};
  const bool reproduce_dir = fs::exists(dir / "reproduce.json");
  const bool sweep_dir = fs::exists(dir / "sweep.toml");
  if (!reproduce_dir && !sweep_dir) {
    throw std::runtime_error(opt.dir + " holds no results: expected reproduce.json (from mish reproduce) or "
                             "sweep.toml (from mish sweep)");
  }
  try {
    (void)Spec::parse(opt.baseline);
  } catch (const std::exception& e) {
    throw std::invalid_argument("--baseline '" + opt.baseline + "' is not an activation (" + e.what() +
                                "); e.g. --baseline mish or --baseline relu");
  }
  const std::string title = reproduce_dir ? "Mish paper experiments: report"
                                          : "Sweep report: " + fs::canonical(dir).filename().string();
  doc.h(1, title);
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  if (sweep_dir && !reproduce_dir) {
    doc.p(std::string("Generated ") + when + " by mish " + mish::version() + " from `" + opt.dir + "`.");
    section_generic(c, load_sweep(dir));
    files.sections.push_back("sweep");
  } else {
    try {
      std::ifstream f(dir / "reproduce.json");
      c.manifest = nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error((dir / "reproduce.json").string() + " is not valid JSON (" + e.what() +
                               "); rerun mish reproduce with this --out");
    }
    if (!c.manifest.is_object()) {
      throw std::runtime_error((dir / "reproduce.json").string() +
                               " is not a JSON object; rerun mish reproduce with this --out");
    }
    const auto& m = c.manifest;
    auto text = [&](const char* key) {
      return m.contains(key) && m[key].is_string() ? m[key].get<std::string>() : std::string("?");
    };
    const std::string preset = text("preset");
    doc.p(std::string("Generated ") + when + " by mish " + mish::version() + " from `" + opt.dir + "`: preset **" +
          preset + "**, started " + text("started") + ", " +
          (m.contains("finished") && m["finished"].is_string() ? "finished " + text("finished")
                                                                : std::string("not finished")) +
          "; SIMD target " + text("simd_target") + ".");
    if (preset == "mixed") {
      doc.p("The experiments in this directory were run with different presets; each section's settings say which.");
    }
    if (preset == "quick") {
      doc.p("The quick preset shows each effect at small scale (a few thousand images, a few epochs, 1–3 seeds) so "
            "that it runs in minutes; its numbers are far below the paper's and its statistics are weak. "
            "`mish reproduce --paper` runs the paper's settings.");
    }
    doc.p("Statistics: accuracies are the test accuracy after the last epoch, in %; ± is the sample standard "
          "deviation over seeds; the 95% CI is Student's t interval of the mean; p is Welch's two-sided t-test "
          "against the baseline activation (" + opt.baseline + "), d is Cohen's d (pooled standard deviation). "
          "Diverged runs are counted but not averaged in.");
    std::set<std::string> claimed;
    if (m.contains("experiments") && m["experiments"].is_array()) {
      for (const auto& e : m["experiments"]) {
        if (e.is_string()) claimed.insert(e.get<std::string>());
      }
    }
    for (const auto& e : experiments()) {
      const bool present = fs::exists(dir / "sweeps" / e.id / "sweep.toml") ||
                           (e.id == "fig1" && fs::exists(dir / "figures/fig1_functions.png")) ||
                           (e.id == "fig3" && fs::exists(dir / "figures/fig3_first_derivatives.png")) ||
                           (e.id == "fig4" && fs::exists(dir / "figures/fig4_output_landscape.png"));
      if (!claimed.count(e.id) && !present) continue;
      files.sections.push_back(e.id);
      doc.h(2, e.id + " — " + e.title);
      doc.p(explanation(e.id));
      if (m.contains("errors") && m["errors"].is_object() && m["errors"].contains(e.id)) {
        const auto& why = m["errors"][e.id];
        doc.p("**This experiment failed:** " + (why.is_string() ? why.get<std::string>() : why.dump()));
      }
      // One experiment's section; a broken file in it is said in the report and
      // the other sections still come out.
      auto section = [&] {
        if (e.id == "fig1") {
          if (fs::exists(dir / "figures/fig1_functions.png")) doc.image("figures/fig1_functions.png", "fig1: activations");
          return;
        }
        if (e.id == "fig3") {
          for (const char* which : {"first", "second"}) {
            const std::string f = std::string("figures/fig3_") + which + "_derivatives.png";
            if (fs::exists(dir / f)) doc.image(f, std::string("fig3: ") + which + " derivatives");
          }
          return;
        }
        if (e.id == "fig4") {
          if (fs::exists(dir / "figures/fig4_output_landscape.png")) {
            doc.image("figures/fig4_output_landscape.png", "fig4: output landscapes (ReLU, Swish, Mish)");
          }
          if (fs::exists(dir / "figures/fig4.json")) {
            const JsonFile f(dir / "figures/fig4.json", "fig4");
            std::vector<std::vector<std::string>> rows;
            for (const auto& a : f.array(f.j, "activations")) {
              rows.push_back({f.str(a, "activation"), fmt(f.num(a, "kink_sharpness"), 3)});
            }
            doc.table("fig4: kink sharpness of the output landscape (higher = sharper transitions)",
                      {"activation", "kink sharpness"}, rows);
          }
          return;
        }
        if (!fs::exists(dir / "sweeps" / e.id / "sweep.toml")) {
          doc.p("No runs yet.");
          return;
        }
        const SweepData d = load_sweep(dir / "sweeps" / e.id);
        doc.p(progress_note(d));
        if (e.id == "fig2") section_fig2(c, d);
        if (e.id == "fig5") section_fig5(c);
        if (e.id == "fig6a") section_fig6a(c, d);
        if (e.id == "fig6b") section_fig6b(c, d);
        if (e.id == "fig6c") section_fig6c(c, d);
        if (e.id == "table1") section_table1(c, d);
        if (e.id == "table2") section_table2(c, d);
        settings_block(c, d);
      };
      try {
        section();
      } catch (const std::exception& ex) {
        doc.p(std::string("**Could not report this experiment:** ") + ex.what());
      }
    }
  }
  files.md = (dir / "report.md").string();
  files.html = (dir / "report.html").string();
  write_atomically(files.md, markdown(doc));
  write_atomically(files.html, html(doc, dir, title));
  return files;
}

}  // namespace mish::lab
