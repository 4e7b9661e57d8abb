// OpenCV DNN's Mish layer (inference only: OpenCV DNN has no backward pass),
// run on a 1 x 1 x 1 x n blob wrapping the caller's buffers.
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>

#include <memory>

#include "peers.hpp"

namespace mish::compare {
namespace {

struct Blobs {
  cv::Ptr<cv::dnn::MishLayer> layer;
  std::vector<cv::Mat> in, out, internals;
};

}  // namespace

Peer opencv_peer() {
  Peer p;
  p.id = "opencv";
  p.name = std::string("OpenCV DNN ") + CV_VERSION;
  p.note = "cv::dnn::MishLayer::forward on a 1x1x1xn blob (no backward in OpenCV DNN); threads by cv::setNumThreads";
  p.set_threads = [](int t) { cv::setNumThreads(t); };
  p.prepare[0][0] = [](const Buffers& b) -> Call {
    auto s = std::make_shared<Blobs>();
    cv::dnn::LayerParams params;
    params.name = "mish";
    params.type = "Mish";
    s->layer = cv::dnn::MishLayer::create(params);
    const int shape[4] = {1, 1, 1, static_cast<int>(b.n)};
    s->in.emplace_back(4, shape, CV_32F, const_cast<void*>(b.x));
    s->out.emplace_back(4, shape, CV_32F, b.out);
    return [s] { s->layer->forward(s->in, s->out, s->internals); };
  };
  return p;
}

}  // namespace mish::compare
