#include "train.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "batches.hpp"
#include "mish/activations.hpp"
#include "models.hpp"
#include "toml_util.hpp"

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

bool one_of(const std::string& v, std::initializer_list<const char*> options) {
  return std::any_of(options.begin(), options.end(), [&](const char* o) { return v == o; });
}

// One TrainConfig field as a TOML key: read from a node, written as a value.
struct Field {
  const char* key;
  std::function<void(const toml::node&, TrainConfig&)> read;
  std::function<void(const TrainConfig&, toml::table&)> write;
};

template <class T>
T get_as(const toml::node& n, const char* key) {
  if constexpr (std::is_same_v<T, bool>) {
    if (auto v = n.value<bool>()) return *v;
    bad(std::string(key) + " must be true or false");
  } else if constexpr (std::is_integral_v<T>) {
    if (auto v = n.value<int64_t>()) return static_cast<T>(*v);
    bad(std::string(key) + " must be an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (auto v = n.value<double>()) return *v;
    bad(std::string(key) + " must be a number");
  } else {
    if (auto v = n.value<std::string>()) return *v;
    bad(std::string(key) + " must be a string");
  }
}

template <class T>
Field field(const char* key, T TrainConfig::*m) {
  return {key, [key, m](const toml::node& n, TrainConfig& c) { c.*m = get_as<T>(n, key); },
          [key, m](const TrainConfig& c, toml::table& t) {
            if constexpr (std::is_same_v<T, uint64_t>) {
              t.insert(key, static_cast<int64_t>(c.*m));
            } else {
              t.insert(key, c.*m);
            }
          }};
}

const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      field("dataset", &TrainConfig::dataset),
      field("data_dir", &TrainConfig::data_dir),
      field("limit_train", &TrainConfig::limit_train),
      field("limit_test", &TrainConfig::limit_test),
      field("noise_std", &TrainConfig::noise_std),
      field("noise_on", &TrainConfig::noise_on),
      field("augment", &TrainConfig::augment),
      field("model", &TrainConfig::model),
      field("activation", &TrainConfig::activation),
      field("depth", &TrainConfig::depth),
      field("width", &TrainConfig::width),
      field("batch_norm", &TrainConfig::batch_norm),
      field("dropout", &TrainConfig::dropout),
      field("init", &TrainConfig::init),
      field("optimizer", &TrainConfig::optimizer),
      field("lr", &TrainConfig::lr),
      field("momentum", &TrainConfig::momentum),
      field("weight_decay", &TrainConfig::weight_decay),
      field("nesterov", &TrainConfig::nesterov),
      field("schedule", &TrainConfig::schedule),
      field("step_size", &TrainConfig::step_size),
      {"milestones",
       [](const toml::node& n, TrainConfig& c) {
         const auto* arr = n.as_array();
         if (!arr) bad("milestones must be an array of epoch numbers, e.g. [30, 60]");
         c.milestones.clear();
         for (const auto& e : *arr) c.milestones.push_back(get_as<int>(e, "milestones"));
       },
       [](const TrainConfig& c, toml::table& t) {
         toml::array a;
         for (int m : c.milestones) a.push_back(m);
         t.insert("milestones", a);
       }},
      field("gamma", &TrainConfig::gamma),
      field("epochs", &TrainConfig::epochs),
      field("batch_size", &TrainConfig::batch_size),
      field("seed", &TrainConfig::seed),
      field("threads", &TrainConfig::threads),
      field("out", &TrainConfig::out),
      field("name", &TrainConfig::name),
      field("save_model", &TrainConfig::save_model),
  };
  return f;
}

std::string csv(const std::vector<EpochMetrics>& epochs) {
  std::ostringstream os;
  os.precision(8);
  os << "epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds\n";
  for (const auto& e : epochs) {
    os << e.epoch << ',' << e.train_loss << ',' << e.train_acc << ',' << e.test_loss << ',' << e.test_acc << ','
       << e.lr << ',' << e.seconds << '\n';
  }
  return os.str();
}

