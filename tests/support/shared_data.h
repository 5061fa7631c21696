// Locating ../shared/data, the reference data that tests (never the product) read.
#pragma once

#include <filesystem>
#include <optional>

namespace pigmatch::test {

/// The shared reference-data folder, or nothing when it is absent (a clone without ../shared).
inline std::optional<std::filesystem::path> shared_data_dir() {
  const std::filesystem::path dir{PIGMATCH_SHARED_DATA};
  if (std::filesystem::is_directory(dir))
    return dir;
  return std::nullopt;
}

}  // namespace pigmatch::test

/// Use at the top of a test that needs ../shared/data: binds `var` to the folder, or reports
/// the skip and leaves the test case (Catch2 v2 has no SKIP).
#define PIGMATCH_REQUIRE_SHARED_DATA(var)                                   \
  const auto var##_opt = ::pigmatch::test::shared_data_dir();               \
  if (!var##_opt) {                                                         \
    WARN("skipped: reference data not found at " PIGMATCH_SHARED_DATA       \
         " (clone the project with ../shared beside it to run this test)"); \
    return;                                                                 \
  }                                                                         \
  const std::filesystem::path& var = *var##_opt
