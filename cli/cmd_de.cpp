// pigmatch de LAB1 LAB2 [--formula 2000|94|76|cmc]: the colour difference between two Lab colours.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "arguments.h"
#include "command.h"
#include "pigmatch/colour/color.h"

namespace pigmatch::cli {
namespace {

struct DeOptions {
  std::string lab1, lab2;
  std::string formula = "2000";
  De2000Weights weights;
  double cmc_l = 2.0, cmc_c = 1.0;
  bool textiles = false;
  bool json = false;
};

struct Difference {
  std::string label;  // how a colourist writes it, e.g. "ΔE00"
  double value = 0;
};

Difference compute(const DeOptions& o, const Lab& reference, const Lab& sample) {
  if (o.formula == "76")
    return {"ΔE*ab", delta_e76(reference, sample)};
  if (o.formula == "94") {
    const auto application = o.textiles ? De94Application::textiles : De94Application::graphic_arts;
    return {"ΔE94", delta_e94(reference, sample, application)};
  }
  if (o.formula == "cmc") {
    return {fmt::format("ΔE CMC({}:{})", o.cmc_l, o.cmc_c),
            delta_e_cmc(reference, sample, o.cmc_l, o.cmc_c)};
  }
  return {"ΔE00", delta_e2000(reference, sample, o.weights)};
}

void run(const DeOptions& o) {
  const Lab reference = parse_lab(o.lab1, "LAB1");
  const Lab sample = parse_lab(o.lab2, "LAB2");
  const Difference d = compute(o, reference, sample);
  if (o.json) {
    const nlohmann::ordered_json out = {{"formula", o.formula},
                                        {"lab1", {reference.L, reference.a, reference.b}},
                                        {"lab2", {sample.L, sample.a, sample.b}},
                                        {"delta_e", d.value}};
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{} {:.4f}\n", d.label, d.value);
  }
}

}  // namespace

void register_de_command(CLI::App& app) {
  auto options = std::make_shared<DeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "de",
      "Colour difference between two CIELAB colours (reference first for asymmetric formulas)");
  cmd->add_option("LAB1", options->lab1, "reference colour as L,a,b")->required();
  cmd->add_option("LAB2", options->lab2, "sample colour as L,a,b")->required();
  cmd->add_option("--formula,-f", options->formula, "2000 (CIEDE2000), 94, 76 or cmc")
      ->check(CLI::IsMember({"2000", "94", "76", "cmc"}))
      ->capture_default_str();
  cmd->add_option("--kl", options->weights.kL, "CIEDE2000 lightness weight kL")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--kc", options->weights.kC, "CIEDE2000 chroma weight kC")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--kh", options->weights.kH, "CIEDE2000 hue weight kH")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cmc-l", options->cmc_l,
                  "CMC lightness factor l (2 acceptability, 1 perceptibility)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cmc-c", options->cmc_c, "CMC chroma factor c")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--textiles", options->textiles,
                "ΔE94 with the textiles constants (default: graphic arts)");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run(*options); });
}

}  // namespace pigmatch::cli
