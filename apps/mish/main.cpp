// `mish`: the command-line front door (thin: each subcommand lives in its own file).
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "mish/activations.hpp"

namespace {

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Version, SIMD targets, threads and the activation registry");
  cmd->callback([] {
    std::printf("mish %s\n", mish::version());
    std::printf("SIMD target in use: %s (available:", mish::simd_target().c_str());
    for (const auto& t : mish::simd_targets()) std::printf(" %s", t.c_str());
    std::printf(")\nthreads: %d\n\nactivations:\n", mish::num_threads());
    for (int a = 0; a < mish_act_count(); ++a) {
      std::printf("  %s\n", mish::Spec(static_cast<mish_activation>(a)).str().c_str());
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mish: exact and fast Mish, its kin, and the experiments of the Mish paper"};
  app.require_subcommand(1);
  app.set_version_flag("--version", mish::version());
  add_info(app);
  mish::cli::add_accuracy(app);
  mish::cli::add_demo(app);
#ifdef MISH_HAVE_TRAIN
  mish::cli::add_train(app);
  mish::cli::add_sweep(app);
  mish::cli::add_reproduce(app);
  mish::cli::add_report(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mish: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
