// mish_compare: this library's Mish beside LibTorch, oneDNN, OpenCV DNN and
// the naive loop, for accuracy (against MPFR) and speed (google/benchmark),
// printed as one Markdown report. docs/COMPARISON.md holds its output.
//
// LibTorch chooses its CPU kernels once per process (AVX2 by default even on
// AVX-512 CPUs, unless ATEN_CPU_CAPABILITY=avx512): on an AVX-512 CPU the
// LibTorch rows are measured again in a child process with that variable set.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "measure.hpp"

namespace fs = std::filesystem;
using namespace mish::compare;

namespace {

struct Options {
  std::vector<size_t> sizes{4096, 65536, 1u << 20, 1u << 24};
  std::string threads = "1,all";
  int repetitions = 5;
  double min_time = 0.1;
  size_t points = 1u << 20;
  std::vector<std::string> peers;
  std::vector<std::string> dtypes{"fp32", "bf16"};
  bool no_speed = false, no_accuracy = false, no_child = false;
  bool child = false;  // the LibTorch AVX-512 child: JSON only
  std::string json, out, update;
};

// The line of docs/COMPARISON.md below which --update writes the report.
const char* const kMarker = "<!-- mish_compare output below; regenerate with mish_compare --update FILE -->";

struct Results {
  std::vector<Peer> peers;  // with names and notes (the prepare slots unused after measuring)
  std::vector<Accuracy> acc;
  std::vector<Speed> speed;
};

int all_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

std::vector<int> parse_threads(const std::string& s) {
  std::vector<int> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item == "all") {
      v.push_back(all_threads());
    } else {
      char* end = nullptr;
      const long t = std::strtol(item.c_str(), &end, 10);
      if (item.empty() || *end || t < 1 || t > 1024) {
        throw CLI::ValidationError("--threads", "'" + item + "' is not a thread count; use e.g. 1,all or 1,2,4");
      }
      v.push_back(static_cast<int>(t));
    }
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Dtype parse_dtype(const std::string& s) {
  if (s == "fp32") return Dtype::f32;
  if (s == "bf16") return Dtype::bf16;
  throw CLI::ValidationError("--dtypes", "'" + s + "' is not fp32 or bf16");
}

nlohmann::json to_json(const Results& r) {
  nlohmann::json j;
  for (const Peer& p : r.peers) j["peers"].push_back({{"id", p.id}, {"name", p.name}, {"note", p.note}});
  for (const Accuracy& a : r.acc) {
    j["accuracy"].push_back({{"peer", a.peer},
                             {"dtype", static_cast<int>(a.dtype)},
                             {"op", static_cast<int>(a.op)},
                             {"points", a.points},
                             {"max_ulp", std::isinf(a.max_ulp) ? -1.0 : a.max_ulp},
                             {"x_at_max", a.x_at_max},
                             {"over_1ulp", a.over_1ulp},
                             {"core_max_ulp", std::isinf(a.core_max_ulp) ? -1.0 : a.core_max_ulp},
                             {"core_x_at_max", a.core_x_at_max},
                             {"error", a.error},
                             {"wrong", a.wrong}});
  }
  for (const Speed& s : r.speed) {
    j["speed"].push_back({{"peer", s.peer},
                          {"dtype", static_cast<int>(s.dtype)},
                          {"op", static_cast<int>(s.op)},
                          {"n", s.n},
                          {"threads", s.threads},
                          {"ns_per_call", s.ns_per_call}});
  }
  return j;
}

Results from_json(const nlohmann::json& j) {
  Results r;
  for (const auto& p : j.value("peers", nlohmann::json::array())) {
    Peer q;
    q.id = p.at("id");
    q.name = p.at("name");
    q.note = p.at("note");
    r.peers.push_back(q);
  }
  for (const auto& a : j.value("accuracy", nlohmann::json::array())) {
    Accuracy x;
    x.peer = a.at("peer");
    x.dtype = static_cast<Dtype>(a.at("dtype").get<int>());
    x.op = static_cast<Op>(a.at("op").get<int>());
    x.points = a.at("points");
    x.max_ulp = a.at("max_ulp");
    if (x.max_ulp < 0) x.max_ulp = INFINITY;
    x.x_at_max = a.at("x_at_max");
    x.over_1ulp = a.at("over_1ulp");
    x.core_max_ulp = a.at("core_max_ulp");
    if (x.core_max_ulp < 0) x.core_max_ulp = INFINITY;
    x.core_x_at_max = a.at("core_x_at_max");
    x.error = a.at("error");
    x.wrong = a.at("wrong").get<std::vector<std::string>>();
    r.acc.push_back(x);
  }
  for (const auto& s : j.value("speed", nlohmann::json::array())) {
    Speed x;
    x.peer = s.at("peer");
    x.dtype = static_cast<Dtype>(s.at("dtype").get<int>());
    x.op = static_cast<Op>(s.at("op").get<int>());
    x.n = s.at("n");
    x.threads = s.at("threads");
    x.ns_per_call = s.at("ns_per_call");
    r.speed.push_back(x);
  }
  return r;
}

Results measure(const Options& o, const std::vector<Peer>& peers) {
  Results r;
  r.peers = peers;
  std::vector<Dtype> dtypes;
  for (const auto& d : o.dtypes) dtypes.push_back(parse_dtype(d));
  if (!o.no_accuracy) {
    for (const Dtype d : dtypes) {
      std::fprintf(stderr, "accuracy %s: computing the MPFR truth...\n", name(d));
      const Points pts = make_points(d, o.points, all_threads());
      for (const Peer& p : peers) {
        for (const Op op : {Op::fwd, Op::bwd}) {
          if (!p.get(d, op)) continue;
          r.acc.push_back(accuracy(p, op, pts, p.threads_apply ? all_threads() : 1));
          const Accuracy& a = r.acc.back();
          if (!a.error.empty()) {
            std::fprintf(stderr, "accuracy %s %s %s: failed: %s\n", p.id.c_str(), name(d), name(op), a.error.c_str());
          } else {
            std::fprintf(stderr, "accuracy %s %s %s: max %.3g ULP, %.3g on [-10, 10]\n", p.id.c_str(), name(d),
                         name(op), a.max_ulp, a.core_max_ulp);
          }
        }
      }
    }
  }
  if (!o.no_speed) {
    SpeedPlan plan;
    plan.sizes = o.sizes;
    plan.threads = parse_threads(o.threads);
    plan.dtypes = dtypes;
    plan.repetitions = o.repetitions;
    plan.min_time = o.min_time;
    r.speed = speed(peers, plan, [](const std::string& l) { std::fprintf(stderr, "%s\n", l.c_str()); });
  }
  return r;
}

#ifdef MISH_COMPARE_TORCH
// LibTorch with ATEN_CPU_CAPABILITY=avx512, in a child process (the variable
// is read once, when LibTorch first dispatches). Returns its results, with the
// peer renamed libtorch-avx512; empty when the CPU lacks AVX-512 or it failed.
Results torch_avx512(const Options& o) {
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))) {
    return {};
  }
  const fs::path json = fs::temp_directory_path() / ("mish_compare_" + std::to_string(::getpid()) + ".json");
  std::vector<std::string> args = {"mish_compare", "--peers", "libtorch", "--json", json.string(), "--child",
                                    "--threads", o.threads, "--reps", std::to_string(o.repetitions), "--min-time",
                                    std::to_string(o.min_time), "--points", std::to_string(o.points)};
  std::string list;
  for (const size_t n : o.sizes) list += (list.empty() ? "" : ",") + std::to_string(n);
  args.insert(args.end(), {"--sizes", list});
  list.clear();
  for (const auto& d : o.dtypes) list += (list.empty() ? "" : ",") + d;
  args.insert(args.end(), {"--dtypes", list});
  if (o.no_speed) args.push_back("--no-speed");
  if (o.no_accuracy) args.push_back("--no-accuracy");
  std::fprintf(stderr, "LibTorch with ATEN_CPU_CAPABILITY=avx512, in a child process...\n");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("ATEN_CPU_CAPABILITY", "avx512", 1);
    std::vector<char*> a;
    for (auto& s : args) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv("/proc/self/exe", a.data());
    std::perror("mish_compare: cannot start the LibTorch AVX-512 child");
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "mish_compare: the LibTorch AVX-512 child failed; its rows are left out\n");
    fs::remove(json);
    return {};
  }
  std::ifstream f(json);
  Results r = from_json(nlohmann::json::parse(f));
  fs::remove(json);
  for (auto& p : r.peers) p.id = "libtorch-avx512";
  for (auto& a : r.acc) a.peer = "libtorch-avx512";
  for (auto& s : r.speed) s.peer = "libtorch-avx512";
  return r;
}
#endif

