#include "figures.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mish/activations.hpp"
#include "models.hpp"
#include "train.hpp"

namespace mish::lab {
namespace {

namespace fs = std::filesystem;

// A gnuplot double-quoted string (backslash escapes; single quotes as is).
std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a gnuplot script twice, for PNG and for SVG.
void draw(const std::string& base, const std::string& body, int width, int height) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    throw std::runtime_error("gnuplot is not installed; install Debian's gnuplot-nox (scripts/setup does)");
  }
  for (const auto& [ext, term] :
       {std::pair<std::string, std::string>{"png", "pngcairo noenhanced font 'sans,10'"}, {"svg", "svg noenhanced"}}) {
    const std::string script = base + "." + ext + ".gp";
    std::ostringstream gp;
    gp << "set terminal " << term << " size " << width << "," << height << "\n"
       << "set output " << quote(base + "." + ext) << "\n"
       << body;
    write_atomically(script, gp.str());
    const std::string cmd = "gnuplot " + shell_quote(script) + " 2> " + shell_quote(base + "." + ext + ".log");
    if (std::system(cmd.c_str()) != 0) {
      throw std::runtime_error("gnuplot failed on " + script + " (see " + base + "." + ext + ".log)");
    }
  }
}

std::vector<double> grid(double lo, double hi, int n) {
  std::vector<double> x(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) x[static_cast<size_t>(i)] = lo + (hi - lo) * i / (n - 1);
  return x;
}

std::vector<double> apply(const std::string& spec, const std::vector<double>& x, bool derivative) {
  std::vector<double> y(x.size());
  const Spec s = Spec::parse(spec);
  if (derivative) {
    const std::vector<double> ones(x.size(), 1.0);
    mish::backward(s, x.data(), ones.data(), y.data(), x.size());
  } else {
    mish::forward(s, x.data(), y.data(), x.size());
  }
  return y;
}

std::vector<std::string> files(const std::string& base) { return {base + ".png", base + ".svg"}; }

}  // namespace

void line_plot(const std::string& base, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series) {
  fs::create_directories(fs::path(base).parent_path());
  std::ostringstream dat;
  dat.precision(10);
  for (const Series& s : series) {
    dat << "# " << s.title << "\n";
    for (size_t i = 0; i < s.x.size(); ++i) {
      dat << s.x[i] << ' ' << s.y[i];
      if (!s.err.empty()) dat << ' ' << s.err[i];
      dat << '\n';
    }
    dat << "\n\n";
  }
  write_atomically(base + ".dat", dat.str());
  std::ostringstream body;
  body << "set title " << quote(title) << "\nset xlabel " << quote(xlabel) << "\nset ylabel " << quote(ylabel)
       << "\nset grid\nset key top left\n";
  const bool bars = std::any_of(series.begin(), series.end(), [](const Series& s) { return !s.err.empty(); });
  if (bars) body << "set key outside right top\nset offsets graph 0.03, graph 0.03, 0, 0\n";  // error bars off the frame
  body << "plot ";
  for (size_t k = 0; k < series.size(); ++k) {
    body << (k ? ", " : "") << quote(base + ".dat") << " index " << k
         << (series[k].err.empty() ? " using 1:2 with lines lw 2" : " using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.6")
         << " title " << quote(series[k].title);
  }
  body << "\n";
  draw(base, body.str(), 800, 560);
}

void bar_plot(const std::string& base, const std::string& title, const std::string& ylabel,
              const std::vector<std::string>& categories, const std::vector<Series>& series) {
  fs::create_directories(fs::path(base).parent_path());
  std::ostringstream dat;
  dat.precision(10);
  dat << "# category";
  for (const Series& s : series) dat << ' ' << s.title << " err";
  dat << '\n';
  for (size_t i = 0; i < categories.size(); ++i) {
    dat << quote(categories[i]);
    for (const Series& s : series) dat << ' ' << s.y[i] << ' ' << (s.err.empty() ? 0.0 : s.err[i]);
    dat << '\n';
  }
  write_atomically(base + ".dat", dat.str());
  std::ostringstream body;
  body << "set title " << quote(title) << "\nset ylabel " << quote(ylabel)
       << "\nset grid ytics\nset key top left\nset style data histogram\n"
       << "set style histogram errorbars gap 2 lw 1\nset style fill solid 0.7 border -1\nset xtics rotate by -30\n"
       << "set auto x\nset yrange [0:*]\nplot ";
  for (size_t k = 0; k < series.size(); ++k) {
    body << (k ? ", " : "") << quote(base + ".dat") << " using " << 2 + 2 * k << ":" << 3 + 2 * k
         << (k ? "" : ":xtic(1)") << " title " << quote(series[k].title);
  }
  body << "\n";
  draw(base, body.str(), 900, 560);
}

