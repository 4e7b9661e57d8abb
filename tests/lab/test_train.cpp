// Training runs end to end on a small subset of the real Fashion-MNIST:
// learning, the run directory's files, determinism, divergence, configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sweeps.hpp"
#include "train.hpp"

namespace {

namespace fs = std::filesystem;
using mish::lab::TrainConfig;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Train : public ::testing::Test {
 protected:
  void SetUp() override {
    out = fs::temp_directory_path() /
          ("mish_test_train_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(out);
  }
  void TearDown() override { fs::remove_all(out); }
  TrainConfig small() const {
    TrainConfig c;
    c.model = "mlp";
    c.depth = 2;
    c.width = 64;
    c.epochs = 2;
    c.limit_train = 3000;
    c.limit_test = 1000;
    c.lr = 0.05;
    c.threads = 1;
    c.seed = 11;
    c.out = out.string();
    return c;
  }
  fs::path out;
};

TEST_F(Train, LearnsAndWritesTheRunDirectory) {
  const auto r = mish::lab::train(small());
  ASSERT_EQ(r.status, "ok") << r.message;
  EXPECT_GT(r.test_accuracy, 0.6);  // chance is 0.1
  const fs::path dir(r.run_dir);
  EXPECT_EQ(dir.parent_path(), out);
  const auto j = nlohmann::json::parse(slurp(dir / "result.json"));
  for (const char* key : {"status", "test_accuracy", "test_loss", "best_test_accuracy", "epochs", "seconds", "seed",
                          "activation", "model", "dataset", "versions"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["status"], "ok");
  EXPECT_DOUBLE_EQ(j["test_accuracy"].get<double>(), r.test_accuracy);
  EXPECT_EQ(j["epochs"], 2);
  const std::string csv = slurp(dir / "metrics.csv");
  EXPECT_EQ(csv.rfind("epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  // config.toml reads back into the same configuration
  TrainConfig back;
  mish::lab::parse_config(slurp(dir / "config.toml"), "config.toml", back);
  EXPECT_EQ(mish::lab::to_toml(back), mish::lab::to_toml(small()));
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();  // no temporary left
  }
  // a second run never overwrites the first
  const auto r2 = mish::lab::train(small());
  EXPECT_NE(r2.run_dir, r.run_dir);
  EXPECT_TRUE(fs::exists(dir / "result.json"));
}

TEST_F(Train, SameSeedAndThreadsGiveIdenticalMetrics) {
  const auto a = mish::lab::train(small()), b = mish::lab::train(small());
  ASSERT_EQ(a.status, "ok");
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss);
    EXPECT_EQ(a.epochs[i].test_loss, b.epochs[i].test_loss);
    EXPECT_EQ(a.epochs[i].test_acc, b.epochs[i].test_acc);
  }
  TrainConfig other = small();
  other.seed = 12;
  EXPECT_NE(mish::lab::train(other).epochs[0].train_loss, a.epochs[0].train_loss);
}

TEST_F(Train, DivergenceIsAResultNotACrash) {
  TrainConfig c = small();
  c.batch_norm = false;
  c.lr = 1e6;
  c.momentum = 0.99;
  const auto r = mish::lab::train(c);
  EXPECT_EQ(r.status, "diverged");
  EXPECT_NE(r.message.find("try a smaller lr"), std::string::npos) << r.message;
  const auto j = nlohmann::json::parse(slurp(fs::path(r.run_dir) / "result.json"));
  EXPECT_EQ(j["status"], "diverged");
}

TEST_F(Train, FailuresAreRecordedWithTheirReason) {
  TrainConfig c = small();
  c.dataset = "mnist";
  c.data_dir = (out / "nowhere").string();
  const auto r = mish::lab::train(c);
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.message.find("does not exist"), std::string::npos) << r.message;
  EXPECT_EQ(nlohmann::json::parse(slurp(fs::path(r.run_dir) / "result.json"))["status"], "failed");
}

TEST(Config, ValidationNamesTheField) {
  auto message = [](TrainConfig c) {
    try {
      mish::lab::validate(c);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("valid");
  };
  TrainConfig c;
  EXPECT_EQ(message(c), "valid");
  c.lr = -1;
  EXPECT_NE(message(c).find("lr must be a positive number"), std::string::npos);
  c = TrainConfig{};
  c.activation = "mosh";
  EXPECT_NE(message(c).find("unknown activation 'mosh'"), std::string::npos);
  c = TrainConfig{};
  c.schedule = "multistep";
  EXPECT_NE(message(c).find("needs milestones"), std::string::npos);
  c = TrainConfig{};
  c.noise_on = "sometimes";
  EXPECT_NE(message(c).find("noise_on must be train, test or both"), std::string::npos);
  c = TrainConfig{};
  c.model = "vgg";
  EXPECT_NE(message(c).find("model 'vgg' is unknown"), std::string::npos);
}

TEST(Config, TomlReadsKnownKeysAndRefusesTypos) {
  TrainConfig c;
  mish::lab::parse_config("model = 'cnn'\nepochs = 3\nlr = 0.1\nmilestones = [1, 2]\naugment = true\n", "a.toml", c);
  EXPECT_EQ(c.model, "cnn");
  EXPECT_EQ(c.epochs, 3);
  EXPECT_DOUBLE_EQ(c.lr, 0.1);
  EXPECT_EQ(c.milestones, (std::vector<int>{1, 2}));
  EXPECT_TRUE(c.augment);
  auto message = [](const std::string& text) {
    TrainConfig t;
    try {
      mish::lab::parse_config(text, "b.toml", t);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("parsed");
  };
  EXPECT_NE(message("epocs = 3").find("b.toml: unknown key 'epocs'"), std::string::npos);
  EXPECT_NE(message("epochs = 'three'").find("epochs must be an integer"), std::string::npos);
  EXPECT_NE(message("epochs = ").find("b.toml:1:"), std::string::npos);
  EXPECT_NE(message("milestones = 3").find("milestones must be an array"), std::string::npos);
}

TEST(Sweep, GridExpandsToNamedRuns) {
  const auto runs = mish::lab::expand_sweep(
      "model = 'mlp'\nepochs = 2\n[grid]\nactivation = ['mish', 'swish:beta=1.5']\nseed = [1, 2, 3]\n", "s.toml");
  ASSERT_EQ(runs.size(), 6u);
  EXPECT_EQ(runs[0].name, "activation=mish,seed=1");
  EXPECT_EQ(runs[1].name, "activation=swish:beta=1.5,seed=1");
  EXPECT_EQ(runs[5].name, "activation=swish:beta=1.5,seed=3");
  EXPECT_EQ(runs[5].config.activation, "swish:beta=1.5");
  EXPECT_EQ(runs[5].config.seed, 3u);
  EXPECT_EQ(runs[5].config.model, "mlp");
  EXPECT_EQ(runs[5].config.epochs, 2);
  EXPECT_EQ(mish::lab::expand_sweep("epochs = 1\n", "s.toml").at(0).name, "base");
  auto message = [](const std::string& text) {
    try {
      mish::lab::expand_sweep(text, "s.toml");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("expanded");
  };
  EXPECT_NE(message("[grid]\nseed = 3\n").find("grid.seed must be a non-empty array"), std::string::npos);
  EXPECT_NE(message("[grid]\nseeds = [1]\n").find("unknown key 'seeds'"), std::string::npos);
  EXPECT_NE(message("out = 'x'\n").find("'out' is chosen by the sweep"), std::string::npos);
  EXPECT_NE(message("[grid]\nlr = [0.1, -1]\n").find("lr must be a positive number (run lr=-1)"), std::string::npos);
}

}  // namespace
