// The experiments' presets, the loss landscape, reproduce's bookkeeping and
// the report: every figure and table it claims is there, the statistics are
// the stats library's, the paper's numbers sit beside ours, and missing or
// failed runs are said, not hidden.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "experiments.hpp"
#include "figures.hpp"
#include "landscape.hpp"
#include "models.hpp"
#include "report.hpp"
#include "stats.hpp"
#include "sweeps.hpp"
#include "train.hpp"

namespace {

namespace fs = std::filesystem;
using mish::lab::expand_sweep;
using mish::lab::sweep_file;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> training_ids() {
  std::vector<std::string> ids;
  for (const auto& e : mish::lab::experiments()) {
    if (e.trains) ids.push_back(e.id);
  }
  return ids;
}

TEST(Presets, EveryTrainingExperimentHasBothPresets) {
  for (const auto& id : training_ids()) {
    for (const char* preset : {"quick", "paper"}) {
      const auto runs = expand_sweep(sweep_file(id, preset), id);
      ASSERT_FALSE(runs.empty()) << id << " " << preset;
      for (const auto& r : runs) {
        // quick runs use a slice of the data; paper runs all of it
        if (std::string(preset) == "quick") {
          EXPECT_GT(r.config.limit_train, 0) << id;
        } else {
          EXPECT_EQ(r.config.limit_train, 0) << id;
        }
      }
    }
  }
}

TEST(Presets, PaperSettingsAreThePapers) {
  const auto fig6a = expand_sweep(sweep_file("fig6a", "paper"), "fig6a");
  std::set<int> depths;
  for (const auto& r : fig6a) {
    EXPECT_EQ(r.config.model, "depth");
    EXPECT_EQ(r.config.optimizer, "sgd");
    EXPECT_DOUBLE_EQ(r.config.lr, 0.01);
    EXPECT_DOUBLE_EQ(r.config.momentum, 0.0);
    EXPECT_EQ(r.config.batch_size, 128);
    EXPECT_EQ(r.config.epochs, 10);
    depths.insert(r.config.depth);
  }
  EXPECT_EQ(depths, (std::set<int>{12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22}));  // 15..25 layers
  const auto table1 = expand_sweep(sweep_file("table1", "paper"), "table1");
  EXPECT_EQ(table1.size(), 16u * 23u);  // 16 activations, 23 seeds
  for (const auto& r : table1) {
    EXPECT_EQ(r.config.model, "squeezenet");
    EXPECT_EQ(r.config.optimizer, "adam");
    EXPECT_DOUBLE_EQ(r.config.lr, 1e-3);
    EXPECT_EQ(r.config.epochs, 50);
  }
  const auto quick = mish::lab::quick_default();
  EXPECT_EQ(quick, (std::vector<std::string>{"fig1", "fig3", "fig4", "fig6a", "table1"}));
}

TEST(Presets, OverridesAndSeeds) {
  const auto runs = expand_sweep(sweep_file("table1", "quick", {{"epochs", "1"}, {"dataset", "cifar10"}}, 2), "t");
  EXPECT_EQ(runs.size(), 6u * 2u);
  std::set<uint64_t> seeds;
  for (const auto& r : runs) {
    EXPECT_EQ(r.config.epochs, 1);
    EXPECT_EQ(r.config.dataset, "cifar10");
    seeds.insert(r.config.seed);
  }
  EXPECT_EQ(seeds, (std::set<uint64_t>{1, 2}));
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([] { sweep_file("table1", "quick", {{"activation", "relu"}}); }).find("grid axis"),
            std::string::npos);
  EXPECT_NE(message([] { sweep_file("table1", "quick", {{"epochz", "1"}}); }).find("unknown key 'epochz'"),
            std::string::npos);
  EXPECT_NE(message([] { sweep_file("table1", "quick", {{"seed", "3"}}); }).find("--seeds"), std::string::npos);
  EXPECT_NE(message([] { sweep_file("table1", "quick", {{"epochs", "0"}}); }).find("epochs must be >= 1"),
            std::string::npos);
  EXPECT_NE(message([] { sweep_file("table1", "slow"); }).find("quick or paper"), std::string::npos);
  EXPECT_NE(message([] { sweep_file("fig1", "quick"); }).find("does not train"), std::string::npos);
  EXPECT_NE(message([] { mish::lab::experiment("fig7"); }).find("choose from fig1"), std::string::npos);
}