void contour_surface_plot(const std::string& base, const std::string& title, const std::vector<double>& z, int size,
                          double range, const std::string& zlabel) {
  fs::create_directories(fs::path(base).parent_path());
  std::ostringstream dat;
  dat.precision(8);
  const auto n = static_cast<size_t>(size);
  for (size_t r = 0; r < n; ++r) {  // gnuplot grid blocks: x, y, z lines, a blank line between rows
    const double y = -range + 2 * range * static_cast<double>(r) / static_cast<double>(n - 1);
    for (size_t c = 0; c < n; ++c) {
      const double x = -range + 2 * range * static_cast<double>(c) / static_cast<double>(n - 1);
      dat << x << ' ' << y << ' ' << z[r * n + c] << '\n';
    }
    dat << '\n';
  }
  write_atomically(base + ".dat", dat.str());
  std::ostringstream body;
  body << "set multiplot layout 1,2 title " << quote(title) << "\n"
       << "set xlabel 'direction 1'\nset ylabel 'direction 2'\n"
       // left: contour lines of the surface seen from above
       << "set view map\nset contour base\nset cntrparam levels 20\nunset surface\nset size ratio -1\nunset key\n"
       << "set title 'contours'\nsplot " << quote(base + ".dat") << " using 1:2:3 with lines lw 1.5 palette\n"
       // right: the surface
       << "set view 55,35\nset surface\nunset contour\nset size noratio\nset pm3d\nset zlabel " << quote(zlabel)
       << " rotate parallel\nset title 'surface'\nsplot " << quote(base + ".dat")
       << " using 1:2:3 with pm3d notitle\nunset multiplot\n";
  draw(base, body.str(), 1100, 500);
}

const std::vector<std::string>& figure_activations() {
  static const std::vector<std::string> a = {"mish", "swish", "relu", "softplus", "gelu", "elu"};
  return a;
}

std::vector<std::string> fig1_functions(const std::string& dir) {
  const std::vector<double> x = grid(-5, 5, 1001);
  std::vector<Series> s;
  for (const auto& a : figure_activations()) s.push_back({a, x, apply(a, x, false), {}});
  const std::string base = (fs::path(dir) / "fig1_functions").string();
  line_plot(base, "Activation functions", "x", "f(x)", s);
  return files(base);
}

const std::vector<std::string>& variant_activations() {
  static const std::vector<std::string> a = {"mish",          "swish",           "tanh_softplus",
                                             "atan_softplus", "x_log1p_tanh_exp", "x_log1p_atan_exp"};
  return a;
}

std::vector<std::string> fig2_functions(const std::string& dir) {
  const std::vector<double> x = grid(-5, 5, 1001);
  std::vector<Series> s;
  for (const auto& a : variant_activations()) s.push_back({a, x, apply(a, x, false), {}});
  const std::string base = (fs::path(dir) / "fig2_functions").string();
  line_plot(base, "The variant family", "x", "f(x)", s);
  return files(base);
}

std::vector<std::string> fig3_derivatives(const std::string& dir) {
  const std::vector<double> x = grid(-5, 5, 1001);
  std::vector<Series> first, second;
  const double h = 1e-4;  // f'' by central differences of the exact f' (error ~1e-8, far below plot resolution)
  for (const auto& a : figure_activations()) {
    first.push_back({a, x, apply(a, x, true), {}});
    std::vector<double> xp(x), xm(x);
    for (auto& v : xp) v += h;
    for (auto& v : xm) v -= h;
    const auto gp = apply(a, xp, true), gm = apply(a, xm, true);
    std::vector<double> g2(x.size());
    for (size_t i = 0; i < x.size(); ++i) g2[i] = (gp[i] - gm[i]) / (2 * h);
    second.push_back({a, x, g2, {}});
  }
  const std::string b1 = (fs::path(dir) / "fig3_first_derivatives").string();
  const std::string b2 = (fs::path(dir) / "fig3_second_derivatives").string();
  line_plot(b1, "First derivatives", "x", "f'(x)", first);
  line_plot(b2, "Second derivatives", "x", "f''(x)", second);
  auto out = files(b1);
  for (auto& f : files(b2)) out.push_back(f);
  return out;
}

