// pigmatch/error.h — the one exception type libcore throws.
//
// Every failure that an outside input can cause (a photo, a profile, a catalog, a database, an
// argument) is reported as a pigmatch::Error. Its code says what kind of problem it is, so a
// caller can react (the CLI maps codes to exit statuses); its message is written for the person
// at the keyboard: what is wrong, with which file, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace pigmatch {

enum class ErrorCode {
  invalid_argument,  ///< a value given by the caller is out of range or malformed
  io,                ///< a file could not be opened, read or written
  corrupt_data,      ///< the input is truncated or malformed
  unsupported,       ///< a valid input that pigmatch does not handle (e.g. CMYK JPEG)
  too_large,         ///< the input exceeds a safety limit (decompression bombs, huge files)
  color_management,  ///< an ICC profile is invalid or no transform could be built
  not_found,         ///< a named thing (region, chart, client, plugin) does not exist
  /// A resource another process holds for longer than pigmatch waits (the client database while
  /// another pigmatch writes to it): nothing was done; trying again later succeeds. Added after
  /// 0.1.0, at the end, so the codes above keep their values.
  busy,
  /// The caller asked for the work to stop (a Cancel button, a progress callback that returned
  /// false): nothing was written; the same call can be repeated. Added after 0.1.0, at the end.
  cancelled,
};

/// A short stable name for the code, e.g. "corrupt_data" (used in JSON output).
std::string_view to_string(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace pigmatch
