#include "app.h"

#include <fmt/core.h>
#include <lcms2.h>

#include <string>

#include "command.h"
#include "pigmatch/version.h"

namespace pigmatch::cli {
namespace {

std::string version_text() {
  return fmt::format("pigmatch {} (Little CMS {}.{})", PIGMATCH_VERSION_STRING,
                     cmsGetEncodedCMMversion() / 1000, cmsGetEncodedCMMversion() % 1000 / 10);
}

// Every subcommand at every depth: registration may nest (e.g. `client add`).
void disable_callbacks(CLI::App& app) {
  for (CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    command->callback(std::function<void()>{});
    command->parse_complete_callback(std::function<void()>{});
    command->preparse_callback(std::function<void(std::size_t)>{});
    disable_callbacks(*command);
  }
}

}  // namespace

std::unique_ptr<CLI::App> make_app(Callbacks callbacks) {
  auto app = std::make_unique<CLI::App>(
      "pigmatch — measure skin and hair colour from calibrated photos and formulate pigment",
      "pigmatch");
  app->set_version_flag("--version", version_text());
  app->require_subcommand(1);
  app->fallthrough(false);
  register_catalog_command(*app);
  register_de_command(*app);
  register_client_command(*app);
  register_visit_command(*app);
  register_formula_command(*app);
  register_lot_command(*app);
  register_db_command(*app);
  register_touchup_command(*app);
  register_lab_command(*app);
  register_match_command(*app);
  register_measure_command(*app);
  register_plugin_command(*app);
  if (callbacks == Callbacks::disabled)
    disable_callbacks(*app);
  return app;
}

}  // namespace pigmatch::cli
