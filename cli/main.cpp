// The `pigmatch` command: parses the command line with CLI11 and maps failures to exit codes
// (0 ok, 1 failed, 2 usage error). All colour work happens in libcore.
#include <fmt/core.h>
#include <lcms2.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "command.h"
#include "pigmatch/error.h"
#include "pigmatch/version.h"

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

std::string version_text() {
  return fmt::format("pigmatch {} (Little CMS {}.{})", PIGMATCH_VERSION_STRING,
                     cmsGetEncodedCMMversion() / 1000, cmsGetEncodedCMMversion() % 1000 / 10);
}

// CLI11 reports "A subcommand is required" for a mistyped command; naming it is kinder.
bool names_unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-')
    return false;
  const std::string name = argv[1];
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->get_name() == name)
      return false;
  }
  fmt::print(stderr,
             "pigmatch: unknown command '{}'\nRun 'pigmatch --help' for the list of commands.\n",
             name);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "pigmatch — measure skin and hair colour from calibrated photos and formulate pigment",
      "pigmatch"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.fallthrough(false);
  pigmatch::cli::register_catalog_command(app);
  pigmatch::cli::register_de_command(app);
  pigmatch::cli::register_client_command(app);
  pigmatch::cli::register_visit_command(app);
  pigmatch::cli::register_formula_command(app);
  pigmatch::cli::register_lot_command(app);
  pigmatch::cli::register_db_command(app);
  pigmatch::cli::register_touchup_command(app);
  pigmatch::cli::register_lab_command(app);
  pigmatch::cli::register_match_command(app);
  pigmatch::cli::register_measure_command(app);
  pigmatch::cli::register_plugin_command(app);

  if (names_unknown_command(app, argc, argv))
    return exit_usage;
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr,
               "pigmatch: {}\nRun 'pigmatch --help' or 'pigmatch <command> --help' for usage.\n",
               e.what());
    return exit_usage;
  } catch (const pigmatch::Error& e) {
    fmt::print(stderr, "pigmatch: error: {}\n", e.what());
    return exit_failure;
  } catch (const std::exception& e) {
    fmt::print(stderr, "pigmatch: internal error: {} (please report this)\n", e.what());
    return exit_failure;
  }
}