double lr_at(const TrainConfig& c, int epoch /* 0-based */) {
  if (c.schedule == "step") return c.lr * std::pow(c.gamma, epoch / c.step_size);
  if (c.schedule == "multistep") {
    const auto passed = std::count_if(c.milestones.begin(), c.milestones.end(), [&](int m) { return epoch >= m; });
    return c.lr * std::pow(c.gamma, static_cast<double>(passed));
  }
  if (c.schedule == "cosine") return 0.5 * c.lr * (1 + std::cos(M_PI * epoch / c.epochs));
  return c.lr;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, std::vector<torch::Tensor> params) {
  if (c.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(c.weight_decay));
  }
  if (c.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
  }
  return std::make_unique<torch::optim::RMSprop>(
      params, torch::optim::RMSpropOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
}

std::string sanitize(std::string s) {
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '_';
  }
  return s;
}

// A fresh run directory: never reuses (and so never overwrites) an old one.
std::string make_run_dir(const TrainConfig& c) {
  const std::string base =
      c.name.empty() ? sanitize(c.dataset + "_" + c.model + "_" + c.activation + "_seed" + std::to_string(c.seed))
                     : sanitize(c.name);
  fs::create_directories(c.out);
  for (int k = 1;; ++k) {
    const fs::path p = fs::path(c.out) / (k == 1 ? base : base + "-" + std::to_string(k));
    if (fs::create_directory(p)) return p.string();
  }
}

nlohmann::json result_json(const TrainConfig& c, const RunResult& r, int threads, int processes) {
  nlohmann::json j;
  j["status"] = r.status;
  j["message"] = r.message;
  j["test_accuracy"] = r.test_accuracy;
  j["test_loss"] = std::isfinite(r.test_loss) ? nlohmann::json(r.test_loss) : nlohmann::json(nullptr);
  j["best_test_accuracy"] = r.best_test_accuracy;
  j["epochs"] = r.epochs.size();
  j["epochs_planned"] = c.epochs;
  j["seconds"] = r.seconds;
  j["seed"] = c.seed;
  j["activation"] = c.activation;
  j["model"] = c.model;
  j["dataset"] = c.dataset;
  j["threads"] = threads;       // per process
  j["processes"] = processes;   // data-parallel ranks
  j["versions"] = {{"mish", mish::version()}, {"libtorch", TORCH_VERSION}, {"simd_target", mish::simd_target()}};
  return j;
}

}  // namespace

void validate(const TrainConfig& c) {
  const auto& ds = dataset_names();
  if (std::find(ds.begin(), ds.end(), c.dataset) == ds.end()) {
    bad("dataset '" + c.dataset + "' is unknown; choose fashion-mnist, mnist or cifar10");
  }
  const auto& ms = model_names();
  if (std::find(ms.begin(), ms.end(), c.model) == ms.end()) {
    bad("model '" + c.model + "' is unknown; choose depth, mlp, cnn, squeezenet or resnet20");
  }
  try {
    (void)Spec::parse(c.activation);
  } catch (const Error& e) {
    bad(std::string("activation: ") + e.what());
  }
  const auto& is = init_names();
  if (std::find(is.begin(), is.end(), c.init) == is.end()) bad("init '" + c.init + "' is unknown (see --help)");
  if (!one_of(c.optimizer, {"sgd", "adam", "rmsprop"})) bad("optimizer must be sgd, adam or rmsprop");
  if (!one_of(c.schedule, {"constant", "step", "multistep", "cosine"})) {
    bad("schedule must be constant, step, multistep or cosine");
  }
  if (!one_of(c.noise_on, {"train", "test", "both"})) bad("noise_on must be train, test or both");
  if (!(c.lr > 0) || !std::isfinite(c.lr)) bad("lr must be a positive number");
  if (c.momentum < 0 || c.momentum >= 1) bad("momentum must be in [0, 1)");
  if (c.weight_decay < 0) bad("weight_decay must be >= 0");
  if (c.nesterov && (c.optimizer != "sgd" || c.momentum <= 0)) bad("nesterov needs optimizer sgd with momentum > 0");
  if (c.epochs < 1) bad("epochs must be >= 1");
  if (c.batch_size < 1) bad("batch_size must be >= 1");
  if (c.step_size < 1) bad("step_size must be >= 1");
  if (!(c.gamma > 0)) bad("gamma must be positive");
  if (c.schedule == "multistep" && c.milestones.empty()) bad("schedule multistep needs milestones, e.g. [30, 60]");
  if (c.noise_std < 0) bad("noise_std must be >= 0");
  if (c.dropout < 0 || c.dropout >= 1) bad("dropout must be in [0, 1)");
  if (c.depth < 0 || c.width < 0) bad("depth and width must be >= 0 (0: the model's default)");
  if (c.limit_train < 0 || c.limit_test < 0) bad("limit_train and limit_test must be >= 0 (0: all)");
  if (c.threads < 0) bad("threads must be >= 0 (0: all cores)");
  if (c.out.empty()) bad("out must name a directory");
}

