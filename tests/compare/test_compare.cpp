// mish_compare's measuring: the MPFR truth agrees with the accuracy oracle,
// the sweeps cover what they claim, the error measure catches the known
// failures (the naive loop's -inf, a zero of the wrong sign, a peer that
// throws), every compiled peer is wired to the right buffers, and the speed
// runner returns a median for every planned case.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "measure.hpp"
#include "oracle.hpp"
#include "reference.hpp"

namespace {

using namespace mish::compare;
namespace fs = std::filesystem;

TEST(Truth, AgreesWithTheMpfrOracle) {
  const mish::scalar::Params none{};
  for (const double x : {-99.5, -87.25, -20.0, -5.5, -1.1923, -1.0, -0.25, -1e-20, 0.0, 1e-30, 0.5, 1.0, 3.75, 8.0,
                         19.0, 60.0, 99.0}) {
    const Truth t = truth(x);
    const long double f = mish::accuracy::oracle_fwd(MISH_ACT_MISH, x, none);
    const auto s = mish::accuracy::oracle_bwd(MISH_ACT_MISH, x, none);
    EXPECT_LE(std::fabs(t.f - f), std::ldexp(std::fabs(f), -60) + 1e-4000L) << x;
    EXPECT_LE(std::fabs(t.df - s.left), std::ldexp(t.df_scale, -55)) << x;
    EXPECT_GE(t.df_scale, std::fabs(t.df)) << x;
  }
  EXPECT_TRUE(std::isnan(truth(NAN).f));
  EXPECT_EQ(truth(INFINITY).f, INFINITY);
  EXPECT_EQ(truth(INFINITY).df, 1.0L);
  EXPECT_EQ(truth(-INFINITY).f, 0.0L);
  EXPECT_TRUE(std::signbit(truth(-INFINITY).f));  // mish(-inf) is -0
  EXPECT_TRUE(std::signbit(truth(-0.0).f));
}

TEST(Points, SweepsCoverWhatTheySay) {
  const Points p = make_points(Dtype::f32, 4096, 2);
  ASSERT_GT(p.sweep, 4000u);
  EXPECT_TRUE(std::is_sorted(p.x.begin(), p.x.begin() + static_cast<std::ptrdiff_t>(p.sweep)));
  EXPECT_EQ(p.x.front(), -100.0f);
  EXPECT_EQ(p.x[p.sweep - 1], 100.0f);
  const auto sub = std::count_if(p.x.begin(), p.x.begin() + static_cast<std::ptrdiff_t>(p.sweep), [](float v) {
    return v != 0 && std::fabs(v) < std::numeric_limits<float>::min();
  });
  EXPECT_GE(sub, 8);  // the bit-pattern half reaches the subnormals (0.75% of the patterns below 100)
  EXPECT_EQ(p.truth.size(), p.x.size());
  EXPECT_EQ(p.x.size() - p.sweep, special_values().size());
  // bf16: every value in [-100, 100]: bit patterns 0 ... 0x42C8 (100.0) of each sign
  const Points b = make_points(Dtype::bf16, 0, 2);
  EXPECT_EQ(b.sweep, 2u * (0x42C8 + 1));
}

TEST(Accuracy, OursMeetsItsContract) {
  const Points p = make_points(Dtype::f32, 1 << 16, 2);
  const Peer ours = ours_peer();
  const Accuracy f = accuracy(ours, Op::fwd, p, 2), b = accuracy(ours, Op::bwd, p, 2);
  EXPECT_LE(f.max_ulp, 3.0);  // docs/ACCURACY.md: forward <= 3 ULP, backward <= 5
  EXPECT_LE(b.max_ulp, 5.0);
  EXPECT_TRUE(f.wrong.empty()) << f.wrong.front();
  EXPECT_TRUE(b.wrong.empty()) << b.wrong.front();
  EXPECT_GT(f.max_ulp, 0.5);  // not correctly rounded everywhere: the measure sees real errors
  const Points h = make_points(Dtype::bf16, 0, 2);
  EXPECT_LE(accuracy(ours, Op::fwd, h, 2).max_ulp, 1.0);
  EXPECT_LE(accuracy(ours, Op::bwd, h, 2).max_ulp, 1.0);
}

TEST(Accuracy, CatchesTheNaiveLoopsFailures) {
  const Points p = make_points(Dtype::f32, 1 << 14, 2);
  const Accuracy f = accuracy(naive_peer(), Op::fwd, p, 1);
  EXPECT_GT(f.max_ulp, 10.0);  // x e^x in the subnormals: exp loses its bits first
  EXPECT_LT(f.x_at_max, -87.0);
  EXPECT_LE(f.core_max_ulp, 4.0);  // and fine where networks live
  ASSERT_FALSE(f.wrong.empty());
  EXPECT_EQ(f.wrong.front(), "-inf → nan (want -0)");
}

TEST(Accuracy, WrongSignedZerosAndThrowingPeers) {
  Peer flip = ours_peer();
  flip.id = "flip";
  flip.prepare[0][0] = [](const Buffers& b) -> Call {
    return [b] {
      const float* x = static_cast<const float*>(b.x);
      float* y = static_cast<float*>(b.out);
      mish_forward_f32(x, y, b.n);
      for (size_t i = 0; i < b.n; ++i) {
        if (y[i] == 0) y[i] = std::signbit(y[i]) ? 0.0f : -0.0f;
      }
    };
  };
  const Points p = make_points(Dtype::f32, 1024, 1);
  const Accuracy a = accuracy(flip, Op::fwd, p, 1);
  EXPECT_EQ(a.max_ulp, accuracy(ours_peer(), Op::fwd, p, 1).max_ulp);  // the sweep's numbers are ours
  EXPECT_NE(std::find(a.wrong.begin(), a.wrong.end(), "-0 → 0 (want -0)"), a.wrong.end());

  Peer bad = ours_peer();
  bad.prepare[0][1] = [](const Buffers&) -> Call { return [] { throw std::runtime_error("no backward today"); }; };
  const Accuracy e = accuracy(bad, Op::bwd, p, 1);
  EXPECT_EQ(e.error, "no backward today");
  EXPECT_TRUE(std::isinf(e.max_ulp));
}

TEST(Accuracy, EveryPeerIsWiredToItsBuffers) {
  // a peer reading or writing the wrong memory is wrong nearly everywhere;
  // a real implementation, however crude, is right on most of the sweep
  const Points p = make_points(Dtype::f32, 1 << 14, 2);
  const Points h = make_points(Dtype::bf16, 0, 2);
  for (const Peer& peer : all_peers()) {
    for (const Op op : {Op::fwd, Op::bwd}) {
      if (peer.get(Dtype::f32, op)) {
        const Accuracy a = accuracy(peer, op, p, 2);
        EXPECT_EQ(a.error, "") << peer.name;
        EXPECT_LT(a.over_1ulp, 0.5) << peer.name << " " << name(op);
      }
      if (peer.get(Dtype::bf16, op)) {
        const Accuracy a = accuracy(peer, op, h, 2);
        EXPECT_EQ(a.error, "") << peer.name;
        EXPECT_LT(a.over_1ulp, 0.5) << peer.name << " bf16 " << name(op);
      }
    }
  }
}

TEST(Speed, EveryPlannedCaseGetsAMedian) {
  SpeedPlan plan;
  plan.sizes = {1024, 4096};
  plan.threads = {1, 2};
  plan.dtypes = {Dtype::f32};
  plan.repetitions = 2;
  plan.min_time = 0.001;
  Peer bad = ours_peer();
  bad.id = "bad";
  bad.prepare[0][0] = [](const Buffers&) -> Call { return [] { throw std::runtime_error("broken"); }; };
  bad.prepare[0][1] = nullptr;
  std::vector<std::string> lines;
  const auto r = speed({ours_peer(), naive_peer(), bad}, plan, [&](const std::string& l) { lines.push_back(l); });
  // ours: 2 sizes x 2 ops x 2 thread counts; naive: one thread only; bad: none (it throws)
  EXPECT_EQ(r.size(), 8u + 4u);
  for (const Speed& s : r) {
    EXPECT_NE(s.peer, "bad");
    EXPECT_TRUE(std::isfinite(s.ns_per_call) && s.ns_per_call > 0) << s.peer;
    EXPECT_TRUE(s.peer == "ours" || s.threads == 1) << s.peer;
  }
  EXPECT_EQ(lines.size(), r.size());
}

std::string run(const std::string& args, int* status) {
  const std::string out = (fs::temp_directory_path() / ("mish_compare_out_" + std::to_string(::getpid()))).string();
  const int rc = std::system((std::string(MISH_COMPARE) + " " + args + " > " + out + " 2>&1").c_str());
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  fs::remove(out);
  return ss.str();
}

TEST(Cli, ReportAndBadArguments) {
  int status = 0;
  std::string text = run("--peers ours,nosuch", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(text.find("--peers: 'nosuch' is not compiled into this build (available: "), std::string::npos) << text;
  text = run("--threads 1,zero", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(text.find("'zero' is not a thread count"), std::string::npos) << text;
  text = run("--dtypes fp16", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(text.find("'fp16' is not fp32 or bf16"), std::string::npos) << text;
  const fs::path doc = fs::temp_directory_path() / ("mish_compare_doc_" + std::to_string(::getpid()) + ".md");
  std::ofstream(doc) << "# Comparison\nno marker here\n";
  text = run("--update " + doc.string(), &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(text.find("has no line '<!-- mish_compare output below"), std::string::npos) << text;
  EXPECT_EQ(text.find("computing the MPFR truth"), std::string::npos) << "said before measuring";

  const std::string marker = "<!-- mish_compare output below; regenerate with mish_compare --update FILE -->";
  std::ofstream(doc) << "# Comparison\nOur summary.\n" << marker << "\nthe old tables\n";
  text = run("--peers ours,naive --sizes 1024 --threads 1 --reps 1 --min-time 0.001 --points 4096 --update " +
                 doc.string(),
             &status);
  EXPECT_EQ(status, 0) << text;
  std::ifstream f(doc);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string md = ss.str();
  fs::remove(doc);
  EXPECT_EQ(md.rfind("# Comparison\nOur summary.\n" + marker + "\n\nGenerated ", 0), 0u) << md;
  EXPECT_EQ(md.find("the old tables"), std::string::npos);
  for (const char* part : {"### Accuracy against MPFR", "**fp32 forward**", "**bf16 backward**", "### Checks",
                           "- fp32 forward, most accurate: this library", "naive loop (glibc), fp32 forward: -inf"}) {
    EXPECT_NE(md.find(part), std::string::npos) << part << "\n" << md;
  }
}

}  // namespace
