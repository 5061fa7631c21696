// A small reader for the reference CSV files in ../shared/data (one header row, '.' decimals,
// no quoting, LF or CRLF line ends). Test support only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace pigmatch::test {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  /// Index of a header column; throws when absent so a renamed column fails loudly.
  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name)
        return i;
    }
    throw std::runtime_error("CSV column not found: " + name);
  }
  double number(std::size_t row, std::size_t col) const { return std::stod(rows.at(row).at(col)); }
};

inline std::vector<std::string> split_csv_line(std::string line) {
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ','))
    fields.push_back(field);
  if (!line.empty() && line.back() == ',')
    fields.emplace_back();
  return fields;
}

inline CsvTable read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path.string());
  CsvTable table;
  std::string line;
  if (std::getline(in, line))
    table.header = split_csv_line(line);
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r")
      continue;
    table.rows.push_back(split_csv_line(line));
  }
  return table;
}

}  // namespace pigmatch::test
