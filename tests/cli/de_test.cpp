// `pigmatch de` and the program's conventions, run as a real process.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "csv.h"
#include "process.h"
#include "shared_data.h"

using pigmatch::test::run_pigmatch;

TEST_CASE("pigmatch --version names the program and its version") {
  const auto r = run_pigmatch({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("pigmatch " PIGMATCH_VERSION) != std::string::npos);
}

TEST_CASE("pigmatch --help lists the commands; each command has --help") {
  const auto r = run_pigmatch({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("de") != std::string::npos);
  CHECK(r.out.find("lab") != std::string::npos);
  for (const char* command : {"de", "lab"}) {
    const auto sub = run_pigmatch({command, "--help"});
    CHECK(sub.exit_code == 0);
    CHECK(sub.out.find("--json") != std::string::npos);
  }
}

TEST_CASE("pigmatch de reproduces Sharma's CIEDE2000 test pairs to 1e-4") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const auto table =
      pigmatch::test::read_csv(data / "ciede2000" / "sharma2005_ciede2000_testdata.csv");
  REQUIRE(table.rows.size() == 34);
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const auto& row = table.rows[i];
    const auto r = run_pigmatch({"de", row[1] + "," + row[2] + "," + row[3],
                                 row[4] + "," + row[5] + "," + row[6], "--json"});
    INFO("pair " << row[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto json = nlohmann::json::parse(r.out);
    CHECK(json.at("formula") == "2000");
    CHECK(std::abs(json.at("delta_e").get<double>() - std::stod(row[7])) < 1e-4);
  }
}

TEST_CASE("pigmatch de prints a labelled value, and ΔE*ab is the Euclidean distance") {
  const auto human = run_pigmatch({"de", "50,2.6772,-79.7751", "50,0,-82.7485"});
  CHECK(human.exit_code == 0);
  CHECK(human.out == "ΔE00 2.0425\n");  // Sharma pair 1

  const auto r = run_pigmatch({"de", "50,10,10", "53,14,10", "--formula", "76", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).at("delta_e").get<double>() == Approx(5.0));
}

TEST_CASE("pigmatch de: the parametric weights change the result as CIEDE2000 defines") {
  // A pure lightness difference: ΔE00 = ΔL'/(kL·SL), so doubling kL halves it.
  const auto base = run_pigmatch({"de", "50,0,0", "60,0,0", "--json"});
  const auto weighted = run_pigmatch({"de", "50,0,0", "60,0,0", "--kl", "2", "--json"});
  REQUIRE(base.exit_code == 0);
  REQUIRE(weighted.exit_code == 0);
  const double d1 = nlohmann::json::parse(base.out).at("delta_e").get<double>();
  const double d2 = nlohmann::json::parse(weighted.out).at("delta_e").get<double>();
  CHECK(d2 == Approx(d1 / 2));
}

TEST_CASE("pigmatch usage errors exit with 2 and say what is expected") {
  struct Case {
    std::vector<std::string> args;
    std::string expect;  // a piece of the message
  };
  const std::vector<Case> cases = {
      {{}, "subcommand"},
      {{"frobnicate"}, "frobnicate"},
      {{"de", "50,0,0"}, "LAB2"},
      {{"de", "50,0", "50,0,0"}, "L,a,b"},
      {{"de", "50,0,zero", "50,0,0"}, "L,a,b"},
      {{"de", "150,0,0", "50,0,0"}, "between 0 and 100"},
      {{"de", "nan,0,0", "50,0,0"}, "L,a,b"},
      {{"de", "50,0,0", "50,0,0", "--formula", "99"}, "99"},
      {{"de", "50,0,0", "50,0,0", "--kl", "-1"}, "kl"},
  };
  for (const auto& c : cases) {
    const auto r = run_pigmatch(c.args);
    INFO("args: " << Catch::Detail::stringify(c.args) << "\nstderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.expect) != std::string::npos);
  }
}
