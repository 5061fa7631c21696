// What store.cpp (the records) and store_schema.cpp (opening, checking, migrating) share.
#pragma once

#include <filesystem>
#include <string>

#include "pigmatch/store.h"
#include "store_sqlite.h"

namespace pigmatch::store {

struct Store::Impl {
  Impl(const std::filesystem::path& file, int flags) : db(file, flags) {}
  detail::Connection db;
  std::filesystem::path path;
  MigrationReport migration;
};

namespace detail {

/// pigmatch's PRAGMA application_id ("PGMT"): tells our files from other programs' databases.
inline constexpr int application_id = 0x50474D54;

/// The current time in UTC as "YYYY-MM-DDTHH:MM:SSZ".
std::string now_utc();

/// A consistent copy of `source`'s main database into `destination` (which must not exist),
/// written under a temporary name and renamed when complete.
void backup_database(sqlite3* source, const std::filesystem::path& source_file,
                     const std::filesystem::path& destination);

}  // namespace detail
}  // namespace pigmatch::store
