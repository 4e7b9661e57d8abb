// The C++ API: activation specs ("swish:beta=1.5"), errors as exceptions.
#include <gtest/gtest.h>

#include <vector>

#include "mish/activations.hpp"

namespace {

std::string error_of(const std::string& text) {
  try {
    mish::Spec::parse(text);
  } catch (const mish::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Spec, ParsesNamesAndParameters) {
  EXPECT_EQ(mish::Spec::parse("mish").id, MISH_ACT_MISH);
  const auto s = mish::Spec::parse("swish:beta=1.5");
  EXPECT_EQ(s.id, MISH_ACT_SWISH);
  ASSERT_EQ(s.params.size(), 1u);
  EXPECT_EQ(s.params[0], 1.5);
  EXPECT_EQ(mish::Spec::parse("leaky_relu:0.3").params[0], 0.3);
  const auto sp = mish::Spec::parse("softplus:threshold=10");
  EXPECT_EQ(sp.params, (std::vector<double>{1.0, 10.0}));
  EXPECT_EQ(mish::Spec::parse("silu"), mish::Spec::parse("swish:beta=1"));
  EXPECT_EQ(mish::Spec::parse("eswish").params[0], 1.75);
}

TEST(Spec, CanonicalTextRoundTrips) {
  for (const auto& name : mish::activation_names()) {
    const auto s = mish::Spec::parse(name);
    EXPECT_EQ(mish::Spec::parse(s.str()), s) << s.str();
  }
  EXPECT_EQ(mish::Spec::parse("hardtanh:min_val=-2,max_val=3").str(), "hardtanh:min_val=-2,max_val=3");
}

TEST(Spec, BadTextSaysWhatIsWrong) {
  EXPECT_NE(error_of("mihs").find("did you mean 'mish'"), std::string::npos) << error_of("mihs");
  EXPECT_NE(error_of("zzzzzzzz").find("known:"), std::string::npos);
  EXPECT_NE(error_of("swish:gamma=2").find("beta"), std::string::npos) << error_of("swish:gamma=2");
  EXPECT_NE(error_of("swish:beta=abc").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("swish:beta=1,beta=2").find("twice"), std::string::npos);
  EXPECT_NE(error_of("mish:1").find("takes 0"), std::string::npos) << error_of("mish:1");
  EXPECT_NE(error_of("celu:alpha=0").find("non-zero"), std::string::npos) << error_of("celu:alpha=0");
  EXPECT_NE(error_of("hardtanh:min_val=2,max_val=1").find("greater"), std::string::npos);
  EXPECT_NE(error_of("silu:beta=2").find("silu takes no parameters"), std::string::npos);
  EXPECT_NE(error_of("swish:beta=1e999").find("not a number"), std::string::npos);
}

TEST(CxxApi, ForwardBackwardAndErrors) {
  const std::vector<float> x = {-2.f, 0.f, 3.f};
  std::vector<float> y(3), dx(3);
  const std::vector<float> dy(3, 1.f);
  mish::forward(mish::Spec::parse("relu"), x.data(), y.data(), x.size());
  EXPECT_EQ(y, (std::vector<float>{0.f, 0.f, 3.f}));
  double dbeta = -1;
  mish::backward(mish::Spec::parse("swish:beta=2"), x.data(), dy.data(), dx.data(), x.size(), &dbeta);
  EXPECT_GT(dbeta, 0.0);
  std::vector<mish::bfloat16> hb = {{0x3F80}};
  mish::forward(mish::Spec(MISH_ACT_RELU), hb.data(), hb.data(), 1);
  EXPECT_EQ(hb[0].bits, 0x3F80);
  try {
    mish::forward(mish::Spec(), x.data(), static_cast<float*>(nullptr), 3);
    FAIL() << "expected mish::Error";
  } catch (const mish::Error& e) {
    EXPECT_EQ(e.status(), MISH_ERR_NULL_POINTER);
  }
  EXPECT_THROW(mish::set_simd_target("nope"), mish::Error);
  EXPECT_FALSE(mish::simd_targets().empty());
}

}  // namespace
