#include "support/small_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "pigmatch/error.h"

namespace pigmatch::detail {

std::string read_small_file(const std::filesystem::path& file, std::uintmax_t limit,
                            std::string_view refused) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec)
    throw Error(ErrorCode::io, fmt::format("cannot read {}: {}", file.string(), ec.message()));
  if (size > limit) {
    throw Error(ErrorCode::too_large,
                fmt::format("{} is {} bytes: {} are refused", file.string(), size, refused));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io, fmt::format("cannot open {}", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pigmatch::detail
