// A full disk and a read-only disk while the real `pigmatch` writes: `client add`, `measure
// --save`, the backup a migration takes, `measure --profile-out`. Each must fail with a message
// that says what happened and what to do, exit 1, and leave the store passing PRAGMA
// integrity_check with every earlier record intact.
//
// CI runs as root, and root ignores file permissions, so the tests use limits that bind root too:
//   - RLIMIT_FSIZE on the pigmatch process (setrlimit between fork and exec, SIGXFSZ ignored so
//     that a write past the limit fails with EFBIG instead of killing the process): always runs;
//   - /dev/full (every write fails with ENOSPC): always runs;
//   - a real tmpfs, filled up (ENOSPC) or remounted read-only (EROFS), mounted in a private mount
//     namespace of this test process so nothing outlives it: runs where mounting is allowed
//     (root with CAP_SYS_ADMIN), and is skipped with a message elsewhere.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "process.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using pigmatch::test::file_bytes;
using pigmatch::test::ProcessResult;
using pigmatch::test::RawDb;
using pigmatch::test::slurp;
using pigmatch::test::TempDir;

namespace {

const std::string scalp_photo =
    (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "scalp-canon40d-f11.jpg").string();
const std::string chart_corners = "58.7,256.9,521.1,209.2,557.7,528.2,81.3,568.1";

// Runs pigmatch like test::run_pigmatch, with RLIMIT_FSIZE = `max_file_bytes` when given: no
// file can grow past it. SIGXFSZ is ignored in the child (an ignored signal survives exec), so a
// write past the limit returns EFBIG, as a full disk returns ENOSPC.
ProcessResult run_pigmatch_limited(const std::vector<std::string>& args,
                                   std::optional<rlim_t> max_file_bytes = std::nullopt) {
  const TempDir capture;
  const fs::path out_path = capture / "out", err_path = capture / "err";
  std::vector<std::string> storage{PIGMATCH_EXE};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : storage)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
        ::dup2(err, 2) < 0)
      ::_exit(126);
    if (max_file_bytes) {
      std::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{*max_file_bytes, *max_file_bytes};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
        ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

// What every refused write says: nothing was saved, and that space (or a writable disk) is needed.
bool says_no_space(const std::string& message) {
  std::string lower = message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("nothing was saved") != std::string::npos &&
         (lower.find("free some space") != std::string::npos ||
          lower.find("free space") != std::string::npos);
}

ProcessResult run_db(const fs::path& db, std::vector<std::string> args,
                     std::optional<rlim_t> max_file_bytes = std::nullopt) {
  args.insert(args.end(), {"--db", db.string()});
  return run_pigmatch_limited(args, max_file_bytes);
}

// A studio's store: three clients, each with a visit. Returns the ids as pigmatch printed them.
std::vector<std::string> make_store(const fs::path& db) {
  std::vector<std::string> ids;
  for (const char* name : {"Ana Duarte", "Bo Lind", "Cy Okafor"}) {
    const ProcessResult add = run_db(db, {"client", "add", name, "--notes", "crown and temples"});
    INFO(add.err);
    REQUIRE(add.exit_code == 0);
    const auto at = add.out.find_first_of("0123456789");
    REQUIRE(at != std::string::npos);
    ids.push_back(add.out.substr(at, add.out.find_first_not_of("0123456789", at) - at));
    REQUIRE(run_db(db, {"visit", "add", ids.back(), "--date", "2024-03-01"}).exit_code == 0);
  }
  return ids;
}

// What the store holds, read by SQLite directly (not through pigmatch).
struct StoreContents {
  std::string integrity;
  std::vector<std::vector<std::string>> clients, visits, measurements;
};

StoreContents contents(const fs::path& db) {
  RawDb raw(db, SQLITE_OPEN_READONLY);
  return {raw.scalar("PRAGMA integrity_check"),
          raw.rows("SELECT id, name, notes FROM clients ORDER BY id"),
          raw.rows("SELECT id, client_id, date FROM visits ORDER BY id"),
          raw.rows("SELECT id, client_id, region, L, a, b FROM measurements ORDER BY id")};
}

void check_intact(const fs::path& db, const StoreContents& before) {
  const StoreContents after = contents(db);
  CHECK(after.integrity == "ok");
  CHECK(after.clients == before.clients);
  CHECK(after.visits == before.visits);
  CHECK(after.measurements == before.measurements);
}

std::vector<std::string> measure_save(const std::string& client) {
  return {"measure",  scalp_photo, "--chart", "none", "--region", "skin=683,455,193,257",
          "--client", client,      "--save"};
}

// A version-1 store (the frozen v1 DDL) big enough that its backup is larger than 64 KiB.
void make_v1_store(const fs::path& db) {
  RawDb raw(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const std::string ddl =
      file_bytes(fs::path(PIGMATCH_SOURCE_DIR) / "tests" / "store" / "schema_v1.sql");
  REQUIRE(!ddl.empty());
  std::string sql = "BEGIN;" + ddl;
  for (int i = 1; i <= 300; ++i) {
    sql += "INSERT INTO clients (id, name, notes, created_at) VALUES (" + std::to_string(i) +
           ", 'Client " + std::to_string(i) + "', '" + std::string(300, 'n') +
           "', '2020-01-02T03:04:05Z');";
  }
  REQUIRE(raw.exec(sql + "COMMIT;") == SQLITE_OK);
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// ---- a tmpfs in a private mount namespace ------------------------------------------------------

// Moves this test process into a mount namespace of its own (once), so that the tmpfs mounts
// below are invisible to the machine and vanish with the process. Nothing when not allowed.
std::optional<std::string> private_mounts_unavailable() {
  static const std::optional<std::string> why = []() -> std::optional<std::string> {
    if (::unshare(CLONE_NEWNS) != 0)
      return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return std::string("making / private: ") + std::strerror(errno);
    return std::nullopt;
  }();
  return why;
}

class Tmpfs {
 public:
  explicit Tmpfs(std::size_t bytes) {
    if (const auto why = private_mounts_unavailable()) {
      failure_ = *why;
      return;
    }
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) != 0) {
      failure_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~Tmpfs() {
    if (mounted_)
      ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& failure() const { return failure_; }
  fs::path operator/(const std::string& name) const { return dir_ / name; }

  void remount(bool read_only) const {
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    REQUIRE(::mount("tmpfs", dir_.path().c_str(), "tmpfs", flags, nullptr) == 0);
  }
  // Writes a filler file until the disk says ENOSPC.
  void fill() const {
    const int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    const std::vector<char> block(4096, 'x');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const int error = errno;
    ::close(fd);
    REQUIRE(error == ENOSPC);
  }
  void unfill() const { fs::remove(dir_ / "filler"); }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string failure_;
};

#define PIGMATCH_REQUIRE_TMPFS(mount)                                                         \
  if (!(mount).mounted()) {                                                                   \
    WARN("skipped: cannot mount a tmpfs here (" << (mount).failure()                          \
                                                << "); the RLIMIT_FSIZE and /dev/full tests " \
                                                   "still ran");                              \
    return;                                                                                   \
  }

}  // namespace

TEST_CASE("full disk (RLIMIT_FSIZE): client add fails with a message, the store stays intact",
          "[hostile][disk]") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  make_store(db);
  const StoreContents before = contents(db);
  REQUIRE(before.clients.size() == 3);

  // 32 KiB lets SQLite make its 32 KiB shared-memory index, not the 100 kB record's log frames.
  const ProcessResult r =
      run_db(db, {"client", "add", "Dee Large", "--notes", std::string(100000, 'n')}, 32768);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(db.string()));
  CHECK(says_no_space(r.err));
  check_intact(db, before);
  // Without the limit the same command works: the store was not left locked or half-written.
  CHECK(run_db(db, {"client", "add", "Dee Large", "--notes", std::string(100000, 'n')}).exit_code ==
        0);
  CHECK(contents(db).clients.size() == 4);
}

TEST_CASE("full disk (RLIMIT_FSIZE): measure --save fails before writing, the store stays intact",
          "[hostile][disk]") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const auto ids = make_store(db);
  REQUIRE(run_db(db, measure_save(ids[0])).exit_code == 0);
  const StoreContents before = contents(db);
  REQUIRE(before.measurements.size() == 1);

  // 16 KiB: not even SQLite's shared-memory index fits, the way a disk with no space left fails.
  const ProcessResult r = run_db(db, measure_save(ids[1]), 16384);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(db.string()));
  CHECK(says_no_space(r.err));
  check_intact(db, before);
}