std::string fmt(double v, int prec) {
  if (std::isinf(v)) return "∞";
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

std::string human(size_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + "M";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + "K";
  return std::to_string(n);
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

const Accuracy* find_acc(const Results& r, const std::string& peer, Dtype d, Op o) {
  for (const auto& a : r.acc) {
    if (a.peer == peer && a.dtype == d && a.op == o) return &a;
  }
  return nullptr;
}

const Speed* find_speed(const Results& r, const std::string& peer, Dtype d, Op o, size_t n, int t) {
  for (const auto& s : r.speed) {
    if (s.peer == peer && s.dtype == d && s.op == o && s.n == n && s.threads == t) return &s;
  }
  return nullptr;
}

std::string report(const Results& r, const Options& o, const std::string& command) {
  std::ostringstream md;
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  md << "Generated " << when << " by `" << command << "` on " << cpu_model() << " (" << all_threads()
     << " hardware threads).\n\n";
  md << "| peer | how it is called |\n|---|---|\n";
  for (const Peer& p : r.peers) md << "| " << p.name << " | " << p.note << " |\n";
  std::set<Dtype> dtypes;
  for (const auto& a : r.acc) dtypes.insert(a.dtype);
  for (const auto& s : r.speed) dtypes.insert(s.dtype);

  if (!r.acc.empty()) {
    md << "\n### Accuracy against MPFR\n";
    for (const Dtype d : dtypes) {
      const Accuracy* any = nullptr;
      for (const auto& a : r.acc) {
        if (a.dtype == d) any = &a;
      }
      if (!any) continue;
      md << "\n**" << name(d) << "**, " << any->points
         << (d == Dtype::f32 ? " inputs over [−100, 100] (half evenly spaced, half spread over the float bit "
                               "patterns, down to the subnormals); error in ULPs of the result at the true value, "
                               "backward at max(|f′|, its largest term)"
                             : " inputs (every bf16 value in [−100, 100]); error in steps from the correctly "
                               "rounded bf16 result")
         << ". The max over [−10, 10] (where a network's pre-activations live) is shown beside the max over "
            "everything.\n\n| peer | forward max | at x | forward max on [−10, 10] | forward > 1 ULP | backward max | "
            "at x | backward max on [−10, 10] | backward > 1 ULP |\n"
         << "|---|---|---|---|---|---|---|---|---|\n";
      for (const Peer& p : r.peers) {
        const Accuracy* f = find_acc(r, p.id, d, Op::fwd);
        const Accuracy* b = find_acc(r, p.id, d, Op::bwd);
        if (!f && !b) continue;
        auto cells = [&](const Accuracy* a) {
          if (!a) return std::string("— | — | — | —");
          if (!a->error.empty()) return "failed: " + a->error + " | — | — | —";
          char x[32] = "—";
          if (a->max_ulp > 0) std::snprintf(x, sizeof x, "%.6g", a->x_at_max);
          const int prec = d == Dtype::f32 ? 2 : 0;
          return fmt(a->max_ulp, prec) + " | " + x + " | " + fmt(a->core_max_ulp, prec) + " | " +
                 fmt(100 * a->over_1ulp, 3) + "%";
        };
        md << "| " << p.name << " | " << cells(f) << " | " << cells(b) << " |\n";
      }
    }
    md << "\n**Special values gotten wrong** (more than 4 ULP (fp32) or 1 step (bf16) off, NaN or ∞ where "
          "they should not be, or a zero of the wrong sign; inputs tried: ";
    bool first = true;
    for (const float v : special_values()) {
      char b[32];
      std::snprintf(b, sizeof b, "%.6g", static_cast<double>(v));
      md << (first ? "" : ", ") << b;
      first = false;
    }
    md << "):\n\n";
    for (const Peer& p : r.peers) {
      for (const Dtype d : dtypes) {
        for (const Op op : {Op::fwd, Op::bwd}) {
          const Accuracy* a = find_acc(r, p.id, d, op);
          if (!a) continue;
          md << "- " << p.name << ", " << name(d) << " " << name(op) << ": ";
          if (a->wrong.empty()) {
            md << "none\n";
            continue;
          }
          for (size_t i = 0; i < a->wrong.size(); ++i) md << (i ? "; " : "") << a->wrong[i];
          md << "\n";
        }
      }
    }
  }

  if (!r.speed.empty()) {
    std::set<size_t> sizes;
    std::set<int> threads;
    for (const auto& s : r.speed) sizes.insert(s.n), threads.insert(s.threads);
    md << "\n### Speed\n\nMedian of " << o.repetitions << " repetitions (google/benchmark, at least " << o.min_time
       << " s each, after a warm-up), outputs preallocated, inputs uniform in [−10, 10]. Each cell: ns per "
          "element / GB/s (bytes moved: forward reads x and writes y, backward reads x and dy and writes dx).\n";
    for (const Dtype d : dtypes) {
      for (const Op op : {Op::fwd, Op::bwd}) {
        bool any = false;
        for (const auto& s : r.speed) any |= s.dtype == d && s.op == op;
        if (!any) continue;
        md << "\n**" << name(d) << " " << name(op) << "**\n\n| peer |";
        for (const int t : threads) {
          for (const size_t n : sizes) md << " " << human(n) << ", " << t << (t == 1 ? " thread" : " threads") << " |";
        }
        md << "\n|---|";
        for (size_t i = 0; i < threads.size() * sizes.size(); ++i) md << "---|";
        md << "\n";
        for (const Peer& p : r.peers) {
          bool has = false;
          for (const auto& s : r.speed) has |= s.peer == p.id && s.dtype == d && s.op == op;
          if (!has) continue;
          md << "| " << p.name << " |";
          for (const int t : threads) {
            for (const size_t n : sizes) {
              const Speed* s = find_speed(r, p.id, d, op, n, t);
              md << " " << (s ? fmt(s->ns_per_elem(), s->ns_per_elem() < 10 ? 3 : 1) + " / " + fmt(s->gb_per_s(), 1)
                              : std::string("—"))
                 << " |";
            }
          }
          md << "\n";
        }
      }
    }
  }

  // The claims, checked on these numbers: the most accurate, and at least as
  // fast as every peer whose accuracy is within 10x of ours (fp32, one thread,
  // in-cache sizes), with accuracy by the max over everything and over [-10, 10].
  if (!r.acc.empty() || !r.speed.empty()) {
    md << "\n### Checks\n\n";
    for (const Op op : {Op::fwd, Op::bwd}) {
      const Accuracy* ours = find_acc(r, "ours", Dtype::f32, op);
      if (!ours) continue;
      std::vector<std::string> better;
      for (const auto& a : r.acc) {
        if (a.peer != "ours" && a.dtype == Dtype::f32 && a.op == op && a.max_ulp < ours->max_ulp) {
          better.push_back(a.peer);
        }
      }
      md << "- fp32 " << name(op) << ", most accurate: "
         << (better.empty() ? "this library (" + fmt(ours->max_ulp, 2) + " ULP)" : "NOT this library; better: ");
      for (size_t i = 0; i < better.size(); ++i) md << (i ? ", " : "") << better[i];
      md << "\n";
      for (const size_t n : {size_t{4096}, size_t{65536}}) {
        const Speed* us = find_speed(r, "ours", Dtype::f32, op, n, 1);
        if (!us) continue;
        for (const Peer& p : r.peers) {
          if (p.id == "ours") continue;
          const Accuracy* a = find_acc(r, p.id, Dtype::f32, op);
          const Speed* them = find_speed(r, p.id, Dtype::f32, op, n, 1);
          if (!them || !a) continue;
          const bool close = a->max_ulp <= 10 * ours->max_ulp;
          const bool core_close = a->core_max_ulp <= 10 * ours->core_max_ulp;
          const bool faster = us->ns_per_call <= them->ns_per_call;
          md << "- fp32 " << name(op) << ", " << human(n) << ", 1 thread: " << p.name << " takes "
             << fmt(them->ns_per_call / us->ns_per_call, 2) << "× our time; accuracy "
             << (close ? "within" : "not within") << " 10× of ours over everything, "
             << (core_close ? "within" : "not within") << " on [−10, 10]"
             << (faster ? "" : (close ? ": GOAL MISSED" : (core_close ? ": faster than us, and as accurate where networks live" : "")))
             << "\n";
        }
      }
    }
  }
  return md.str();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"mish_compare: Mish in this library beside LibTorch, oneDNN, OpenCV DNN and the naive loop"};
  app.add_option("--sizes", o.sizes, "element counts for speed")->delimiter(',')->check(CLI::Range(size_t{1}, size_t{1} << 28));
  app.add_option("--threads", o.threads, "thread counts for speed: a list of numbers and 'all'");
  app.add_option("--reps", o.repetitions, "repetitions per measurement (the median is reported)")->check(CLI::Range(1, 1000));
  app.add_option("--min-time", o.min_time, "seconds per repetition, at least")->check(CLI::Range(0.0, 60.0));
  app.add_option("--points", o.points, "fp32 accuracy sweep size")->check(CLI::Range(size_t{16}, size_t{1} << 28));
  app.add_option("--peers", o.peers, "only these peers (ours, libtorch, onednn, opencv, naive)")->delimiter(',');
  app.add_option("--dtypes", o.dtypes, "fp32, bf16")->delimiter(',');
  app.add_flag("--no-speed", o.no_speed, "skip the speed measurements");
  app.add_flag("--no-accuracy", o.no_accuracy, "skip the accuracy measurements");
  app.add_flag("--no-child", o.no_child, "do not measure LibTorch with ATEN_CPU_CAPABILITY=avx512 in a child");
  app.add_flag("--child", o.child, "(internal) measure, write --json, print nothing")->group("");
  app.add_option("--json", o.json, "also write the results as JSON to this file");
  app.add_option("--out", o.out, "write the Markdown report to this file (default: standard output)");
  app.add_option("--update", o.update,
                 "replace what follows the marker line in this file (docs/COMPARISON.md) with the report")
      ->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
    for (const auto& d : o.dtypes) (void)parse_dtype(d);
    (void)parse_threads(o.threads);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  std::vector<Peer> peers;
  std::set<std::string> known;
  for (Peer& p : all_peers()) {
    known.insert(p.id);
    if (o.peers.empty() || std::find(o.peers.begin(), o.peers.end(), p.id) != o.peers.end()) peers.push_back(p);
  }
  for (const auto& want : o.peers) {
    if (!known.count(want)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      std::fprintf(stderr, "mish_compare: --peers: '%s' is not compiled into this build (available: %s)\n",
                   want.c_str(), list.c_str());
      return 2;
    }
  }

  try {
    // --update: the file up to and including the marker, read before the
    // minutes of measuring so that a wrong file is said at once
    std::string kept;
    if (!o.update.empty()) {
      std::ifstream f(o.update);
      std::stringstream ss;
      ss << f.rdbuf();
      const std::string text = ss.str();
      const size_t at = text.find(kMarker);
      if (at == std::string::npos) {
        throw std::runtime_error(o.update + " has no line '" + kMarker +
                                 "'; add it where the generated report should start");
      }
      kept = text.substr(0, at + std::strlen(kMarker)) + "\n\n";
    }
    Results r = measure(o, peers);
#ifdef MISH_COMPARE_TORCH
    const bool torch_here = std::any_of(peers.begin(), peers.end(), [](const Peer& p) { return p.id == "libtorch"; });
    if (torch_here && !o.no_child && !o.child && !std::getenv("ATEN_CPU_CAPABILITY") && torch_capability() != "AVX512") {
      Results c = torch_avx512(o);
      // the child's rows go right after LibTorch's own
      auto at = std::find_if(r.peers.begin(), r.peers.end(), [](const Peer& p) { return p.id == "libtorch"; });
      r.peers.insert(at + 1, c.peers.begin(), c.peers.end());
      r.acc.insert(r.acc.end(), c.acc.begin(), c.acc.end());
      r.speed.insert(r.speed.end(), c.speed.begin(), c.speed.end());
    }
#endif
    if (!o.json.empty()) {
      std::ofstream f(o.json);
      f << to_json(r).dump(1) << "\n";
      if (!f) throw std::runtime_error("cannot write " + o.json);
    }
    if (o.child) return 0;
    std::string command = "mish_compare";
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
    const std::string md = report(r, o, command);
    if (!o.update.empty()) {
      std::ofstream f(o.update);
      f << kept << md;
      if (!f) throw std::runtime_error("cannot write " + o.update);
    }
    if (!o.out.empty()) {
      std::ofstream f(o.out);
      f << md;
      if (!f) throw std::runtime_error("cannot write " + o.out);
    }
    if (o.out.empty() && o.update.empty()) std::cout << md;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mish_compare: %s\n", e.what());
    return 1;
  }
  return 0;
}
