// The PostgreSQL test server for a Catch2 test case: the server, or nullptr after a warning that
// says why the case is skipped (in CI, PIGMATCH_REQUIRE_POSTGRES makes that a failure instead).
#pragma once

#include <catch2/catch.hpp>

#include "postgres_server.h"

namespace pigmatch::test {

inline PostgresServer* server_or_skip() {
  PostgresServer* server = PostgresServer::get();
  if (server == nullptr)
    WARN("PostgreSQL case skipped: " << PostgresServer::why_not());
  return server;
}

}  // namespace pigmatch::test