TEST_CASE("full disk (RLIMIT_FSIZE): the backup before a migration fails, the file is unchanged",
          "[hostile][disk]") {
  TempDir dir;
  const fs::path db = dir / "old.db";
  make_v1_store(db);
  const std::string bytes = file_bytes(db);
  REQUIRE(bytes.size() > 65536);
  const auto files = names_in(dir.path());

  const ProcessResult r = run_db(db, {"db", "migrate"}, 65536);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("the backup of " + db.string()));
  CHECK(says_no_space(r.err));
  CHECK(file_bytes(db) == bytes);
  CHECK(names_in(dir.path()) == files);  // no half backup left behind
  // With room, the migration runs and keeps the data.
  const ProcessResult ok = run_db(db, {"db", "migrate"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(RawDb(db, SQLITE_OPEN_READONLY).scalar("SELECT count(*) FROM clients") == "300");
}

TEST_CASE("full disk: --profile-out fails with a message and never leaves half a profile",
          "[hostile][disk]") {
  TempDir dir;
  const fs::path profile = dir / "canon-f11.icc";
  const std::vector<std::string> measure = {"measure",     scalp_photo,     "--chart",
                                            chart_corners, "--profile-out", profile.string()};
  const ProcessResult first = run_pigmatch_limited(measure);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const std::string saved = file_bytes(profile);
  REQUIRE(saved.size() > 512);
  REQUIRE(saved.substr(36, 4) == "acsp");  // an ICC profile's signature

  SECTION("a file-size limit below the profile's size: the earlier profile survives") {
    const ProcessResult r = run_pigmatch_limited(measure, 256);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(profile.string()) && Catch::Contains("File too large") &&
                          Catch::Contains("free some space"));
    CHECK(file_bytes(profile) == saved);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"canon-f11.icc"});
  }
  SECTION("/dev/full") {
    std::vector<std::string> args = measure;
    args.back() = "/dev/full";
    const ProcessResult r = run_pigmatch_limited(args);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("/dev/full") && Catch::Contains("No space left on device"));
    CHECK(fs::is_character_file("/dev/full"));
  }
}

