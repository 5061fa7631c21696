// How subcommands plug into the `pigmatch` program: each cmd_*.cpp defines one register function
// that adds its CLI11 subcommand and sets a callback doing the work. Callbacks throw
// pigmatch::Error for failures (exit 1) and UsageError for bad arguments (exit 2); main() maps
// both to messages on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pigmatch::cli {

/// Bad command-line input that CLI11 cannot check by itself (e.g. a malformed "L,a,b").
class UsageError : public CLI::ValidationError {
 public:
  explicit UsageError(const std::string& message) : CLI::ValidationError(message) {}
};

void register_catalog_command(CLI::App& app);
/// `catalog build` and `catalog card`, under the `catalog` command.
void register_catalog_build_commands(CLI::App* catalog);
void register_de_command(CLI::App& app);
// the store: client records (cmd_client, cmd_visit, cmd_formula, cmd_lot, cmd_db)
void register_client_command(CLI::App& app);
void register_visit_command(CLI::App& app);
void register_formula_command(CLI::App& app);
void register_lot_command(CLI::App& app);
void register_studio_command(CLI::App& app);
void register_db_command(CLI::App& app);
void register_touchup_command(CLI::App& app);
void register_lab_command(CLI::App& app);
void register_match_command(CLI::App& app);
void register_measure_command(CLI::App& app);
void register_model_command(CLI::App& app);
void register_plugin_command(CLI::App& app);

}  // namespace pigmatch::cli