std::string to_toml(const TrainConfig& c) {
  toml::table t;
  for (const Field& f : fields()) f.write(c, t);
  std::ostringstream os;
  os << "# mish train: the resolved configuration of this run\n" << t << "\n";
  return os.str();
}

void parse_config(const std::string& text, const std::string& source, TrainConfig& c) {
  toml::table t = parse_toml(text, source);
  for (const auto& [key, node] : t) {
    const auto it = std::find_if(fields().begin(), fields().end(), [&](const Field& f) { return key.str() == f.key; });
    if (it == fields().end()) {
      bad(source + ": unknown key '" + std::string(key.str()) + "' (keys are the long flag names with _ for -)");
    }
    try {
      it->read(node, c);
    } catch (const std::invalid_argument& e) {
      bad(source + ": " + e.what());
    }
  }
}

void write_atomically(const std::string& path, const std::string& text) {
  // a name of its own per writer: sweep shards on other machines may rewrite
  // the same file (results.csv) at the same moment
  static std::atomic<unsigned> serial{0};
  char host[64] = "";
  ::gethostname(host, sizeof host - 1);
  const std::string tmp = path + ".tmp." + host + "." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::error_code ignore;
      fs::remove(tmp, ignore);
      throw std::runtime_error("cannot write " + tmp + " (disk full or no permission?)");
    }
  }
  fs::rename(tmp, path);
}

TensorSplits load_tensors(const TrainConfig& c) {
  return to_tensors(load(c.dataset, c.data_dir), c.limit_train, c.limit_test);
}

InputShape input_shape(const TensorSplits& data) {
  return {data.train.x.size(1), data.train.x.size(2), data.train.x.size(3), data.num_classes};
}

std::shared_ptr<Model> build_model(const TrainConfig& c, const InputShape& in) {
  ModelOptions mo;
  mo.model = c.model;
  mo.activation = c.activation;
  mo.depth = c.depth;
  mo.width = c.width;
  mo.batch_norm = c.batch_norm;
  mo.dropout = c.dropout;
  auto model = make_model(mo, in);
  initialise(*model, c.init, c.seed ^ 0x5eedull);
  return model;
}

SavedRun load_saved_run(const std::string& run_dir) {
  const fs::path dir(run_dir);
  std::ifstream f(dir / "config.toml");
  if (!f) throw std::runtime_error(run_dir + " has no config.toml: not a run directory");
  std::stringstream text;
  text << f.rdbuf();
  SavedRun r;
  parse_config(text.str(), (dir / "config.toml").string(), r.config);
  if (!fs::exists(dir / "model.pt")) {
    throw std::runtime_error(run_dir + " has no model.pt: train it with save_model = true (--save-model)");
  }
  r.data = load_tensors(r.config);
  r.model = build_model(r.config, input_shape(r.data));
  torch::serialize::InputArchive archive;
  archive.load_from((dir / "model.pt").string());
  r.model->load(archive);
  r.model->eval();
  return r;
}

