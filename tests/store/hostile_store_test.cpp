// Damaged and foreign database files under every `pigmatch` command that opens one, run as the
// real program: garbage, a truncated file, a b-tree page overwritten, one flipped bit in a page
// header, a file from a newer pigmatch. Each command exits 1 with a message that names the file
// and says what to do, and the file is never modified (bytes and mtime) nor "repaired", and no
// -wal, -shm or backup file is left beside it.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pigmatch/store/store.h"
#include "process.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using pigmatch::test::file_bytes;
using pigmatch::test::ProcessResult;
using pigmatch::test::RawDb;
using pigmatch::test::run_db;
using pigmatch::test::run_pigmatch;
using pigmatch::test::TempDir;
using pigmatch::test::write_bytes;

namespace {

// A real store made by pigmatch: three clients with a visit each, then closed (no -wal left).
std::string good_store_bytes(const TempDir& dir) {
  const fs::path db = dir / "good.db";
  int id = 0;  // a new store numbers its clients from 1
  for (const char* name : {"Ana Duarte", "Bo Lind", "Cy Okafor"}) {
    REQUIRE(run_db(db, {"client", "add", name}).exit_code == 0);
    REQUIRE(run_db(db, {"visit", "add", std::to_string(++id), "--date", "2024-03-01"}).exit_code ==
            0);
  }
  REQUIRE(!fs::exists(dir / "good.db-wal"));
  return file_bytes(db);
}

// The page (1-based) where table `name` starts, and the page size, as SQLite reports them.
std::pair<std::size_t, std::size_t> root_page(const fs::path& db, const std::string& name) {
  RawDb raw(db, SQLITE_OPEN_READONLY);
  return {std::stoul(raw.scalar("SELECT rootpage FROM sqlite_schema WHERE name = '" + name + "'")),
          std::stoul(raw.scalar("PRAGMA page_size"))};
}

struct FileState {
  std::string bytes;
  timespec mtime{};
};

FileState state_of(const fs::path& file) {
  struct stat st {};
  ::stat(file.c_str(), &st);
  return {file_bytes(file), st.st_mtim};
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct Damage {
  std::string name;
  std::string bytes;
  std::vector<std::string> says;  // what every refusal says about this file
};

std::vector<Damage> damaged_files(const TempDir& dir) {
  const std::string good = good_store_bytes(dir);
  const auto [clients_page, page_size] = root_page(dir / "good.db", "clients");
  REQUIRE(clients_page > 1);
  const std::size_t clients_at = (clients_page - 1) * page_size;
  REQUIRE(good.size() >= clients_at + page_size);

  std::mt19937 rng(11);
  std::string garbage(8192, '\0');
  for (char& c : garbage)
    c = static_cast<char>(rng());
  std::string overwritten = good;  // the clients table's page replaced by noise
  for (std::size_t i = clients_at; i < clients_at + page_size; ++i)
    overwritten[i] = static_cast<char>(rng());
  std::string flipped = good;  // one bit of its b-tree page type: 0x0D (leaf) becomes 0x0C
  flipped[clients_at] = static_cast<char>(flipped[clients_at] ^ 0x01);
  REQUIRE(good[clients_at] == 0x0D);

  std::string newer;
  {
    const fs::path file = dir / "newer-source.db";
    write_bytes(file, good);
    RawDb(file).exec("PRAGMA user_version = " +
                     std::to_string(pigmatch::store::schema_version + 1));
    newer = file_bytes(file);
    fs::remove(file);
  }
  return {
      {"garbage.db", garbage, {"not a pigmatch database", "not changed"}},
      {"truncated.db", good.substr(0, good.size() / 2), {"damaged", "not changed", "backup"}},
      {"overwritten-page.db", overwritten, {"damaged", "not changed", "backup"}},
      {"flipped-bit.db", flipped, {"damaged", "not changed", "backup"}},
      {"newer.db",
       newer,
       {"newer pigmatch", "version " + std::to_string(pigmatch::store::schema_version + 1),
        "Update pigmatch", "not changed"}},
  };
}

}  // namespace

TEST_CASE("damaged and newer databases: every command refuses them and leaves them as they were",
          "[hostile][store]") {
  TempDir dir;
  const std::vector<Damage> files = damaged_files(dir);
  const std::vector<std::vector<std::string>> commands = {
      {"client", "list"},
      {"client", "show", "1"},
      {"client", "add", "New Client"},
      {"visit", "add", "1", "--date", "2025-01-01"},
      {"db", "check"},
      {"db", "migrate"},
      {"db", "backup", (dir / "copy.db").string()},
      {"db", "migrate", "--to", (dir / "moved.db").string()},
      {"studio", "add", "North"},
      {"client", "share", "1", "--studio", "North"},
  };
  for (const Damage& damage : files) {
    SECTION(damage.name) {
      const fs::path file = dir / damage.name;
      write_bytes(file, damage.bytes);
      const FileState before = state_of(file);
      const auto names = names_in(dir.path());
      for (const auto& command : commands) {
        const ProcessResult r = run_db(file, command);
        INFO(damage.name << ": pigmatch " << command[0] << " " << command[1] << "\n" << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(file.string()));
        for (const std::string& phrase : damage.says)
          CHECK_THAT(r.err, Catch::Contains(phrase));
        const FileState after = state_of(file);
        CHECK(after.bytes == before.bytes);
        CHECK(after.mtime.tv_sec == before.mtime.tv_sec);
        CHECK(after.mtime.tv_nsec == before.mtime.tv_nsec);
        CHECK(names_in(dir.path()) == names);
      }
    }
  }
}

TEST_CASE("a read command answers from intact pages of a damaged file and changes nothing",
          "[hostile][store]") {
  // Commands that only read skip the whole-file check (it costs O(file size) at every start):
  // `lot list` never reads the clients page that is damaged here. The file stays as it was,
  // and the next command that reads that page, writes, checks or backs up says it is damaged.
  TempDir dir;
  const std::vector<Damage> files = damaged_files(dir);
  const auto overwritten = std::find_if(
      files.begin(), files.end(), [](const Damage& d) { return d.name == "overwritten-page.db"; });
  REQUIRE(overwritten != files.end());
  const fs::path file = dir / overwritten->name;
  write_bytes(file, overwritten->bytes);
  const FileState before = state_of(file);
  const ProcessResult lots = run_db(file, {"lot", "list"});
  INFO(lots.err);
  CHECK(lots.exit_code == 0);
  const ProcessResult clients = run_db(file, {"client", "list"});
  CHECK(clients.exit_code == 1);
  CHECK_THAT(clients.err, Catch::Contains("damaged"));
  const FileState after = state_of(file);
  CHECK(after.bytes == before.bytes);
  CHECK(after.mtime.tv_nsec == before.mtime.tv_nsec);
}
