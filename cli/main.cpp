// The `pigmatch` command: parses the command line with CLI11 and maps failures to exit codes
// (0 ok, 1 failed, 2 usage error). All colour work happens in libcore.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "app.h"
#include "pigmatch/error.h"

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

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
  const std::unique_ptr<CLI::App> app_owner = pigmatch::cli::make_app();
  CLI::App& app = *app_owner;

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
