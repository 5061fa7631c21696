// find_client_copies: the backups and old copies of a database that still hold a client, for
// `client erase` (the right to be forgotten covers every copy the studio keeps).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <system_error>

#include "pigmatch/error.h"
#include "pigmatch/store/store.h"
#include "store/store_internal.h"

namespace pigmatch::store {
namespace {

namespace fs = std::filesystem;

// pigmatch's mark, PRAGMA application_id, is the big-endian word at offset 68 of the header.
bool has_pigmatch_mark(const fs::path& file) {
  std::array<unsigned char, 72> head{};
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  if (!in)
    return false;
  const std::uint32_t id = (std::uint32_t{head[68]} << 24U) | (std::uint32_t{head[69]} << 16U) |
                           (std::uint32_t{head[70]} << 8U) | std::uint32_t{head[71]};
  return id == static_cast<std::uint32_t>(detail::application_id);
}

// The database file and the side files SQLite keeps beside it.
std::set<fs::path> own_files(const fs::path& database) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(database, ec);
  std::set<fs::path> files{base};
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    fs::path side = base;
    side += suffix;
    files.insert(side);
  }
  return files;
}

// The client's row in a copy: one with the same id made at the same second, and its name then
// (a copy taken before the name was corrected holds the old one). Nothing when there is none.
std::optional<std::string> name_in_copy(detail::SqliteConnection& db, const Client& client) {
  detail::Statement s = db.prepare("SELECT name, created_at FROM clients WHERE id = ?");
  s.bind(1, client.id);
  if (!s.step() || s.text(1) != client.created_at)
    return std::nullopt;
  return s.text(0);
}

}  // namespace

std::vector<ClientCopy> find_client_copies(const Client& client,
                                           const std::vector<fs::path>& folders,
                                           const fs::path& database) {
  const std::set<fs::path> skip = own_files(database);
  std::set<fs::path> seen;
  std::vector<ClientCopy> copies;
  for (const fs::path& folder : folders) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path file = fs::weakly_canonical(it->path(), ec);
      std::error_code size_ec;
      const std::uintmax_t size = fs::file_size(file, size_ec);
      if (ec || size_ec || !it->is_regular_file(size_ec) || skip.count(file) != 0 ||
          !seen.insert(file).second) {
        ec.clear();
        continue;
      }
      try {
        if (!detail::has_sqlite_header(file, size) || !has_pigmatch_mark(file))
          continue;
        detail::SqliteConnection db(detail::inspection_uri(file),
                                    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, file);
        if (const std::optional<std::string> name = name_in_copy(db, client)) {
          copies.push_back({file, {}, *name == client.name ? std::string() : *name});
        }
      } catch (const std::exception& e) {
        copies.push_back({file, e.what(), {}});
      }
    }
  }
  std::sort(copies.begin(), copies.end(),
            [](const ClientCopy& x, const ClientCopy& y) { return x.file < y.file; });
  return copies;
}

}  // namespace pigmatch::store