RunResult train(const TrainConfig& c, const Progress& progress, const std::string& run_dir,
                const DistributedOptions* dist) {
  RunResult r;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const bool parallel = dist && dist->env.world > 1;
  const bool lead = !parallel || dist->env.rank == 0;  // the rank that writes the run directory
  const int per_machine = parallel ? std::max(1, dist->env.local_world) : 1;
  const int threads =
      c.threads > 0 ? c.threads
                    : std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) / per_machine);
  if (lead) {
    if (run_dir.empty()) {
      r.run_dir = make_run_dir(c);
    } else {
      fs::create_directories(run_dir);
      for (const auto& e : fs::directory_iterator(run_dir)) fs::remove_all(e.path());
      r.run_dir = run_dir;
    }
  }
  const fs::path dir(r.run_dir);
  auto save = [&](const char* name, const std::string& text) {
    if (lead) write_atomically((dir / name).string(), text);
  };
  save("config.toml", to_toml(c));
  auto finish = [&](const std::string& status, const std::string& message) {
    r.status = status;
    r.message = message;
    r.seconds = elapsed();
    save("metrics.csv", csv(r.epochs));
    save("result.json", result_json(c, r, threads, parallel ? dist->env.world : 1).dump(2) + "\n");
    return r;
  };
  try {
    validate(c);
    at::set_num_threads(threads);
    torch::manual_seed(c.seed);
    std::unique_ptr<ProcessGroup> group;
    if (parallel) group = std::make_unique<ProcessGroup>(dist->env, dist->timeout);
    const TensorSplits data = load_tensors(c);
    auto model = build_model(c, input_shape(data));
    if (group) {  // the same seed gives the same weights; rank 0's are made the truth anyway
      torch::NoGradGuard no_grad;
      for (auto& t : model->parameters()) group->broadcast(t);
      for (auto& t : model->buffers()) group->broadcast(t);
    }
    auto opt = make_optimizer(c, model->parameters());
    BatchOptions train_opt, test_opt;
    train_opt.batch_size = c.batch_size;
    train_opt.augment = c.augment;
    train_opt.noise_std = c.noise_on != "test" ? c.noise_std : 0;
    test_opt.batch_size = std::max<int64_t>(c.batch_size, 512);
    test_opt.shuffle = false;
    test_opt.noise_std = c.noise_on != "train" ? c.noise_std : 0;
    if (group) {
      train_opt.rank = test_opt.rank = group->rank();
      train_opt.world = test_opt.world = group->world();
    }
    const std::vector<torch::Tensor> params = model->parameters();
    for (int epoch = 1; epoch <= c.epochs; ++epoch) {
      const auto e0 = std::chrono::steady_clock::now();
      EpochMetrics m;
      m.epoch = epoch;
      m.lr = lr_at(c, epoch - 1);
      for (auto& g : opt->param_groups()) g.options().set_lr(m.lr);
      model->train();
      const Batches batches(data.train, train_opt, c.seed, epoch);
      double loss_sum = 0;
      int64_t correct = 0, seen = 0;
      for (int64_t b = 0; b < batches.count(); ++b) {
        auto [x, y] = batches.get(b);
        const int64_t global = batches.global_size(b);
        std::optional<ShardScope> shard;
        if (group) shard.emplace(ShardContext{group.get(), global, batches.offset(b)});
        opt->zero_grad();
        const torch::Tensor out = model->forward(x);
        // data-parallel: this rank's share of the global batch's mean loss
        const torch::Tensor loss =
            group ? torch::nn::functional::cross_entropy(
                        out, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)) /
                        static_cast<double>(global)
                  : torch::nn::functional::cross_entropy(out, y);
        loss.backward();
        double batch_loss = loss.item<double>() * static_cast<double>(global);  // summed over the batch
        int64_t batch_correct = out.argmax(1).eq(y).sum().item<int64_t>();
        if (group) {  // one all-reduce per step: every gradient, the loss and the correct count
          std::vector<torch::Tensor> parts;
          for (const auto& p : params) parts.push_back(p.grad().defined() ? p.grad().flatten() : torch::zeros({p.numel()}));
          parts.push_back(torch::tensor({batch_loss, static_cast<double>(batch_correct)}, torch::kFloat));
          torch::Tensor flat = torch::cat(parts);
          group->sum(flat);
          int64_t at = 0;
          for (const auto& p : params) {
            if (p.grad().defined()) p.grad().copy_(flat.slice(0, at, at + p.numel()).view_as(p));
            at += p.numel();
          }
          batch_loss = flat[at].item<double>();
          batch_correct = static_cast<int64_t>(std::llround(flat[at + 1].item<double>()));
        }
        const double l = batch_loss / static_cast<double>(global);
        if (!std::isfinite(l)) {
          r.epochs.push_back(m);
          r.epochs.back().train_loss = l;
          return finish("diverged", "the training loss became " + std::string(std::isnan(l) ? "NaN" : "infinite") +
                                        " in epoch " + std::to_string(epoch) + ", batch " + std::to_string(b + 1) +
                                        " (try a smaller lr)");
        }
        opt->step();
        loss_sum += batch_loss;
        correct += batch_correct;
        seen += global;
        if (progress.on_batch) {
          progress.on_batch(epoch, b + 1, batches.count(), loss_sum / static_cast<double>(seen),
                            static_cast<double>(correct) / static_cast<double>(seen));
        }
      }
      m.train_loss = loss_sum / static_cast<double>(std::max<int64_t>(seen, 1));
      m.train_acc = static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(seen, 1));
      // evaluation (each rank its rows of every test batch, summed over the ranks)
      model->eval();
      torch::NoGradGuard no_grad;
      const Batches test(data.test, test_opt, c.seed ^ 0x7e57ull, epoch);
      double tl = 0;
      int64_t tc = 0, tn = 0;
      for (int64_t b = 0; b < test.count(); ++b) {
        auto [x, y] = test.get(b);
        const torch::Tensor out = model->forward(x);
        tl += torch::nn::functional::cross_entropy(out, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(
                                                               torch::kSum))
                  .item<double>();
        tc += out.argmax(1).eq(y).sum().item<int64_t>();
        tn += y.size(0);
      }
      if (group) {
        torch::Tensor sums = torch::tensor({tl, static_cast<double>(tc), static_cast<double>(tn)}, torch::kDouble);
        group->sum(sums);
        tl = sums[0].item<double>();
        tc = static_cast<int64_t>(std::llround(sums[1].item<double>()));
        tn = static_cast<int64_t>(std::llround(sums[2].item<double>()));
      }
      m.test_loss = tn ? tl / static_cast<double>(tn) : 0;
      m.test_acc = tn ? static_cast<double>(tc) / static_cast<double>(tn) : 0;
      m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
      r.epochs.push_back(m);
      r.test_accuracy = m.test_acc;
      r.test_loss = m.test_loss;
      r.best_test_accuracy = std::max(r.best_test_accuracy, m.test_acc);
      save("metrics.csv", csv(r.epochs));
      if (progress.on_epoch) progress.on_epoch(m);
      if (!std::isfinite(m.test_loss)) {
        return finish("diverged", "the test loss became non-finite after epoch " + std::to_string(epoch));
      }
    }
    if (c.save_model && lead) {
      torch::serialize::OutputArchive archive;
      model->save(archive);
      const std::string tmp = (dir / "model.pt.tmp").string();
      archive.save_to(tmp);
      fs::rename(tmp, dir / "model.pt");
    }
    return finish("ok", "");
  } catch (const c10::Error& e) {
    return finish("failed", e.what_without_backtrace());
  } catch (const std::exception& e) {
    return finish("failed", e.what());
  }
}

}  // namespace mish::lab