TEST_CASE("full disk (a filled tmpfs): client add, measure --save, --profile-out",
          "[hostile][disk][tmpfs]") {
  const Tmpfs disk(2 << 20);
  PIGMATCH_REQUIRE_TMPFS(disk);
  const fs::path db = disk / "studio.db";
  const auto ids = make_store(db);
  REQUIRE(run_db(db, measure_save(ids[0])).exit_code == 0);
  const StoreContents before = contents(db);

  disk.fill();
  const ProcessResult add =
      run_db(db, {"client", "add", "Dee Large", "--notes", std::string(100000, 'n')});
  INFO(add.err);
  CHECK(add.exit_code == 1);
  CHECK_THAT(add.err, Catch::Contains(db.string()) && Catch::Contains("the disk is full"));
  CHECK(says_no_space(add.err));
  disk.fill();  // a failed write may have given back the space it had taken
  const ProcessResult save = run_db(db, measure_save(ids[1]));
  INFO(save.err);
  CHECK(save.exit_code == 1);
  CHECK_THAT(save.err, Catch::Contains(db.string()));
  CHECK(says_no_space(save.err));
  disk.fill();
  const ProcessResult profile =
      run_pigmatch_limited({"measure", scalp_photo, "--chart", chart_corners, "--profile-out",
                            (disk / "p.icc").string()});
  INFO(profile.err);
  CHECK(profile.exit_code == 1);
  CHECK_THAT(profile.err, Catch::Contains("No space left on device"));
  CHECK(!fs::exists(disk / "p.icc"));

  disk.unfill();
  check_intact(db, before);
  // Nothing but the store and SQLite's own -wal and -shm files: no half profile, no temp file.
  for (const std::string& name : names_in(disk / ""))
    CHECK(name.rfind("studio.db", 0) == 0);
}

TEST_CASE("read-only disk (a tmpfs remounted read-only): every write fails, nothing changes",
          "[hostile][disk][tmpfs]") {
  const Tmpfs disk(8 << 20);
  PIGMATCH_REQUIRE_TMPFS(disk);
  const fs::path db = disk / "studio.db";
  const fs::path old = disk / "old.db";
  const auto ids = make_store(db);
  make_v1_store(old);
  const StoreContents before = contents(db);
  const std::string db_bytes = file_bytes(db), old_bytes = file_bytes(old);
  const auto files = names_in(disk / "");
  disk.remount(true);

  const ProcessResult add = run_db(db, {"client", "add", "Eve"});
  INFO(add.err);
  CHECK(add.exit_code == 1);
  CHECK_THAT(add.err, Catch::Contains(db.string()) && Catch::Contains("read-only"));
  const ProcessResult save = run_db(db, measure_save(ids[0]));
  INFO(save.err);
  CHECK(save.exit_code == 1);
  CHECK_THAT(save.err, Catch::Contains(db.string()) && Catch::Contains("read-only"));
  const ProcessResult migrate = run_db(old, {"db", "migrate"});
  INFO(migrate.err);
  CHECK(migrate.exit_code == 1);
  CHECK_THAT(migrate.err, Catch::Contains("read-only"));
  const ProcessResult profile =
      run_pigmatch_limited({"measure", scalp_photo, "--chart", chart_corners, "--profile-out",
                            (disk / "p.icc").string()});
  INFO(profile.err);
  CHECK(profile.exit_code == 1);
  CHECK_THAT(profile.err, Catch::Contains("Read-only file system") && Catch::Contains("writable"));
  // Reading still works on a read-only disk.
  const ProcessResult list = run_db(db, {"client", "list"});
  INFO(list.err);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("Cy Okafor") != std::string::npos);

  disk.remount(false);
  CHECK(file_bytes(db) == db_bytes);
  CHECK(file_bytes(old) == old_bytes);
  CHECK(names_in(disk / "") == files);
  check_intact(db, before);
}