TEST(Sweep, ComposedFromFlags) {
  const std::string text = mish::lab::compose_sweep("model = \"mlp\"\nepochs = 5\n", "f.toml", {{"epochs", "2"}},
                                                    {{"activation", "mish,swish:beta=1.5"}, {"seed", "1,2,3"}});
  const auto runs = expand_sweep(text, "f.toml");
  ASSERT_EQ(runs.size(), 6u);
  std::set<std::string> acts;
  std::set<uint64_t> seeds;
  for (const auto& r : runs) {
    EXPECT_EQ(r.config.model, "mlp");
    EXPECT_EQ(r.config.epochs, 2);  // --set overrides the file
    acts.insert(r.config.activation);
    seeds.insert(r.config.seed);
  }
  EXPECT_EQ(acts, (std::set<std::string>{"mish", "swish:beta=1.5"}));
  EXPECT_EQ(seeds, (std::set<uint64_t>{1, 2, 3}));
  EXPECT_THROW(mish::lab::compose_sweep("", "cli", {{"seed", "4"}}, {{"seed", "1,2"}}), std::invalid_argument);
  EXPECT_THROW(mish::lab::compose_sweep("", "cli", {}, {{"seed", ""}}), std::invalid_argument);
  EXPECT_THROW(mish::lab::compose_sweep("grid = 3\n", "f.toml", {}, {{"seed", "1"}}), std::invalid_argument);
}

// ---------------------------------------------------------------------------

TEST(LossLandscape, DirectionsAreFilterNormalised) {
  torch::manual_seed(3);
  const torch::Tensor w = torch::randn({4, 3, 2, 2}) * torch::arange(1, 5).reshape({4, 1, 1, 1});
  torch::Generator g = mish::lab::make_generator(1, 0, 7);
  const torch::Tensor d = mish::lab::filter_normalised_direction(w, g);
  ASSERT_EQ(d.sizes(), w.sizes());
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(d[i].norm().item<double>(), w[i].norm().item<double>(), 1e-5 * w[i].norm().item<double>());
  }
  EXPECT_FALSE(torch::allclose(d, w));
  torch::Generator g2 = mish::lab::make_generator(1, 0, 7);
  EXPECT_TRUE(torch::equal(mish::lab::filter_normalised_direction(w, g2), d));  // same seed, same direction
  torch::Generator g3 = mish::lab::make_generator(1, 0, 7);
  EXPECT_TRUE(torch::equal(mish::lab::filter_normalised_direction(torch::ones({5}), g3), torch::zeros({5})));
}

