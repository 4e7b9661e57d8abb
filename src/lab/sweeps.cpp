#include "sweeps.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "toml_util.hpp"

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::string value_text(const toml::node& n) {
  if (auto s = n.value<std::string>()) return *s;
  std::ostringstream os;
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

std::string safe_name(std::string s) {
  for (char& ch : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(ch)) || std::strchr("._=,:+-", ch) != nullptr;
    if (!ok) ch = '_';
  }
  return s;
}

std::string results_csv(const std::vector<SweepRun>& runs, const fs::path& out) {
  std::ostringstream os;
  os.precision(8);
  os << "name";
  if (!runs.empty()) {
    for (const auto& [k, v] : runs[0].grid) os << ',' << k;
  }
  os << ",status,test_accuracy,best_test_accuracy,test_loss,epochs,seconds\n";
  for (const SweepRun& r : runs) {
    const RunRecord res = read_run_record((out / "runs" / r.name).string());
    if (res.status == "none") continue;
    os << '"' << r.name << '"';
    for (const auto& [k, v] : r.grid) os << ",\"" << v << '"';
    auto num = [&](double v) {
      std::ostringstream n;
      n.precision(8);
      if (std::isfinite(v)) n << v;
      return n.str();
    };
    os << ',' << res.status << ',' << num(res.test_accuracy) << ',' << num(res.best_test_accuracy) << ','
       << num(res.test_loss) << ',' << (res.epochs >= 0 ? std::to_string(res.epochs) : "") << ','
       << num(res.seconds) << '\n';
  }
  return os.str();
}

}  // namespace

RunRecord read_run_record(const std::string& run_dir) {
  RunRecord r;
  std::ifstream f(fs::path(run_dir) / "result.json");
  if (!f) return r;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception&) {
    return r;
  }
  auto num = [&](const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
  };
  r.status = j.is_object() && j.contains("status") && j["status"].is_string() ? j["status"].get<std::string>() : "";
  if (j.is_object() && j.contains("message") && j["message"].is_string()) r.message = j["message"].get<std::string>();
  r.test_accuracy = num("test_accuracy");
  r.best_test_accuracy = num("best_test_accuracy");
  r.test_loss = num("test_loss");
  r.seconds = num("seconds");
  const double epochs = num("epochs");
  r.epochs = std::isfinite(epochs) ? static_cast<int>(epochs) : -1;
  if (r.status == "ok" && !std::isfinite(r.test_accuracy)) {
    r.status = "failed";
    r.message = "result.json says ok but has no finite test_accuracy";
  } else if (r.status != "ok" && r.status != "diverged" && r.status != "failed") {
    r.message = "result.json has no valid status ('" + r.status + "')";
    r.status = "failed";
  }
  return r;
}

