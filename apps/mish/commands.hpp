// Subcommands of the `mish` tool; each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace mish::cli {

void add_accuracy(CLI::App& app);
void add_demo(CLI::App& app);
void add_train(CLI::App& app);  // only when built with LibTorch (MISH_HAVE_TRAIN)
void add_sweep(CLI::App& app);  // likewise
void add_reproduce(CLI::App& app);
void add_report(CLI::App& app);

}  // namespace mish::cli
