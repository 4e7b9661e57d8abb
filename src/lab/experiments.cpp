#include "experiments.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "figures.hpp"
#include "landscape.hpp"
#include "mish/activations.hpp"
#include "report.hpp"
#include "sweeps.hpp"
#include "toml_util.hpp"
#include "train.hpp"

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

// The presets. Each is a sweep file: the base settings, then the [grid].
// quick: the same comparison at a scale that runs in minutes on 2 cores
// (fewer images, epochs and seeds; the fig6 depth/noise runs use the dense
// stack without the 5x5 conv stem, which LibTorch 1.13 runs at ~130 images/s
// here). paper: the paper's settings (docs/EXPERIMENTS.md has their cost).
struct Preset {
  const char* id;
  const char* quick;
  const char* paper;
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = {
      {"fig2",
       R"(model = "cnn"
width = 16
optimizer = "rmsprop"
lr = 0.001
momentum = 0.0
epochs = 4
limit_train = 8192
limit_test = 2000
[grid]
activation = ["mish", "swish", "tanh_softplus", "atan_softplus", "x_log1p_tanh_exp", "x_log1p_atan_exp"]
seed = [1, 2, 3]
)",
       R"(model = "cnn"
optimizer = "rmsprop"
lr = 0.001
momentum = 0.0
epochs = 50
[grid]
activation = ["mish", "swish", "tanh_softplus", "atan_softplus", "x_log1p_tanh_exp", "x_log1p_atan_exp"]
seed = [1, 2, 3, 4, 5]
)"},
      {"fig5",
       R"(model = "mlp"
depth = 4
width = 256
optimizer = "adam"
lr = 0.001
epochs = 3
limit_train = 10000
limit_test = 2000
save_model = true
[grid]
activation = ["mish", "swish", "relu"]
seed = [1]
)",
       R"(model = "resnet20"
optimizer = "sgd"
lr = 0.1
momentum = 0.9
weight_decay = 0.0005
schedule = "cosine"
epochs = 30
save_model = true
[grid]
activation = ["mish", "swish", "relu"]
seed = [1]
)"},
      {"fig6a",
       R"(model = "mlp"
width = 128
dropout = 0.25
optimizer = "sgd"
lr = 0.01
momentum = 0.9
epochs = 5
limit_train = 10000
limit_test = 2000
[grid]
depth = [4, 10, 16, 22]
activation = ["mish", "swish", "relu"]
seed = [1, 2]
)",
       R"(model = "depth"
optimizer = "sgd"
lr = 0.01
momentum = 0.0
batch_size = 128
epochs = 10
[grid]
depth = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]
activation = ["mish", "swish", "relu"]
seed = [1, 2, 3]
)"},
      {"fig6b",
       R"(model = "mlp"
depth = 3
width = 256
optimizer = "sgd"
lr = 0.01
momentum = 0.9
epochs = 3
limit_train = 10000
limit_test = 2000
noise_on = "test"
[grid]
noise_std = [0.0, 2.0, 4.0, 6.0, 8.0]
activation = ["mish", "swish", "relu"]
seed = [1, 2]
)",
       R"(model = "depth"
optimizer = "sgd"
lr = 0.01
momentum = 0.0
epochs = 10
noise_on = "test"
[grid]
noise_std = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
activation = ["mish", "swish", "relu"]
seed = [1, 2, 3]
)"},
      {"fig6c",
       R"(model = "cnn"
width = 16
optimizer = "adam"
lr = 0.001
epochs = 2
limit_train = 8192
limit_test = 2000
[grid]
init = ["random_normal", "random_uniform", "truncated_normal", "orthogonal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "lecun_normal", "he_uniform"]
activation = ["mish", "swish"]
seed = [1, 2]
)",
       R"(model = "cnn"
optimizer = "adam"
lr = 0.001
epochs = 20
[grid]
init = ["random_normal", "random_uniform", "truncated_normal", "orthogonal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "lecun_normal", "he_uniform"]
activation = ["mish", "swish"]
seed = [1, 2, 3]
)"},
      {"table1",
       R"(model = "squeezenet"
optimizer = "adam"
lr = 0.001
epochs = 3
limit_train = 8192
limit_test = 2000
[grid]
activation = ["mish", "swish", "relu", "gelu", "elu", "leaky_relu:alpha=0.3"]
seed = [1, 2, 3]
)",
       R"(model = "squeezenet"
optimizer = "adam"
lr = 0.001
batch_size = 128
epochs = 50
[grid]
activation = ["mish", "swish", "eswish:beta=1.75", "gelu", "relu", "elu", "leaky_relu:alpha=0.3", "selu", "softplus", "relu6", "celu", "tanh", "sigmoid", "hardtanh", "softsign", "logsigmoid"]
seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]
)"},
      {"table2",
       R"(optimizer = "adam"
lr = 0.001
epochs = 3
limit_train = 8192
limit_test = 2000
[grid]
model = ["resnet20", "squeezenet", "cnn"]
activation = ["mish", "swish", "relu"]
seed = [1, 2]
)",
       R"(optimizer = "adam"
