#include "pigmatch/error.h"

#include <catch2/catch.hpp>

TEST_CASE("Error carries its code and message") {
  const pigmatch::Error e(pigmatch::ErrorCode::corrupt_data, "photo.jpg: truncated");
  CHECK(e.code() == pigmatch::ErrorCode::corrupt_data);
  CHECK(std::string(e.what()) == "photo.jpg: truncated");
  CHECK(pigmatch::to_string(e.code()) == "corrupt_data");
}
