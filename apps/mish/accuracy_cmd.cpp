// `mish accuracy`: max ULP error per activation, dtype and SIMD target,
// against the long-double reference (proven against MPFR by the tests).
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "mish/activations.hpp"
#include "mish/cuda.h"
#include "sweep.hpp"

namespace mish::cli {
namespace {

struct AccuracyArgs {
  std::vector<std::string> activations;
  std::vector<std::string> dtypes{"f32", "f64", "bf16", "f16"};
  std::vector<std::string> targets;
  bool exhaustive = false;
  uint64_t stride = 4099;
  uint64_t f64_points = 1u << 20;
  int threads = 0;
  std::string device = "cpu";
};

mish_dtype parse_dtype(const std::string& s) {
  for (int d = 0; d < MISH_DTYPE_COUNT; ++d) {
    if (s == mish_dtype_name(static_cast<mish_dtype>(d))) return static_cast<mish_dtype>(d);
  }
  throw std::runtime_error("unknown dtype '" + s + "' (use f32, f64, bf16 or f16)");
}

std::string fmt(const accuracy::Worst& w, const char* unit) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%8.3f%s @ %-13.6g", w.ulp, unit, w.x);
  return buf;
}

int run(const AccuracyArgs& a) {
  std::vector<Spec> specs;
  if (a.activations.empty()) {
    for (int i = 0; i < mish_act_count(); ++i) specs.emplace_back(static_cast<mish_activation>(i));
  } else {
    for (const auto& s : a.activations) specs.push_back(Spec::parse(s));
  }
  if (a.device != "cpu" && a.device != "cuda") throw std::runtime_error("--device must be cpu or cuda");
  const bool cuda = a.device == "cuda";
  if (cuda && mish_cuda_device_count() == 0) {
    throw std::runtime_error(mish_cuda_built() ? "--device cuda: no CUDA device is visible (driver, GPU, "
                                                 "CUDA_VISIBLE_DEVICES?)"
                                               : "--device cuda: this mish was built without CUDA");
  }
  std::vector<std::string> targets = a.targets;
  if (cuda) targets = {"cuda"};  // the column names the device
  if (targets.empty()) targets.push_back(simd_target());
  if (targets.size() == 1 && targets[0] == "all") targets = simd_targets();
  const unsigned hc = std::thread::hardware_concurrency();
  const int threads = a.threads > 0 ? a.threads : static_cast<int>(hc ? hc : 1);

  std::printf("mish %s accuracy; reference: long double formulas (checked against MPFR by the tests)\n", version());
  std::printf("f32: %s; f64: %llu sample points; bf16/f16: all 65,536 inputs\n",
              a.exhaustive ? "all 2^32 inputs" : ("every " + std::to_string(a.stride) + "th bit pattern").c_str(),
              static_cast<unsigned long long>(a.f64_points));
  std::printf("backward: dy = 1, ULPs of max(|f'|, largest term of f'); 16-bit: ULP distance from the correctly "
              "rounded value\n\n");
  std::printf("%-34s %-5s %-6s %-28s %-28s %-11s %s\n", "activation", "dtype", "target", "forward max", "backward max",
              "budget", "verdict");
  int failures = 0;
  for (const auto& target : targets) {
    if (!cuda) set_simd_target(target);
    for (const auto& spec : specs) {
      for (const auto& dname : a.dtypes) {
        const mish_dtype dt = parse_dtype(dname);
        accuracy::SweepOptions opt;
        for (size_t k = 0; k < spec.params.size(); ++k) opt.params.p[k] = spec.params[k];
        opt.stride = a.exhaustive ? 1 : a.stride;
        opt.f64_points = a.f64_points;
        opt.threads = threads;
        opt.device = cuda ? accuracy::Device::kCuda : accuracy::Device::kCpu;
        if (spec.id == MISH_ACT_MISH) {  // the root of f' (see the accuracy contract)
          opt.window_lo = -1.1924 - 0.25;
          opt.window_hi = -1.1924 + 0.25;
        }
        const auto r = accuracy::sweep(spec.id, dt, opt);
        bool ok;
        char budget[32];
        if (dt == MISH_F32 || dt == MISH_F64) {
          const int bf = mish_act_ulp_budget(spec.id, dt, 0);
          const int bb = mish_act_ulp_budget(spec.id, dt, 1);
          std::snprintf(budget, sizeof budget, "%d / %d", bf, bb);
          ok = r.fwd.ulp <= bf && r.bwd.ulp <= bb;
        } else {
          std::snprintf(budget, sizeof budget, "exact %.2f%%", 100 * std::min(r.fwd_exact, r.bwd_exact));
          const double need = mish_act_h16_permille(spec.id) / 1000.0;
          ok = r.fwd.ulp <= 1 && r.bwd.ulp <= 1 && r.fwd_exact >= need && r.bwd_exact >= need;
        }
        failures += !ok;
        std::printf("%-34s %-5s %-6s %-28s %-28s %-11s %s\n", spec.str().c_str(), dname.c_str(), target.c_str(),
                    fmt(r.fwd, "").c_str(), fmt(r.bwd, "").c_str(), budget, ok ? "ok" : "OVER BUDGET");
        if (opt.window_lo < opt.window_hi && (dt == MISH_F32 || dt == MISH_F64)) {
          std::printf("%-34s %-5s %-6s backward in ULPs of |f'| outside |x+1.1924|<0.25: %.3f @ %g; "
                      "absolute error inside: %.3g @ %g\n",
                      "", dname.c_str(), target.c_str(), r.bwd_plain.ulp, r.bwd_plain.x, r.bwd_window.ulp,
                      r.bwd_window.x);
        }
        std::fflush(stdout);
      }
    }
  }
  std::printf("\n%s\n", failures ? "some results are over their budget" : "all within budget");
  return failures ? 1 : 0;
}

}  // namespace

void add_accuracy(CLI::App& app) {
  auto args = std::make_shared<AccuracyArgs>();
  auto* cmd = app.add_subcommand("accuracy", "Measure max ULP error per activation, dtype and SIMD target");
  cmd->add_option("-a,--activation", args->activations, "Activations (e.g. mish swish:beta=1.5); default all");
  cmd->add_option("-d,--dtype", args->dtypes, "Dtypes among f32 f64 bf16 f16; default all")->delimiter(',');
  cmd->add_option("-t,--target", args->targets, "SIMD targets (names from `mish info`, or all); default best")
      ->delimiter(',');
  cmd->add_flag("--exhaustive", args->exhaustive, "f32: all 2^32 inputs (minutes per activation)");
  cmd->add_option("--stride", args->stride, "f32: test every N-th bit pattern")->check(CLI::PositiveNumber);
  cmd->add_option("--f64-points", args->f64_points, "f64: number of sample points")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "Sweep threads (default: all cores)");
  cmd->add_option("--device", args->device, "cpu, or cuda: check the GPU kernels (needs a GPU)")->capture_default_str();
  cmd->callback([args] {
    if (int rc = run(*args)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace mish::cli