std::vector<double> output_landscape(const std::string& activation, int size, uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  torch::nn::Sequential net(torch::nn::Linear(2, 64), make_activation(activation), torch::nn::Linear(64, 32),
                            make_activation(activation), torch::nn::Linear(32, 16), make_activation(activation),
                            torch::nn::Linear(16, 1), make_activation(activation));
  net->to(torch::kFloat64);
  const torch::Tensor axis = torch::linspace(0, 10, size, torch::kFloat64);
  const auto mesh = torch::meshgrid({axis, axis}, "ij");
  const torch::Tensor pts = torch::stack({mesh[0].flatten(), mesh[1].flatten()}, 1);
  const torch::Tensor out = net->forward(pts).flatten().contiguous();
  return std::vector<double>(out.data_ptr<double>(), out.data_ptr<double>() + out.numel());
}

double total_variation(const std::vector<double>& img, int size) {
  const auto [lo, hi] = std::minmax_element(img.begin(), img.end());
  const double range = *hi - *lo;
  if (!(range > 0)) return 0;
  double tv = 0;
  const auto n = static_cast<size_t>(size);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      if (c + 1 < n) tv += std::fabs(img[r * n + c + 1] - img[r * n + c]);
      if (r + 1 < n) tv += std::fabs(img[(r + 1) * n + c] - img[r * n + c]);
    }
  }
  return tv / range / static_cast<double>(2 * n * (n - 1));
}

double kink_sharpness(const std::vector<double>& img, int size) {
  const auto n = static_cast<size_t>(size);
  std::vector<double> second;
  double first = 0;
  size_t nfirst = 0;
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      const double v = img[r * n + c];
      if (c + 1 < n) first += std::fabs(img[r * n + c + 1] - v), ++nfirst;
      if (r + 1 < n) first += std::fabs(img[(r + 1) * n + c] - v), ++nfirst;
      if (c + 2 < n) second.push_back(std::fabs(img[r * n + c + 2] - 2 * img[r * n + c + 1] + v));
      if (r + 2 < n) second.push_back(std::fabs(img[(r + 2) * n + c] - 2 * img[(r + 1) * n + c] + v));
    }
  }
  if (second.empty() || first == 0) return std::numeric_limits<double>::quiet_NaN();  // flat: no transitions
  const auto q = second.begin() + static_cast<std::ptrdiff_t>(second.size() * 999 / 1000);
  std::nth_element(second.begin(), q, second.end());
  return *q / (first / static_cast<double>(nfirst));
}

std::vector<std::string> fig4_landscapes(const std::string& dir, const std::vector<std::string>& activations,
                                         int size, std::vector<double>* tv) {
  fs::create_directories(dir);
  const std::string base = (fs::path(dir) / "fig4_output_landscape").string();
  std::ostringstream body;
  body << "set multiplot layout 1," << activations.size() << "\nunset key\nunset colorbox\nset palette gray\n"
       << "set size ratio -1\nunset xtics\nunset ytics\n";
  if (tv) tv->clear();
  for (size_t k = 0; k < activations.size(); ++k) {
    const auto img = output_landscape(activations[k], size);
    if (tv) tv->push_back(kink_sharpness(img, size));
    std::ostringstream m;
    m.precision(8);
    const auto n = static_cast<size_t>(size);
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < n; ++c) m << (c ? " " : "") << img[r * n + c];
      m << '\n';
    }
    const std::string dat = base + "_" + std::to_string(k) + ".dat";
    write_atomically(dat, m.str());
    body << "set title " << quote(activations[k]) << "\nplot " << quote(dat) << " matrix with image\n";
  }
  body << "unset multiplot\n";
  draw(base, body.str(), 360 * static_cast<int>(activations.size()), 400);
  return files(base);
}

}  // namespace mish::lab
