// Test helper for store_crash_test.cpp: writes formulas for one client in a loop and prints each
// formula's id on stdout only after save_formula() returned, i.e. after COMMIT. The test kills
// this process at random moments and then checks that every printed id is in the file.
//
// Usage: store_crash_writer DB CLIENT_ID COUNT   (CLIENT_ID 0: add a client first; COUNT 0: until
// killed)
// Exit: 0 done, 1 a pigmatch::Error (message on stderr), 2 usage.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "pigmatch/store/store.h"

namespace {

// write(2) directly: no stdio buffer may hold an acknowledged id when the process dies.
void acknowledge(pigmatch::store::Id id) {
  const std::string line = std::to_string(id) + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(1, line.data() + done, line.size() - done);
    if (n <= 0)
      std::_Exit(3);
    done += static_cast<std::size_t>(n);
  }
}

pigmatch::store::Formula formula_for(pigmatch::store::Id client, long i) {
  pigmatch::store::Formula f;
  f.client_id = client;
  f.region = "crown";
  f.target = {20.0 + static_cast<double>(i % 50), static_cast<double>(i % 7) - 3.0,
              static_cast<double>(i % 11)};
  f.predicted = {f.target.L + 0.3, f.target.a, f.target.b - 0.2};
  f.delta_e00 = 0.4;
  f.model = "crash-test";
  f.catalog = "demo";
  f.components = {
      {"Vendor", "BLK", "L" + std::to_string(i % 13), 3.0 + static_cast<double>(i % 5), 0.15},
      {"Vendor", "DIL", "", 7.0, 0.35}};
  f.notes = "write " + std::to_string(i);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_crash_writer DB CLIENT_ID COUNT\n");
    return 2;
  }
  pigmatch::store::Id client = std::atoll(argv[2]);
  const long count = std::atol(argv[3]);
  try {
    pigmatch::store::OpenOptions options;
    options.busy_timeout_ms = 20000;
    pigmatch::store::Store store = pigmatch::store::Store::open(argv[1], options);
    if (client == 0)
      client = store.add_client({0, "Crash Test", "", "", "", "", ""});
    for (long i = 0; count == 0 || i < count; ++i)
      acknowledge(store.save_formula(formula_for(client, i)));
  } catch (const pigmatch::Error& e) {
    std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