lr = 0.001
epochs = 30
[grid]
model = ["resnet20", "squeezenet", "cnn"]
activation = ["mish", "swish", "relu"]
seed = [1, 2, 3, 4, 5]
)"},
  };
  return p;
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

void write_json(const fs::path& path, const nlohmann::json& j) { write_atomically(path.string(), j.dump(2) + "\n"); }

// A JSON file, or null when it is absent or not JSON.
nlohmann::json read_json_or_null(const fs::path& path) {
  std::ifstream f(path);
  if (!f) return nullptr;
  try {
    return nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

// The text of a file, or nullopt when there is none.
std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

}  // namespace

const std::vector<ExperimentInfo>& experiments() {
  static const std::vector<ExperimentInfo> e = {
      {"fig1", "Mish and other activations over [-5, 5]", false},
      {"fig2", "The variant family: the functions, and test accuracy per epoch (mean and std over seeds)", true},
      {"fig3", "First and second derivatives", false},
      {"fig4", "Output landscape of an untrained 5-layer network, per activation", false},
      {"fig5", "Loss landscape around a trained network along two filter-normalised random directions", true},
      {"fig6a", "Test accuracy against depth", true},
      {"fig6b", "Test loss and accuracy against input noise", true},
      {"fig6c", "Test accuracy per weight initialiser, Mish against Swish", true},
      {"table1", "N-seed comparison of many activations on SqueezeNet", true},
      {"table2", "Mish, Swish and ReLU across architectures", true},
  };
  return e;
}

const ExperimentInfo& experiment(const std::string& id) {
  for (const auto& e : experiments()) {
    if (e.id == id) return e;
  }
  std::string all;
  for (const auto& e : experiments()) all += (all.empty() ? "" : ", ") + e.id;
  bad("unknown experiment '" + id + "'; choose from " + all);
}

const std::vector<std::string>& quick_default() {
  static const std::vector<std::string> q = {"fig1", "fig3", "fig4", "fig6a", "table1"};
  return q;
}

std::string sweep_file(const std::string& id, const std::string& preset,
                       const std::vector<std::pair<std::string, std::string>>& overrides, int seeds) {
  if (preset != "quick" && preset != "paper") bad("preset must be quick or paper, not '" + preset + "'");
  const auto it = std::find_if(presets().begin(), presets().end(), [&](const Preset& p) { return id == p.id; });
  if (it == presets().end()) bad("experiment '" + id + "' does not train (it has no sweep)");
  toml::table t = parse_toml(preset == "quick" ? it->quick : it->paper, id + " (" + preset + " preset)");
  toml::table* grid = t["grid"].as_table();
  for (const auto& [key, value] : overrides) {
    if (key == "seed") bad("--set seed: the seeds are a grid axis; use --seeds N");
    if (key == "out" || key == "name") bad("--set " + key + ": chosen by the sweep for each run");
    if (grid && grid->contains(key)) bad("--set " + key + ": " + id + " varies " + key + " (it is a grid axis)");
    set_from_text(t, key, value);
  }
  if (seeds < 0) bad("--seeds must be >= 1");
  if (seeds > 0 && grid) {
    toml::array s;
    for (int k = 1; k <= seeds; ++k) s.push_back(k);
    grid->insert_or_assign("seed", s);
  }
  // Base keys first, then the grid (toml++ prints sub-tables after values).
  std::ostringstream os;
  os << "# " << id << ", " << preset << " preset (mish reproduce)\n" << t << "\n";
  (void)expand_sweep(os.str(), id + " (" + preset + " preset)");  // every run valid, or an error now
  return os.str();
}

LandscapeSettings fig5_settings(const std::string& preset) {
  LandscapeSettings s;
  if (preset == "paper") {
    s.size = 41;
    s.samples = 2000;
  } else {
    s.size = 21;
    s.samples = 1000;
  }
  s.range = 1.0;
  return s;
}

int reproduce(const ReproduceOptions& opt, const std::function<void(const std::string&)>& log) {
  if (opt.preset != "quick" && opt.preset != "paper") bad("preset must be quick or paper");
  if (opt.out.empty()) bad("--out must name a directory");
  std::vector<std::string> ids = opt.only;
  if (ids.empty()) {
    if (opt.preset == "quick") {
      ids = quick_default();
    } else {
      for (const auto& e : experiments()) ids.push_back(e.id);
    }
  }
  for (const auto& id : ids) (void)experiment(id);
  // Report order, each once.
  std::vector<std::string> ordered;
  for (const auto& e : experiments()) {
    if (std::find(ids.begin(), ids.end(), e.id) != ids.end()) ordered.push_back(e.id);
  }
  std::map<std::string, std::string> sweeps;
  for (const auto& id : ordered) {
    if (experiment(id).trains) sweeps[id] = sweep_file(id, opt.preset, opt.overrides, opt.seeds);
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = opt.jobs > 0 ? opt.jobs : cores;
  if (opt.dry_run) {
    for (const auto& id : ordered) {
      const auto it = sweeps.find(id);
      if (it == sweeps.end()) {
        log(id + ": " + experiment(id).title + " (no training)");
      } else {
        log(id + ": " + experiment(id).title + ", " + std::to_string(expand_sweep(it->second, id).size()) +
            " training runs:\n" + it->second);
      }
    }
    return 0;
  }
  const fs::path out(opt.out), figs = out / "figures";
  // A trained experiment's directory holds one sweep: find a conflict before
  // running anything, not after the experiments before it.
  for (const auto& [id, text] : sweeps) {
    const fs::path dir = out / "sweeps" / id;
    const auto old = read_text(dir / "sweep.toml");
    if (old && *old != text) {
      bad(dir.string() + " was run with other settings (its sweep.toml differs from what this preset, --set and "
          "--seeds give now); rerun with the same settings to finish it, choose another --out, or delete " +
          dir.string() + " to start that experiment over");
    }
  }
  fs::create_directories(figs);
  // The manifest of the directory: experiments reproduced by earlier calls
  // stay in it (and in the report), with the settings each was run with.
  nlohmann::json manifest = read_json_or_null(out / "reproduce.json");
  if (!manifest.is_object()) manifest = nlohmann::json::object();
  for (const char* key : {"errors", "settings"}) {
    if (!manifest.contains(key) || !manifest[key].is_object()) manifest[key] = nlohmann::json::object();
  }
  std::set<std::string> listed(ordered.begin(), ordered.end());
  if (manifest.contains("experiments") && manifest["experiments"].is_array()) {
    const std::string old_preset =
        manifest.contains("preset") && manifest["preset"].is_string() ? manifest["preset"].get<std::string>() : "?";
    for (const auto& e : manifest["experiments"]) {
      if (!e.is_string()) continue;
      const std::string id = e.get<std::string>();
      if (!manifest["settings"].contains(id)) manifest["settings"][id] = {{"preset", old_preset}};
      listed.insert(id);
    }
  }
  nlohmann::json overrides = nlohmann::json::object();
  for (const auto& [k, v] : opt.overrides) overrides[k] = v;
  for (const auto& id : ordered) {
    manifest["settings"][id] = {{"preset", opt.preset}, {"overrides", overrides}, {"seeds", opt.seeds}};
  }
  manifest["experiments"] = nlohmann::json::array();
  std::set<std::string> presets;
  for (const auto& e : experiments()) {
    if (!listed.count(e.id)) continue;
    manifest["experiments"].push_back(e.id);
    const auto& st = manifest["settings"][e.id];
    if (st.is_object() && st.contains("preset") && st["preset"].is_string()) presets.insert(st["preset"].get<std::string>());
  }
  manifest["preset"] = presets.size() == 1 ? *presets.begin() : std::string("mixed");
  manifest["overrides"] = overrides;
  manifest["seeds"] = opt.seeds;
  manifest["started"] = now_utc();
  manifest["finished"] = nullptr;
  manifest["mish"] = mish::version();
  manifest["simd_target"] = mish::simd_target();
  write_json(out / "reproduce.json", manifest);
  int failures = 0;
  for (const auto& id : ordered) {
    log("== " + id + ": " + experiment(id).title);
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (id == "fig1") {
        fig1_functions(figs.string());
      } else if (id == "fig3") {
        fig3_derivatives(figs.string());
      } else if (id == "fig4") {
        const std::vector<std::string> acts = {"relu", "swish", "mish"};
        std::vector<double> sharp;
        fig4_landscapes(figs.string(), acts, 400, &sharp);
        nlohmann::json j;
        j["size"] = 400;
        for (size_t k = 0; k < acts.size(); ++k) {
          j["activations"].push_back({{"activation", acts[k]}, {"kink_sharpness", sharp[k]}});
        }
        write_json(figs / "fig4.json", j);
      } else {
        SweepOptions so;
        so.out = (out / "sweeps" / id).string();
        so.jobs = jobs;
        so.threads_per_job = opt.threads;
        so.exe = opt.exe;
        so.sweep_text = sweeps[id];
        const auto runs = expand_sweep(sweeps[id], id);
        log(std::to_string(runs.size()) + " training runs -> " + so.out);
        const SweepStatus st = run_sweep(runs, so, log);
        if (st.failed) throw std::runtime_error(std::to_string(st.failed) + " runs failed (see " + so.out + "/logs)");
        if (id == "fig5") {
          const LandscapeSettings ls = fig5_settings(opt.preset);
          at::set_num_threads(opt.threads > 0 ? opt.threads * jobs : cores);  // the workers are done
          nlohmann::json j;
          j["size"] = ls.size;
          j["range"] = ls.range;
          j["runs"] = nlohmann::json::array();
          for (const auto& r : runs) {
            const fs::path dir = fs::path(so.out) / "runs" / r.name;
            const RunRecord res = read_run_record(dir.string());
            if (res.status != "ok") {  // a diverged run saved no model: nothing to draw
              log("loss landscape of " + r.name + ": skipped, the run " + res.status);
              j["runs"].push_back({{"activation", r.config.activation}, {"run", r.name}, {"status", res.status},
                                   {"message", res.message}});
              write_json(figs / "fig5.json", j);
              continue;
            }
            std::string name = "fig5_" + r.config.activation + "_seed" + std::to_string(r.config.seed);
            for (char& ch : name) {
              if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '.' && ch != '-') ch = '_';
            }
            // One landscape's numbers, kept next to its picture: a rerun with
            // the same settings reuses them instead of recomputing.
            const fs::path cache = figs / (name + ".json");
            nlohmann::json entry = read_json_or_null(cache);
            bool reuse = false;
            try {
              reuse = entry.is_object() && entry.at("size") == ls.size && entry.at("range") == ls.range &&
                      entry.at("requested_samples") == ls.samples && entry.at("run") == r.name &&
                      entry.at("centre_loss").is_number() && fs::exists(figs / (name + ".png"));
            } catch (const nlohmann::json::exception&) {
              reuse = false;  // an old or damaged cache: compute again
            }
            if (reuse) {
              log("loss landscape of " + r.config.activation + ": kept from " + cache.string());
            } else {
              SavedRun saved = load_saved_run(dir.string());
              log("loss landscape of " + r.config.activation + " (" + std::to_string(ls.size) + "x" +
                  std::to_string(ls.size) + " points)");
              const LossLandscape l = loss_landscape(*saved.model, saved.data.train, ls.size, ls.range, ls.samples,
                                                     r.config.seed);
              contour_surface_plot((figs / name).string(), "Loss landscape, " + r.config.activation, l.loss, l.size,
                                   l.range, "loss");
              entry = {{"activation", r.config.activation},
                       {"run", r.name},
                       {"status", "ok"},
                       {"figure", name},
                       {"size", ls.size},
                       {"range", ls.range},
                       {"requested_samples", ls.samples},
                       {"samples", l.samples},
                       {"centre_loss", l.centre},
                       {"mean_rise_r0.5", mean_rise(l, 0.5)},
                       {"mean_rise_r1", mean_rise(l, 1.0)},
                       {"max_loss", *std::max_element(l.loss.begin(), l.loss.end())}};
              write_json(cache, entry);
            }
            j["runs"].push_back(entry);
            write_json(figs / "fig5.json", j);
          }
          write_json(figs / "fig5.json", j);
        }
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::ostringstream line;
      line.precision(3);
      line << id << " done in " << s << " s";
      log(line.str());
      manifest["errors"].erase(id);
    } catch (const std::exception& e) {
      ++failures;
      manifest["errors"][id] = e.what();
      log(id + " FAILED: " + e.what());
    }
    write_json(out / "reproduce.json", manifest);
  }
  manifest["finished"] = now_utc();
  write_json(out / "reproduce.json", manifest);
  ReportOptions ro;
  ro.dir = opt.out;
  const ReportFiles rf = write_report(ro);
  log("report: " + rf.md + ", " + rf.html);
  return failures;
}

}  // namespace mish::lab
