// oneDNN's eltwise_mish primitive, forward (inference) and backward from the
// source (the form a training framework uses).
#include <omp.h>

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>

#include "peers.hpp"

namespace mish::compare {
namespace {

struct Onednn {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Onednn& ctx() {
  static Onednn c;
  return c;
}

dnnl::memory::desc desc(size_t n, Dtype d) {
  return dnnl::memory::desc({static_cast<dnnl::memory::dim>(n)},
                            d == Dtype::f32 ? dnnl::memory::data_type::f32 : dnnl::memory::data_type::bf16,
                            dnnl::memory::format_tag::a);
}

dnnl::eltwise_forward::primitive_desc forward_pd(const dnnl::memory::desc& md, dnnl::prop_kind prop) {
  return dnnl::eltwise_forward::primitive_desc(
      dnnl::eltwise_forward::desc(prop, dnnl::algorithm::eltwise_mish, md), ctx().engine);
}

Prepare forward(Dtype d) {
  return [d](const Buffers& b) -> Call {
    const auto md = desc(b.n, d);
    auto prim = std::make_shared<dnnl::eltwise_forward>(forward_pd(md, dnnl::prop_kind::forward_inference));
    auto src = std::make_shared<dnnl::memory>(md, ctx().engine, const_cast<void*>(b.x));
    auto dst = std::make_shared<dnnl::memory>(md, ctx().engine, b.out);
    return [prim, src, dst] {
      prim->execute(ctx().stream, {{DNNL_ARG_SRC, *src}, {DNNL_ARG_DST, *dst}});
      ctx().stream.wait();
    };
  };
}

Prepare backward(Dtype d) {
  return [d](const Buffers& b) -> Call {
    const auto md = desc(b.n, d);
    const auto hint = forward_pd(md, dnnl::prop_kind::forward_training);
    auto prim = std::make_shared<dnnl::eltwise_backward>(dnnl::eltwise_backward::primitive_desc(
        dnnl::eltwise_backward::desc(dnnl::algorithm::eltwise_mish, md, md), ctx().engine, hint));
    auto src = std::make_shared<dnnl::memory>(md, ctx().engine, const_cast<void*>(b.x));
    auto ddst = std::make_shared<dnnl::memory>(md, ctx().engine, const_cast<void*>(b.dy));
    auto dsrc = std::make_shared<dnnl::memory>(md, ctx().engine, b.out);
    return [prim, src, ddst, dsrc] {
      prim->execute(ctx().stream, {{DNNL_ARG_SRC, *src}, {DNNL_ARG_DIFF_DST, *ddst}, {DNNL_ARG_DIFF_SRC, *dsrc}});
      ctx().stream.wait();
    };
  };
}

}  // namespace

Peer onednn_peer() {
  Peer p;
  p.id = "onednn";
  const dnnl_version_t* v = dnnl_version();
  const std::string impl = forward_pd(desc(1 << 16, Dtype::f32), dnnl::prop_kind::forward_inference).impl_info_str();
  p.name = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           " (" + impl + ")";
  p.note = "eltwise_forward / eltwise_backward with algorithm::eltwise_mish on a 1-D tensor; threads by OpenMP";
  p.set_threads = [](int t) { omp_set_num_threads(t); };
  p.prepare[0][0] = forward(Dtype::f32);
  p.prepare[0][1] = backward(Dtype::f32);
  p.prepare[1][0] = forward(Dtype::bf16);
  p.prepare[1][1] = backward(Dtype::bf16);
  return p;
}

}  // namespace mish::compare