TEST(LossLandscape, CentreIsTheTrainedLossAndWeightsAreRestored) {
  torch::manual_seed(0);
  mish::lab::ModelOptions mo;
  mo.model = "mlp";
  mo.depth = 1;
  mo.width = 16;
  auto model = mish::lab::make_model(mo, {1, 28, 28, 10});
  mish::lab::TensorSet data{torch::randn({64, 1, 28, 28}), torch::randint(0, 10, {64}, torch::kLong)};
  std::vector<torch::Tensor> before;
  for (const auto& p : model->parameters()) before.push_back(p.detach().clone());
  const auto l = mish::lab::loss_landscape(*model, data, 5, 1.0, 48, 11);
  ASSERT_EQ(l.loss.size(), 25u);
  const auto params = model->parameters();
  for (size_t k = 0; k < params.size(); ++k) EXPECT_TRUE(torch::equal(params[k], before[k]));
  model->eval();
  torch::NoGradGuard ng;
  const double direct =
      torch::nn::functional::cross_entropy(model->forward(data.x.narrow(0, 0, 48)), data.y.narrow(0, 0, 48))
          .item<double>();
  EXPECT_NEAR(l.centre, direct, 1e-5);
  EXPECT_NEAR(l.loss[12], l.centre, 1e-9);  // the middle of a 5 x 5 grid is (0, 0)
  EXPECT_GT(*std::max_element(l.loss.begin(), l.loss.end()), l.centre);  // moving changes the loss
  const auto again = mish::lab::loss_landscape(*model, data, 5, 1.0, 48, 11);
  EXPECT_EQ(again.loss, l.loss);
  EXPECT_THROW(mish::lab::loss_landscape(*model, data, 1, 1.0, 48, 11), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Reports of fabricated results: no training, exact expectations.

class Report : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("mish_test_report_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "figures");
  }
  void TearDown() override { fs::remove_all(dir); }

  // Writes the runs of experiment id's quick sweep with acc(run) as the test
  // accuracy; status "skip" leaves a run without a result.
  void fabricate(const std::string& id,
                 const std::function<std::pair<std::string, double>(const mish::lab::SweepRun&)>& acc) {
    const fs::path s = dir / "sweeps" / id;
    fs::create_directories(s / "runs");
    const std::string text = sweep_file(id, "quick");
    mish::lab::write_atomically((s / "sweep.toml").string(), text);
    for (const auto& r : expand_sweep(text, id)) {
      const auto [status, a] = acc(r);
      const fs::path rd = s / "runs" / r.name;
      fs::create_directories(rd);
      std::ofstream m(rd / "metrics.csv");
      m << "epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds\n";
      m << "1,1.5,0.5,1.4," << a - 0.1 << ",0.01,1\n2,1.0,0.6,0.9," << a << ",0.01,1\n";
      if (status == "skip") continue;
      nlohmann::json j = {{"status", status}, {"test_accuracy", a}, {"test_loss", 1 - a}};
      std::ofstream(rd / "result.json") << j.dump();
    }
  }
  fs::path dir;
};

double fake_acc(const mish::lab::SweepRun& r) {
  double a = 0.80 + 0.01 * static_cast<double>(r.config.seed);
  if (r.config.activation == "mish") a += 0.10;
  if (r.config.activation == "swish") a += 0.05;
  return a;
}

TEST_F(Report, HasEveryFigureAndTableItClaims) {
  // the function figures for real, through reproduce (no training needed)
  mish::lab::ReproduceOptions o;
  o.out = dir.string();
  o.only = {"fig1", "fig3", "fig4"};
  std::string log;
  ASSERT_EQ(mish::lab::reproduce(o, [&](const std::string& l) { log += l + "\n"; }), 0) << log;
  // the training experiments from fabricated runs
  for (const auto& id : training_ids()) {
    fabricate(id, [&](const mish::lab::SweepRun& r) -> std::pair<std::string, double> {
      if (id == "table2" && r.name == "activation=relu,model=cnn,seed=2") return {"skip", 0};
      if (id == "fig6a" && r.name == "activation=relu,depth=22,seed=1") return {"diverged", 0};
      return {"ok", fake_acc(r)};
    });
  }
  std::vector<double> bowl;
  for (int i = 0; i < 9; ++i) bowl.push_back((i / 3 - 1) * (i / 3 - 1) + (i % 3 - 1) * (i % 3 - 1));
  nlohmann::json fig5 = {{"size", 3}, {"range", 1.0}};
  for (const char* a : {"mish", "relu"}) {
    mish::lab::contour_surface_plot((dir / "figures" / (std::string("fig5_") + a)).string(), a, bowl, 3, 1.0, "loss");
    fig5["runs"].push_back({{"activation", a}, {"run", a}, {"status", "ok"}, {"figure", std::string("fig5_") + a},
                            {"samples", 100}, {"centre_loss", 0.5}, {"mean_rise_r0.5", 0.1}, {"mean_rise_r1", 0.2},
                            {"max_loss", 2.0}});
  }
  fig5["runs"].push_back({{"activation", "swish"}, {"run", "swish"}, {"status", "diverged"}, {"message", "NaN loss"}});
  std::ofstream(dir / "figures/fig5.json") << fig5.dump();
  nlohmann::json manifest = nlohmann::json::parse(slurp(dir / "reproduce.json"));
  manifest["experiments"] = nlohmann::json::array();
  for (const auto& e : mish::lab::experiments()) manifest["experiments"].push_back(e.id);
  std::ofstream(dir / "reproduce.json") << manifest.dump();

  const auto files = mish::lab::write_report({dir.string(), "mish"});
  const std::string md = slurp(files.md), html = slurp(files.html);
  std::vector<std::string> all;
  for (const auto& e : mish::lab::experiments()) all.push_back(e.id);
  EXPECT_EQ(files.sections, all);
  for (const auto& id : all) EXPECT_NE(md.find("## " + id + " — "), std::string::npos) << id;

  // every figure exists, is a PNG, is linked from the Markdown and embedded in the HTML
  const std::set<std::string> expected = {
      "figures/fig1_functions.png",         "figures/fig2_functions.png", "figures/fig2_accuracy.png",
      "figures/fig3_first_derivatives.png", "figures/fig3_second_derivatives.png",
      "figures/fig4_output_landscape.png",  "figures/fig5_mish.png",      "figures/fig5_relu.png",
      "figures/fig6a_depth.png",            "figures/fig6b_loss.png",     "figures/fig6b_accuracy.png",
      "figures/fig6c_init.png"};
  EXPECT_EQ(std::set<std::string>(files.figures.begin(), files.figures.end()), expected);
  for (const auto& f : files.figures) {
    ASSERT_TRUE(fs::exists(dir / f)) << f;
    EXPECT_EQ(slurp(dir / f).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << f;
    EXPECT_TRUE(fs::exists(dir / (f.substr(0, f.size() - 4) + ".svg"))) << f;
    EXPECT_NE(md.find("](" + f + ")"), std::string::npos) << f;
  }
  EXPECT_EQ(count(html, "src=\"data:image/png;base64,"), files.figures.size());
  EXPECT_EQ(count(html, "src=\"figures/"), 0u);  // self-contained

  // every table, in both renderings
  EXPECT_EQ(files.tables.size(), 8u);  // fig2, fig4, fig5, fig6a, fig6b, fig6c, table1, table2
  for (const auto& t : files.tables) {
    EXPECT_NE(md.find("**" + t + "**"), std::string::npos) << t;
    EXPECT_NE(html.find("<strong>" + t + "</strong>"), std::string::npos) << t;
  }
  EXPECT_EQ(count(html, "<table>"), files.tables.size());

  // table1's statistics are the stats library's, against Mish
  const std::vector<double> mish_acc = {91, 92, 93}, relu_acc = {81, 82, 83};
  const auto s = mish::lab::summarize(relu_acc);
  const auto c = mish::lab::welch(relu_acc, mish_acc);
  char p[32];
  std::snprintf(p, sizeof p, "%.4f", c.p);
  const std::string relu_row = "| relu | 3 | 82.00 ± 1.00 | ";
  const size_t at = md.find(relu_row, md.find("**table1:"));
  ASSERT_NE(at, std::string::npos) << md;
  const std::string row = md.substr(at, md.find('\n', at) - at);
  char ci[64];
  std::snprintf(ci, sizeof ci, "%.2f – %.2f", s.ci_low, s.ci_high);
  EXPECT_NE(row.find(ci), std::string::npos) << row;
  EXPECT_NE(row.find("| -10.00 | " + std::string(p) + " |"), std::string::npos) << row;
  EXPECT_NE(row.find("86.66 / 4.398 / 0.584"), std::string::npos) << row;  // the paper's ReLU
  EXPECT_NE(md.find("| mish | 3 | 92.00 ± 1.00 |"), std::string::npos);
  EXPECT_NE(md.find("87.48 / 4.130 / 0.397"), std::string::npos);  // the paper's Mish
  EXPECT_NE(md.find("relu: -10.00 points"), std::string::npos);    // named as significant
  EXPECT_NE(md.find("92.02 (ResNet v2-20)"), std::string::npos);
  EXPECT_NE(md.find("The datasets differ"), std::string::npos);

  // what is missing is said
  EXPECT_NE(md.find("17 of 18 runs finished"), std::string::npos);
  EXPECT_NE(md.find("| 1, 1 not run yet |"), std::string::npos);
  EXPECT_NE(md.find("| 22 | relu | 1, 1 diverged |"), std::string::npos);
  // a landscape that could not be drawn is a row that says why
  EXPECT_NE(md.find("| swish | swish | diverged, no landscape |"), std::string::npos) << md;
  EXPECT_NE(md.find("loss on the first 100 training images"), std::string::npos);
}

TEST_F(Report, SweepDirectory) {
  const std::string text = "model = \"mlp\"\nepochs = 1\n[grid]\nactivation = [\"mish\", \"relu\"]\nseed = [1, 2]\n";
  mish::lab::write_atomically((dir / "sweep.toml").string(), text);
  for (const auto& r : expand_sweep(text, "t")) {
    fs::create_directories(dir / "runs" / r.name);
    std::ofstream(dir / "runs" / r.name / "result.json")
        << nlohmann::json{{"status", "ok"}, {"test_accuracy", fake_acc(r)}, {"test_loss", 0.3}}.dump();
  }
  const auto files = mish::lab::write_report({dir.string(), "relu"});
  EXPECT_EQ(files.sections, std::vector<std::string>{"sweep"});
  const std::string md = slurp(files.md);
  EXPECT_NE(md.find("| mish | 2 | 91.50 ± 0.71 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| relu | 2 | 81.50 ± 0.71 |"), std::string::npos) << md;
  EXPECT_NE(md.find("Δ vs relu"), std::string::npos);
  EXPECT_NE(md.find("4 runs, all finished."), std::string::npos);
}

TEST_F(Report, DirectoryWithoutResultsIsAnError) {
  try {
    mish::lab::write_report({(dir / "figures").string(), "mish"});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("holds no results"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "reproduce.json") << "{ not json";
  EXPECT_THROW(mish::lab::write_report({dir.string(), "mish"}), std::runtime_error);
}

TEST_F(Report, BrokenFilesAreSaidNotFatal) {
  // a manifest without most keys, a fig5.json that is not JSON, a sweep with a corrupt result
  std::ofstream(dir / "reproduce.json") << R"({"experiments": ["fig5", "table1", 3]})";
  std::ofstream(dir / "figures/fig5.json") << "{ broken";
  fabricate("fig5", [](const mish::lab::SweepRun& r) -> std::pair<std::string, double> { return {"ok", fake_acc(r)}; });
  fabricate("table1", [](const mish::lab::SweepRun& r) -> std::pair<std::string, double> {
    return {"ok", fake_acc(r)};
  });
  std::ofstream(dir / "sweeps/table1/runs/activation=relu,seed=1/result.json") << "{\"status\": \"ok\", \"test_acc";
  const auto files = mish::lab::write_report({dir.string(), "mish"});
  const std::string md = slurp(files.md);
  EXPECT_EQ(files.sections, (std::vector<std::string>{"fig5", "table1"}));
  EXPECT_NE(md.find("not finished"), std::string::npos);
  EXPECT_NE(md.find("**Could not report this experiment:**"), std::string::npos) << md;
  EXPECT_NE(md.find("17 of 18 runs finished"), std::string::npos) << md;  // the corrupt one counts as not run
  EXPECT_NE(md.find("| relu | 2, 1 not run yet |"), std::string::npos) << md;
}

TEST_F(Report, ResultFilesWithoutTheirKeysNameTheFileAndTheFix) {
  std::ofstream(dir / "reproduce.json") << R"({"experiments": ["fig4", "fig5"]})";
  std::ofstream(dir / "figures/fig4.json") << "{}";
  std::ofstream(dir / "figures/fig5.json") << R"({"size": 3, "range": 1, "runs": [{}]})";
  fabricate("fig5", [](const mish::lab::SweepRun& r) -> std::pair<std::string, double> { return {"ok", fake_acc(r)}; });
  const std::string md = slurp(mish::lab::write_report({dir.string(), "mish"}).md);
  EXPECT_EQ(count(md, "**Could not report this experiment:**"), 2u) << md;
  EXPECT_NE(md.find("fig4.json: no 'activations'; rerun mish reproduce --only fig4 with this --out"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("fig5.json: no 'activation'; rerun mish reproduce --only fig5 with this --out"),
            std::string::npos)
      << md;
}

TEST(RunRecord, WhatAResultFileSays) {
  const fs::path d = fs::temp_directory_path() / ("mish_test_record_" + std::to_string(::getpid()));
  fs::create_directories(d);
  auto with = [&](const std::string& text) {
    std::ofstream(d / "result.json") << text;
    return mish::lab::read_run_record(d.string());
  };
  EXPECT_EQ(mish::lab::read_run_record(d.string()).status, "none");  // no file yet
  auto r = with(R"({"status": "ok", "test_accuracy": 0.9, "test_loss": 0.3, "epochs": 4, "seconds": 2.5})");
  EXPECT_EQ(r.status, "ok");
  EXPECT_TRUE(r.finished());
  EXPECT_EQ(r.test_accuracy, 0.9);
  EXPECT_EQ(r.test_loss, 0.3);
  EXPECT_EQ(r.epochs, 4);
  EXPECT_EQ(r.seconds, 2.5);
  r = with(R"({"status": "ok", "test_accuracy": 0.9})");  // no loss: still a result, the loss unknown
  EXPECT_EQ(r.status, "ok");
  EXPECT_TRUE(std::isnan(r.test_loss));
  r = with(R"({"status": "ok", "test_loss": 0.3})");  // ok without an accuracy is not a result
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.message.find("no finite test_accuracy"), std::string::npos);
  r = with(R"({"status": "ok", "test_accuracy": "high"})");
  EXPECT_EQ(r.status, "failed");
  r = with(R"({"status": "diverged", "message": "NaN loss in epoch 2"})");
  EXPECT_EQ(r.status, "diverged");
  EXPECT_TRUE(r.finished());
  EXPECT_EQ(r.message, "NaN loss in epoch 2");
  r = with(R"({"status": "done"})");
  EXPECT_EQ(r.status, "failed");
  EXPECT_FALSE(r.finished());
  EXPECT_NE(r.message.find("no valid status ('done')"), std::string::npos);
  EXPECT_EQ(with("[1, 2]").status, "failed");
  EXPECT_EQ(with("{\"status\": \"ok\", \"test_acc").status, "none");  // cut off mid-write
  fs::remove_all(d);
}

TEST_F(Report, SaysWhenNothingCouldBeTested) {
  // one seed per activation: means, but no test against the baseline
  const std::string text = "model = \"mlp\"\nepochs = 1\n[grid]\nactivation = [\"mish\", \"relu\"]\nseed = [1]\n";
  mish::lab::write_atomically((dir / "sweep.toml").string(), text);
  for (const auto& r : expand_sweep(text, "t")) {
    fs::create_directories(dir / "runs" / r.name);
    std::ofstream(dir / "runs" / r.name / "result.json")
        << nlohmann::json{{"status", "ok"}, {"test_accuracy", fake_acc(r)}, {"test_loss", 0.3}}.dump();
  }
  const std::string md = slurp(mish::lab::write_report({dir.string(), "relu"}).md);
  EXPECT_NE(md.find("No group could be tested against relu: a test needs at least 2 finished runs"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("No group differs"), std::string::npos) << md;
}

TEST_F(Report, BaselineMustBeAnActivation) {
  const std::string text = "model = \"mlp\"\nepochs = 1\n[grid]\nactivation = [\"mish\"]\n";
  mish::lab::write_atomically((dir / "sweep.toml").string(), text);
  try {
    mish::lab::write_report({dir.string(), "mihs"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--baseline 'mihs' is not an activation"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "report.md"));
}

TEST_F(Report, ReproduceCallsIntoOneDirectoryAddUp) {
  mish::lab::ReproduceOptions o;
  o.out = dir.string();
  std::string log;
  const auto logger = [&](const std::string& l) { log += l + "\n"; };
  o.only = {"fig3"};
  ASSERT_EQ(mish::lab::reproduce(o, logger), 0) << log;
  o.only = {"fig1"};
  ASSERT_EQ(mish::lab::reproduce(o, logger), 0) << log;
  const auto manifest = nlohmann::json::parse(slurp(dir / "reproduce.json"));
  EXPECT_EQ(manifest["experiments"], (nlohmann::json{"fig1", "fig3"})) << manifest.dump();
  EXPECT_EQ(manifest["preset"], "quick");
  EXPECT_TRUE(manifest["settings"].contains("fig1") && manifest["settings"].contains("fig3")) << manifest.dump();
  const auto files = mish::lab::write_report({dir.string(), "mish"});
  EXPECT_EQ(files.sections, (std::vector<std::string>{"fig1", "fig3"}));
}

TEST_F(Report, ReproduceRefusesADirectoryRunWithOtherSettings) {
  // table1 was started with other settings: nothing runs, and the error says what to do
  fs::create_directories(dir / "sweeps/table1");
  std::ofstream(dir / "sweeps/table1/sweep.toml") << "model = \"mlp\"\nepochs = 99\n";
  mish::lab::ReproduceOptions o;
  o.out = dir.string();
  o.only = {"fig1", "table1"};
  try {
    mish::lab::reproduce(o, [](const std::string&) {});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("sweeps/table1 was run with other settings"), std::string::npos) << what;
    EXPECT_NE(what.find("choose another --out"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(dir / "reproduce.json"));
  EXPECT_FALSE(fs::exists(dir / "figures/fig1_functions.png"));
}

TEST_F(Report, SweepTitleWithTrailingSlash) {
  const std::string text = "model = \"mlp\"\nepochs = 1\n[grid]\nactivation = [\"mish\"]\n";
  mish::lab::write_atomically((dir / "sweep.toml").string(), text);
  const std::string md = slurp(mish::lab::write_report({dir.string() + "/", "mish"}).md);
  EXPECT_NE(md.find("# Sweep report: " + dir.filename().string() + "\n"), std::string::npos) << md.substr(0, 200);
}

TEST_F(Report, DryRunWritesNothing) {
  mish::lab::ReproduceOptions o;
  o.out = (dir / "dry").string();
  o.preset = "paper";
  o.dry_run = true;
  std::string log;
  EXPECT_EQ(mish::lab::reproduce(o, [&](const std::string& l) { log += l + "\n"; }), 0);
  EXPECT_FALSE(fs::exists(dir / "dry"));
  for (const auto& e : mish::lab::experiments()) EXPECT_NE(log.find(e.id + ": "), std::string::npos) << e.id;
  EXPECT_NE(log.find("table1: N-seed comparison of many activations on SqueezeNet, 368 training runs"),
            std::string::npos)
      << log;
}

TEST_F(Report, FailedExperimentIsRecordedAndReported) {
  mish::lab::ReproduceOptions o;
  o.out = dir.string();
  o.only = {"table1"};
  o.overrides = {{"data_dir", (dir / "no-such-data").string()}};
  o.seeds = 1;
  o.jobs = 2;
  o.exe = MISH_CLI;
  std::string log;
  EXPECT_EQ(mish::lab::reproduce(o, [&](const std::string& l) { log += l + "\n"; }), 1) << log;
  const auto manifest = nlohmann::json::parse(slurp(dir / "reproduce.json"));
  ASSERT_TRUE(manifest["errors"].contains("table1")) << manifest.dump();
  EXPECT_NE(manifest["errors"]["table1"].get<std::string>().find("6 runs failed"), std::string::npos);
  const std::string md = slurp(dir / "report.md");
  EXPECT_NE(md.find("**This experiment failed:** 6 runs failed"), std::string::npos) << md;
  EXPECT_NE(md.find("| relu | 0, 1 failed |"), std::string::npos) << md;
}

}  // namespace
