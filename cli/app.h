// The `pigmatch` CLI11 application with every subcommand registered: main() parses the real
// command line with it, and the fuzz target fuzz_cli_args parses hostile ones.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace pigmatch::cli {

/// Whether the subcommands' callbacks (the work: databases, files, output) run after parsing.
enum class Callbacks { run, disabled };

/// The whole `pigmatch` app. With Callbacks::disabled parsing only checks the arguments, so a
/// fuzzer can feed it anything without writing a database or a file. (CLI::App can be neither
/// copied nor moved, hence the pointer.)
std::unique_ptr<CLI::App> make_app(Callbacks callbacks = Callbacks::run);

}  // namespace pigmatch::cli
