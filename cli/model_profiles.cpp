#include "model_profiles.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pigmatch/error.h"
#include "pigmatch/plugin_host.h"
#include "store_common.h"

namespace pigmatch::cli {

bool valid_profile_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
         });
}

std::filesystem::path model_profile_path(std::string_view name) {
  const std::filesystem::path data = user_data_directory();
  if (data.empty()) {
    throw Error(ErrorCode::not_found,
                "no place for model profiles: HOME is not set; give a file with --out");
  }
  return data / "model-profiles" / (std::string(name) + ".json");
}

ModelFit load_model_profile(const std::string& name_or_file) {
  std::filesystem::path path = name_or_file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (!valid_profile_name(name_or_file)) {
      throw Error(ErrorCode::not_found,
                  fmt::format("model profile '{}': no such file", name_or_file));
    }
    path = model_profile_path(name_or_file);
    if (!std::filesystem::is_regular_file(path, ec)) {
      throw Error(ErrorCode::not_found,
                  fmt::format("no model profile '{}' ({} does not exist); make one with "
                              "'pigmatch model fit --name {}'",
                              name_or_file, path.string(), name_or_file));
    }
  }
  if (std::filesystem::file_size(path, ec) > (1u << 20)) {
    throw Error(ErrorCode::too_large,
                fmt::format("{} is over 1 MiB: not a model profile", path.string()));
  }
  return read_model_profile(read_input(path.string()), path.string());
}

}  // namespace pigmatch::cli
