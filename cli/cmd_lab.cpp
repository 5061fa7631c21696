// pigmatch lab IMAGE [--region x,y,w,h] [--json]: Lab D50 statistics of a region of a photo.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "arguments.h"
#include "command.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/sampling.h"
#include "profile_source.h"

namespace pigmatch::cli {
namespace {

struct LabOptions {
  std::string image;
  std::string region;
  bool json = false;
};

std::string_view format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg:
      return "JPEG";
    case ImageFormat::png:
      return "PNG";
    case ImageFormat::tiff:
      return "TIFF";
    case ImageFormat::heif:
      return "HEIF";
  }
  return "image";
}

nlohmann::ordered_json to_json(const Lab& lab) {
  return {lab.L, lab.a, lab.b};
}

void print_json(const Image& image, const LabTransform& transform, const Rect& region,
                const LabStatistics& stats) {
  const nlohmann::ordered_json out = {
      {"image", image.source},
      {"format", format_name(image.format)},
      {"width", image.width},
      {"height", image.height},
      {"bits", image.bits},
      {"channels", image.channels},
      {"profile",
       {{"source", profile_source_name(transform.profile_source())},
        {"description", transform.profile_description()}}},
      {"region", {{"x", region.x}, {"y", region.y}, {"w", region.w}, {"h", region.h}}},
      {"pixels", stats.pixels},
      {"lab_d50",
       {{"mean", to_json(stats.mean)},
        {"median", to_json(stats.median)},
        {"stddev", to_json(stats.stddev)}}}};
  fmt::print("{}\n", out.dump(2));
}

void print_table(const Image& image, const LabTransform& transform, const Rect& region,
                 const LabStatistics& stats) {
  const bool assumed = transform.profile_source() == ProfileSource::assumed_srgb;
  fmt::print("image    {} ({}×{}, {}-bit {}, {})\n", image.source, image.width, image.height,
             image.bits, image.channels == 1 ? "grey" : "RGB", format_name(image.format));
  fmt::print("profile  {}{}\n", transform.profile_description(),
             assumed ? " (none embedded: sRGB assumed)" : " (embedded)");
  fmt::print("region   x={} y={} w={} h={} ({} pixels)\n\n", region.x, region.y, region.w, region.h,
             stats.pixels);
  fmt::print("Lab D50        L*        a*        b*\n");
  const auto row = [](const char* name, const Lab& v) {
    fmt::print("{:<8} {:>9.2f} {:>9.2f} {:>9.2f}\n", name, v.L, v.a, v.b);
  };
  row("mean", stats.mean);
  row("median", stats.median);
  row("std dev", stats.stddev);
}

void run(const LabOptions& o) {
  const Image image = decode_image(o.image);
  const Rect region =
      o.region.empty() ? Rect{0, 0, image.width, image.height} : parse_rect(o.region, "--region");
  const LabTransform transform = LabTransform::for_image(image);
  if (transform.profile_source() == ProfileSource::assumed_srgb && !o.json) {
    fmt::print(stderr, "pigmatch: note: {} has no embedded ICC profile; assuming sRGB\n", o.image);
  }
  const LabImage lab = transform.apply(image, region);
  const LabStatistics stats = summarize_lab(lab.lab);
  if (o.json) {
    print_json(image, transform, region, stats);
  } else {
    print_table(image, transform, region, stats);
  }
}

}  // namespace

void register_lab_command(CLI::App& app) {
  auto options = std::make_shared<LabOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lab",
      "CIELAB D50 statistics of a region of a photo, through its embedded ICC profile "
      "(sRGB assumed when it has none)");
  cmd->add_option("IMAGE", options->image, "JPEG, PNG, TIFF or HEIC photo")->required();
  cmd->add_option("--region,-r", options->region,
                  "x,y,w,h in pixels of the upright photo (default: the whole photo)");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run(*options); });
}

}  // namespace pigmatch::cli
