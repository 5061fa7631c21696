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

// CLI11 calls pre_callback() on the top-level app once every option has been parsed, converted
// and checked (requirements, exclusions, validators) and before any subcommand's callback runs:
// the place to stop when only parsing is wanted. Clearing the callbacks instead would free the
// option values they own (register_* keep them in the callback's shared_ptr) while CLI11 still
// writes them.
class ParseOnlyApp : public CLI::App {
 public:
  using CLI::App::App;
  void pre_callback() override { throw CLI::Success(); }
};

}  // namespace

std::unique_ptr<CLI::App> make_app(Callbacks callbacks) {
  const std::string description =
      "pigmatch — measure skin and hair colour from calibrated photos and formulate pigment";
  std::unique_ptr<CLI::App> app = callbacks == Callbacks::run
                                      ? std::make_unique<CLI::App>(description, "pigmatch")
                                      : std::make_unique<ParseOnlyApp>(description, "pigmatch");
  app->set_version_flag("--version", version_text());
  app->require_subcommand(1);
  app->fallthrough(false);
  register_catalog_command(*app);
  register_de_command(*app);
  register_client_command(*app);
  register_visit_command(*app);
  register_formula_command(*app);
  register_lot_command(*app);
  register_studio_command(*app);
  register_db_command(*app);
  register_touchup_command(*app);
  register_lab_command(*app);
  register_match_command(*app);
  register_measure_command(*app);
  register_model_command(*app);
  register_plugin_command(*app);
  return app;
}

}  // namespace pigmatch::cli
