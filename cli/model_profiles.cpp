#include "model_profiles.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pigmatch/error.h"

namespace pigmatch::cli {

bool valid_profile_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
         });
}

std::filesystem::path model_profile_path(std::string_view name) {
  const std::filesystem::path folder = model_profiles_directory();
  if (folder.empty()) {
    throw Error(ErrorCode::not_found,
                "no place for model profiles: HOME is not set; give a file with --out");
  }
  return folder / (std::string(name) + ".json");
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
  return read_model_profile_file(path);
}

}  // namespace pigmatch::cli
