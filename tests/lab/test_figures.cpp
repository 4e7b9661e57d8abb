// The function figures: real PNG / SVG files, and fig4's claim measured.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "figures.hpp"

namespace {

namespace fs = std::filesystem;

std::string head(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string s(n, '\0');
  f.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

void expect_figure(const std::string& path) {
  ASSERT_TRUE(fs::exists(path)) << path;
  EXPECT_GT(fs::file_size(path), 1000u) << path;
  if (path.size() > 4 && path.substr(path.size() - 4) == ".png") {
    EXPECT_EQ(head(path, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  } else {
    EXPECT_NE(head(path, 4096).find("<svg"), std::string::npos) << path;
  }
}

class Figures : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("mish_test_figures_" + std::to_string(::getpid()));  // ctest runs tests in parallel
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(Figures, FunctionsAndDerivativesAreDrawn) {
  const auto f1 = mish::lab::fig1_functions(dir.string());
  const auto f3 = mish::lab::fig3_derivatives(dir.string());
  EXPECT_EQ(f1.size(), 2u);
  EXPECT_EQ(f3.size(), 4u);
  for (const auto& f : f1) expect_figure(f);
  for (const auto& f : f3) expect_figure(f);
  // the data behind fig1 hold every activation's curve
  std::ifstream dat(dir / "fig1_functions.dat");
  std::stringstream ss;
  ss << dat.rdbuf();
  for (const auto& a : mish::lab::figure_activations()) EXPECT_NE(ss.str().find("# " + a + "\n"), std::string::npos);
}

TEST(Landscape, ReluIsSharperThanMish) {
  // the paper's Fig. 4: the same untrained network, only the activation
  // differs. (Total variation scaled to the range does not show it: ReLU's
  // landscape is flat where the last ReLU clips and scores lower; the kinks
  // are what the eye sees, and what kink_sharpness measures.)
  const int n = 200;
  const double relu = mish::lab::kink_sharpness(mish::lab::output_landscape("relu", n), n);
  const double mish_s = mish::lab::kink_sharpness(mish::lab::output_landscape("mish", n), n);
  const double swish = mish::lab::kink_sharpness(mish::lab::output_landscape("swish", n), n);
  RecordProperty("sharpness_relu", std::to_string(relu));
  RecordProperty("sharpness_swish", std::to_string(swish));
  RecordProperty("sharpness_mish", std::to_string(mish_s));
  EXPECT_GT(relu, 5 * mish_s) << "relu " << relu << " mish " << mish_s;
  EXPECT_GT(relu, 5 * swish) << "relu " << relu << " swish " << swish;
  EXPECT_GT(mish_s, 0);
}

TEST(Landscape, KinkSharpnessOfKnownImages) {
  const int n = 100;
  std::vector<double> smooth, kink;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const double x = c / 10.0 - 5;
      smooth.push_back(std::log1p(std::exp(x)));  // softplus: smooth
      kink.push_back(std::max(x, 0.0));           // relu: one kink line
    }
  }
  EXPECT_GT(mish::lab::kink_sharpness(kink, n), 10 * mish::lab::kink_sharpness(smooth, n));
  EXPECT_TRUE(std::isnan(mish::lab::kink_sharpness(std::vector<double>(16, 3.0), 4)));  // flat: undefined
}

TEST(Landscape, TotalVariationOfKnownImages) {
  EXPECT_EQ(mish::lab::total_variation(std::vector<double>(16, 3.0), 4), 0.0);
  // a vertical edge in a 4x4 image: 4 of the 24 neighbour pairs differ by the full range
  std::vector<double> edge(16, 0.0);
  for (int r = 0; r < 4; ++r) edge[static_cast<size_t>(r * 4 + 2)] = edge[static_cast<size_t>(r * 4 + 3)] = 1.0;
  EXPECT_DOUBLE_EQ(mish::lab::total_variation(edge, 4), 4.0 / 24.0);
}

TEST_F(Figures, LandscapeFigure) {
  std::vector<double> tv;
  const auto files = mish::lab::fig4_landscapes(dir.string(), {"relu", "swish", "mish"}, 64, &tv);
  for (const auto& f : files) expect_figure(f);
  ASSERT_EQ(tv.size(), 3u);
}

TEST_F(Figures, ErrorBarsBarsAndSurfaces) {
  const std::string lines = (dir / "lines").string(), bars = (dir / "bars").string(), surf = (dir / "surface").string();
  mish::lab::line_plot(lines, "with error bars", "x", "y",
                       {{"a", {1, 2, 3}, {10, 20, 15}, {1, 2, 1}}, {"b_c", {1, 2, 3}, {5, 6, 7}, {}}});
  mish::lab::bar_plot(bars, "bars", "y", {"he_normal", "orthogonal"},
                      {{"mish", {}, {70, 72}, {1, 0.5}}, {"swish", {}, {69, 71}, {0.7, 0.2}}});
  std::vector<double> z;
  for (int r = 0; r < 11; ++r) {
    for (int c = 0; c < 11; ++c) z.push_back((r - 5) * (r - 5) + (c - 5) * (c - 5));
  }
  mish::lab::contour_surface_plot(surf, "bowl", z, 11, 1.0, "loss");
  for (const auto& base : {lines, bars, surf}) {
    expect_figure(base + ".png");
    expect_figure(base + ".svg");
  }
  // the error column and the category names reach the data files
  std::ifstream l(lines + ".dat"), b(bars + ".dat");
  std::stringstream ls, bs;
  ls << l.rdbuf();
  bs << b.rdbuf();
  EXPECT_NE(ls.str().find("2 20 2\n"), std::string::npos) << ls.str();
  EXPECT_NE(bs.str().find("\"orthogonal\" 72 0.5 71 0.2"), std::string::npos) << bs.str();
}

}  // namespace