std::string compose_sweep(const std::string& file_text, const std::string& source,
                          const std::vector<std::pair<std::string, std::string>>& set,
                          const std::vector<std::pair<std::string, std::string>>& grid) {
  toml::table t = parse_toml(file_text, source);
  if (t.contains("grid") && !t["grid"].is_table()) bad(source + ": [grid] must be a table of key = [values]");
  if (!t.contains("grid")) t.insert("grid", toml::table{});
  toml::table& axes = *t["grid"].as_table();
  for (const auto& [key, values] : grid) {
    if (key.empty() || values.empty()) bad("--grid needs KEY=V1,V2,... (e.g. --grid activation=mish,relu)");
    toml::array arr;
    std::string::size_type start = 0;
    while (true) {
      const auto comma = values.find(',', start);
      toml::table one;
      set_from_text(one, "v", values.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      arr.push_back(*one.get("v"));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    axes.insert_or_assign(key, arr);
  }
  for (const auto& [key, value] : set) {
    if (key.empty()) bad("--set needs KEY=VALUE (e.g. --set epochs=2)");
    if (axes.contains(key)) bad("--set " + key + ": " + key + " is a grid axis of this sweep");
    set_from_text(t, key, value);
  }
  if (axes.empty()) t.erase("grid");
  std::ostringstream os;
  os << t << "\n";
  return os.str();
}

std::vector<SweepRun> expand_sweep(const std::string& text, const std::string& source) {
  toml::table t = parse_toml(text, source);
  for (const char* key : {"out", "name"}) {
    if (t.contains(key)) bad(source + ": '" + key + "' is chosen by the sweep for each run; remove it");
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;  // key, TOML value texts
  std::vector<std::vector<std::string>> labels;                         // key's values as names
  if (t.contains("grid")) {
    const toml::table* grid = t["grid"].as_table();
    if (!grid) bad(source + ": [grid] must be a table of key = [values]");
    for (const auto& [key, node] : *grid) {
      const toml::array* values = node.as_array();
      if (!values || values->empty()) {
        bad(source + ": grid." + std::string(key.str()) + " must be a non-empty array of values");
      }
      std::vector<std::string> texts, names;
      for (const auto& v : *values) {
        std::ostringstream os;
        v.visit([&](const auto& x) { os << x; });
        texts.push_back(os.str());
        names.push_back(value_text(v));
      }
      axes.emplace_back(std::string(key.str()), texts);
      labels.push_back(names);
    }
    t.erase("grid");
  }
  for (const auto& [key, values] : axes) t.erase(key);  // the grid sets these
  std::ostringstream base;
  base << t << "\n";
  std::vector<SweepRun> runs;
  std::set<std::string> names;
  std::vector<size_t> idx(axes.size(), 0);
  while (true) {
    SweepRun r;
    std::string overrides;
    for (size_t a = 0; a < axes.size(); ++a) {
      r.grid.emplace_back(axes[a].first, labels[a][idx[a]]);
      overrides += axes[a].first + " = " + axes[a].second[idx[a]] + "\n";
      r.name += (a ? "," : "") + axes[a].first + "=" + labels[a][idx[a]];
    }
    r.name = axes.empty() ? "base" : safe_name(r.name);
    r.toml = base.str() + overrides;
    try {
      parse_config(r.toml, source + " [" + r.name + "]", r.config);
      validate(r.config);
    } catch (const std::invalid_argument& e) {
      bad(std::string(e.what()) + (axes.empty() ? "" : " (run " + r.name + ")"));
    }
    if (!names.insert(r.name).second) bad(source + ": two grid points share the name " + r.name);
    runs.push_back(std::move(r));
    size_t a = 0;
    for (; a < axes.size(); ++a) {  // odometer over the axes
      if (++idx[a] < axes[a].second.size()) break;
      idx[a] = 0;
    }
    if (a == axes.size()) break;
  }
  return runs;
}

namespace {

// An open file descriptor, closed once.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A lock file, locked for this process or not at all. POSIX record locks
// (fcntl) work across machines on NFS (through its lock manager) and are
// released when the process ends, however it ends.
Fd try_lock(const fs::path& file, bool* busy) {
  Fd f(::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
  if (f.fd < 0) throw std::runtime_error("cannot create the lock file " + file.string() + ": " + std::strerror(errno));
  struct flock l {};
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;
  *busy = ::fcntl(f.fd, F_SETLK, &l) != 0;
  if (*busy && errno != EACCES && errno != EAGAIN) {
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(errno) +
                             " (on NFS the lock manager, rpc.statd / lockd, must be running)");
  }
  return f;
}

}  // namespace

void keep_sweep_text(const std::string& dir, const std::string& text) {
  const fs::path out(dir);
  fs::create_directories(out);
  std::ifstream old(out / "sweep.toml");
  std::stringstream had;
  had << old.rdbuf();
  if (old && had.str() != text) {
    throw std::runtime_error(dir + " holds a different sweep (its sweep.toml differs from this one); "
                             "choose another --out, or delete the directory to start over");
  }
  if (!old) write_atomically((out / "sweep.toml").string(), text);
}

std::string slurm_script(const SlurmOptions& o) {
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::ostringstream sh;
  sh << "#!/bin/bash\n"
     << "# mish sweep as a Slurm job array: " << o.tasks << " tasks share the " << o.runs << " runs of\n"
     << "# " << o.out << " (task i runs every run whose index is i modulo " << o.tasks << ").\n"
     << "# Submit with: sbatch " << (o.file.empty() ? "THIS_FILE" : o.file) << "\n"
     << "# Resubmitting finishes what is left (finished runs are skipped); the directory must be\n"
     << "# on a filesystem every node mounts (NFS: with its lock manager running).\n"
     << "#SBATCH --job-name=mish-sweep\n"
     << "#SBATCH --array=0-" << o.tasks - 1 << "\n"
     << "#SBATCH --ntasks=1\n"
     << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n"
     << "#SBATCH --output=" << o.out << "/logs/slurm-%A_%a.out\n";
  for (const auto& line : o.sbatch) sh << "#SBATCH " << line << "\n";
  sh << "set -euo pipefail\n"
     << "exec " << quote(o.exe) << " sweep --config " << quote(o.out + "/sweep.toml") << " --out " << quote(o.out)
     << " --jobs " << o.jobs << " --threads " << o.threads << " --shard \"${SLURM_ARRAY_TASK_ID}/" << o.tasks
     << "\"\n";
  return sh.str();
}

std::pair<int, int> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  char* end = nullptr;
  const long i = slash == std::string::npos ? -1 : std::strtol(text.c_str(), &end, 10);
  const bool i_ok = slash != std::string::npos && end == text.c_str() + slash && slash > 0;
  const long n = i_ok ? std::strtol(text.c_str() + slash + 1, &end, 10) : 0;
  if (!i_ok || *end != '\0' || slash + 1 == text.size() || n < 1 || n > 100000 || i < 0 || i >= n) {
    throw std::invalid_argument("--shard '" + text + "': expected I/N with 0 <= I < N, e.g. 0/4 ... 3/4");
  }
  return {static_cast<int>(i), static_cast<int>(n)};
}

std::optional<std::pair<int, int>> shard_from_env(const EnvReader& env) {
  if (const auto id = env("SLURM_ARRAY_TASK_ID")) {
    const auto count = env("SLURM_ARRAY_TASK_COUNT"), min = env("SLURM_ARRAY_TASK_MIN");
    if (!count) throw std::invalid_argument("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    const int i = std::atoi(id->c_str()) - (min ? std::atoi(min->c_str()) : 0), n = std::atoi(count->c_str());
    if (n < 1 || i < 0 || i >= n) {
      throw std::invalid_argument("the Slurm array task " + *id + " of " + *count +
                                  " is not a shard (the array's ids must be contiguous); pass --shard I/N");
    }
    return std::make_pair(i, n);
  }
  const LaunchEnv e = launch_env(env, /*rendezvous=*/false);  // shards never meet
  if (e.world > 1) return std::make_pair(e.rank, e.world);
  return std::nullopt;
}

SweepStatus run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& opt,
                      const std::function<void(const std::string&)>& log) {
  const fs::path out(opt.out);
  if (opt.shards < 1 || opt.shard < 0 || opt.shard >= opt.shards) {
    throw std::invalid_argument("shard " + std::to_string(opt.shard) + "/" + std::to_string(opt.shards) +
                                " does not exist: shards are 0/N ... (N-1)/N");
  }
  for (const char* sub : {"runs", "configs", "logs", "locks"}) fs::create_directories(out / sub);
  // The shard's lock is held (and the workers are stopped) until this
  // function returns, normally or by an exception.
  const std::string shard = std::to_string(opt.shard) + "/" + std::to_string(opt.shards);
  bool busy = false;
  const Fd lock = try_lock(
      out / (opt.shards == 1 ? ".sweep.lock"
                             : ".sweep.shard-" + std::to_string(opt.shard) + "-of-" + std::to_string(opt.shards) +
                                   ".lock"),
      &busy);
  if (busy) {
    throw std::runtime_error(opt.shards == 1 ? "another sweep is running in " + opt.out +
                                                   "; wait for it or choose another --out"
                                             : "shard " + shard + " of the sweep in " + opt.out +
                                                   " is already running (here or on another machine); wait for it "
                                                   "or start another shard");
  }
  if (!opt.sweep_text.empty()) keep_sweep_text(opt.out, opt.sweep_text);
  const int jobs = std::max(1, opt.jobs);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = opt.threads_per_job > 0 ? opt.threads_per_job : std::max(1, cores / jobs);
  const char* kill_env = std::getenv("MISH_SWEEP_KILL_AFTER");  // test hook: SIGKILL after N results
  const int kill_after = kill_env ? std::atoi(kill_env) : 0;

  SweepStatus st;
  std::vector<size_t> pending;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (static_cast<int>(i % static_cast<size_t>(opt.shards)) != opt.shard) continue;  // another shard's
    ++st.total;
    if (read_run_record((out / "runs" / runs[i].name).string()).finished()) {
      ++st.skipped;
    } else {
      pending.push_back(i);
    }
  }
  if (opt.shards > 1) {
    log("shard " + shard + ": " + std::to_string(st.total) + " of the " + std::to_string(runs.size()) + " runs");
  }
  if (st.skipped) log(std::to_string(st.skipped) + " of " + std::to_string(st.total) + " runs already done");
  std::reverse(pending.begin(), pending.end());  // pop_back takes them in grid order
  // Each running run is claimed by a lock on locks/<name>.lock, held until its
  // worker is reaped: no two processes (shards on any machine) run it at once.
  std::map<size_t, Fd> claims;
  struct Workers {  // on an exception: stop the workers still running, reap them
    std::map<pid_t, size_t> pids;
    ~Workers() {
      for (const auto& p : pids) ::kill(p.first, SIGTERM);
      for (const auto& p : pids) {
        int ws = 0;
        while (::waitpid(p.first, &ws, 0) < 0 && errno == EINTR) {
        }
      }
    }
  } workers;
  std::map<pid_t, size_t>& running = workers.pids;
  int done = st.skipped, finished_here = 0;
  const pid_t self = ::getpid();
  auto launch = [&](size_t i) {
    const SweepRun& r = runs[i];
    const std::string cfg = (out / "configs" / (r.name + ".toml")).string();
    write_atomically(cfg, r.toml);
    const std::string dir = (out / "runs" / r.name).string(), logf = (out / "logs" / (r.name + ".log")).string();
    const std::string nthreads = std::to_string(threads);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the sweep dies -> its workers die
      if (::getppid() != self) ::_exit(127);
      const int fd = ::open(logf.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      // each run is one process, even when the sweep was started by a launcher
      ::execl(opt.exe.c_str(), opt.exe.c_str(), "train", "--config", cfg.c_str(), "--run-dir", dir.c_str(),
              "--distributed", "off", "--threads", nthreads.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    running[pid] = i;
  };
  while (!pending.empty() || !running.empty()) {
    while (static_cast<int>(running.size()) < jobs && !pending.empty()) {
      const size_t i = pending.back();
      pending.pop_back();
      bool taken = false;
      Fd claim = try_lock(out / "locks" / (runs[i].name + ".lock"), &taken);
      if (taken) {
        ++st.busy;
        log(runs[i].name + ": being run by another process (another shard?); left to it");
        continue;
      }
      if (read_run_record((out / "runs" / runs[i].name).string()).finished()) {  // finished elsewhere meanwhile
        ++st.skipped;
        continue;
      }
      claims.emplace(i, std::move(claim));
      launch(i);
    }
    if (running.empty()) break;
    int wstatus = 0;
    const pid_t pid = ::waitpid(-1, &wstatus, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepRun& r = runs[it->second];
    claims.erase(it->second);  // the worker is gone: release its run
    running.erase(it);
    const RunRecord res = read_run_record((out / "runs" / r.name).string());
    std::ostringstream line;
    ++done;
    const int bar = 20, fill = st.total ? bar * done / st.total : bar;
    line << '[' << std::string(static_cast<size_t>(fill), '#') << std::string(static_cast<size_t>(bar - fill), '.')
         << "] " << done << '/' << st.total << ' ' << r.name << ": ";
    if (res.status == "ok") {
      ++st.ok;
      line.precision(4);
      line << "ok, test accuracy " << 100 * res.test_accuracy << "% (" << res.seconds << " s)";
    } else if (res.status == "diverged") {
      ++st.diverged;
      line << "diverged: " << res.message;
    } else {
      ++st.failed;
      line << "failed: "
           << (res.status == "none" ? "no result (see " + (out / "logs" / r.name).string() + ".log)" : res.message);
    }
    log(line.str());
    write_atomically((out / "results.csv").string(), results_csv(runs, out));
    if (kill_after > 0 && ++finished_here >= kill_after) ::raise(SIGKILL);
  }
  write_atomically((out / "results.csv").string(), results_csv(runs, out));
  return st;
}

std::vector<SweepRun> sweep_in(const std::string& dir) {
  const fs::path file = fs::path(dir) / "sweep.toml";
  std::ifstream f(file);
  if (!f) throw std::runtime_error(dir + " has no sweep.toml: not a sweep directory (mish sweep --out writes one)");
  std::stringstream text;
  text << f.rdbuf();
  try {
    return expand_sweep(text.str(), file.string());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace mish::lab
