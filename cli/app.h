// The `pigmatch` CLI11 application with every subcommand registered: main() parses the real
// command line with it, and the fuzz target fuzz_cli_args parses hostile ones.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace pigmatch::cli {

/// Whether the subcommands' callbacks (the work: databases, files, output) run after parsing.
enum class Callbacks { run, disabled };

/// The whole `pigmatch` app. With Callbacks::disabled, parse() only checks the arguments and then
/// throws CLI::Success instead of running the subcommand, so a fuzzer can feed it anything
/// without a database or a file being touched. (CLI::App can be neither copied nor moved, hence
/// the pointer.)
std::unique_ptr<CLI::App> make_app(Callbacks callbacks = Callbacks::run);

}  // namespace pigmatch::cli
