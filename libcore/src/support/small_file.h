// Reading a whole small input file (measurements, profiles) with its size checked first.
// Private to libcore.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace pigmatch::detail {

/// The bytes of `file`. Throws Error (io) when it cannot be read, (too_large) when it is over
/// `limit` bytes, saying "<file> is N bytes: <refused> are refused" (e.g. refused = "measurement
/// files over 16 MiB").
std::string read_small_file(const std::filesystem::path& file, std::uintmax_t limit,
                            std::string_view refused);

}  // namespace pigmatch::detail
