#include "pigmatch/error.h"

#include <catch2/catch.hpp>

TEST_CASE("Error carries its code and message") {
  const pigmatch::Error e(pigmatch::ErrorCode::corrupt_data, "photo.jpg: truncated");
  CHECK(e.code() == pigmatch::ErrorCode::corrupt_data);
  CHECK(std::string(e.what()) == "photo.jpg: truncated");
  CHECK(pigmatch::to_string(e.code()) == "corrupt_data");
}

TEST_CASE("ErrorCode::busy and ::cancelled are appended: earlier codes keep their values") {
  CHECK(static_cast<int>(pigmatch::ErrorCode::not_found) == 6);
  CHECK(static_cast<int>(pigmatch::ErrorCode::busy) == 7);
  CHECK(pigmatch::to_string(pigmatch::ErrorCode::busy) == "busy");
  CHECK(static_cast<int>(pigmatch::ErrorCode::cancelled) == 8);
  CHECK(pigmatch::to_string(pigmatch::ErrorCode::cancelled) == "cancelled");
}
