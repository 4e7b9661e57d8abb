// The paper's function figures, drawn with gnuplot (Debian's gnuplot-nox) as
// PNG and SVG, with their data beside them:
//   fig1  the activations over [-5, 5] (the paper's Figures 1 and 3)
//   fig3  their first and second derivatives
//   fig4  output landscape of an untrained 5-layer network per activation
// Each writes <dir>/<name>.{png,svg} (and .dat / .gp, so a figure can be
// redrawn or checked). Errors (no gnuplot, unwritable directory) throw
// std::runtime_error saying what to do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mish::lab {

struct Series {
  std::string title;
  std::vector<double> x, y;
  std::vector<double> err;  // optional: error bars (e.g. the std over seeds), one per point
};

// A line plot of series (one .dat block per series) -> base.png and base.svg.
void line_plot(const std::string& base, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series);

// Grouped bars: one group per category, one bar per series (series[k].y[i]
// is category i's value, err its error bar).
void bar_plot(const std::string& base, const std::string& title, const std::string& ylabel,
              const std::vector<std::string>& categories, const std::vector<Series>& series);

// A size x size field z (row-major, rows along y) over [-range, range]^2 as
// a contour map and a surface, side by side (fig5).
void contour_surface_plot(const std::string& base, const std::string& title, const std::vector<double>& z, int size,
                          double range, const std::string& zlabel);

// The activations of fig1 / fig3 (registry specs).
const std::vector<std::string>& figure_activations();

// The paper's variant family (fig2): Mish, Swish and the candidates it was
// chosen from.
const std::vector<std::string>& variant_activations();

// fig1, fig2's function panel and fig3 into dir; return the files written.
std::vector<std::string> fig2_functions(const std::string& dir);
std::vector<std::string> fig1_functions(const std::string& dir);
std::vector<std::string> fig3_derivatives(const std::string& dir);

// The output landscape: Linear(2,64)-act-Linear(64,32)-act-Linear(32,16)-act-
// Linear(16,1)-act, untrained, LibTorch's default init from one seed (so only
// the activation differs), on a size x size grid over [0, 10]^2. Row-major.
std::vector<double> output_landscape(const std::string& activation, int size = 400, uint64_t seed = 0);

// Total variation of an image scaled to [0, 1]: the mean absolute difference
// between neighbours (rows and columns); sharper transitions score higher.
double total_variation(const std::vector<double>& image, int size);

// How sharp the transitions are: the 99.9th percentile of |second
// differences| over the mean |first difference|. Where a function has kinks
// (piecewise-linear ReLU networks) that is O(1); for smooth functions it
// shrinks like 1/size. Scale-free (no normalisation needed). NaN for a flat
// image (no transitions to measure).
double kink_sharpness(const std::vector<double>& image, int size);

// fig4: one grayscale landscape per activation, side by side; returns the
// files written and, in sharpness, each landscape's kink_sharpness.
std::vector<std::string> fig4_landscapes(const std::string& dir, const std::vector<std::string>& activations,
                                         int size, std::vector<double>* sharpness = nullptr);

}  // namespace mish::lab
