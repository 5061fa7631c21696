// fuzz_cli_args: bytes split into arguments (at '\n' and '\0') → the real `pigmatch` CLI11 app
// with every subcommand registered (cli/app.h make_app), parse only: Callbacks::disabled, so no
// database, photo or file is touched whatever the arguments say. Each argument also goes through
// cli/arguments.cpp's parsers of compound values (parse_lab "L,a,b", parse_rect "x,y,w,h").
//
// CLI::Error (usage errors, --help, --version) and pigmatch::Error are the expected answers;
// anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app.h"
#include "arguments.h"
#include "pigmatch/error.h"

namespace {

// A real command line has a dozen arguments; hundreds only make each input slower.
constexpr std::size_t kMaxArguments = 64;

std::vector<std::string> split_arguments(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> arguments{"pigmatch"};
  std::string current;
  for (std::size_t i = 0; i < size && arguments.size() < kMaxArguments; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n' || c == '\0') {
      arguments.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty() && arguments.size() < kMaxArguments)
    arguments.push_back(current);
  return arguments;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> arguments = split_arguments(data, size);
  std::vector<char*> argv;
  for (std::string& argument : arguments)
    argv.push_back(argument.data());
  argv.push_back(nullptr);

  const auto app = pigmatch::cli::make_app(pigmatch::cli::Callbacks::disabled);
  try {
    app->parse(static_cast<int>(arguments.size()), argv.data());
  } catch (const CLI::Error&) {
  } catch (const pigmatch::Error&) {
  }
  for (const std::string& argument : arguments) {
    try {
      (void)pigmatch::cli::parse_lab(argument, "--lab");
    } catch (const CLI::Error&) {
    }
    try {
      (void)pigmatch::cli::parse_rect(argument, "--region");
    } catch (const CLI::Error&) {
    }
  }
  return 0;
}
