// The pigmatch::Error a call throws. Test support.
#pragma once

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <utility>

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

/// The message of the error `call` throws, as error_from() finds it.
template <class F>
std::string error_message(F&& call) {
  return error_from(std::forward<F>(call)).what();
}

}  // namespace pigmatch::test
