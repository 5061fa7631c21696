#include "pigmatch/version.h"

#include <fmt/core.h>

int main() {
  fmt::print("pigmatch {}\n", PIGMATCH_VERSION_STRING);
  return 0;
}
