// The pigmatch::Error a call throws. Test support.
#pragma once

#include <catch2/catch.hpp>
#include <stdexcept>

#include "pigmatch/error.h"

namespace pigmatch::test {

/// The error `call` throws; fails the test when it throws nothing (any other exception type
/// escapes and fails it too).
template <class F>
Error error_from(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected a pigmatch::Error, but the call succeeded");
  throw std::logic_error("unreachable");
}

}  // namespace pigmatch::test
