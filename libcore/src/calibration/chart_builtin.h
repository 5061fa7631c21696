// chart_builtin.h — the chart descriptions embedded at build time (libcore/CMakeLists.txt
// generates chart_builtin.cpp from data/charts/*.json, so the library never reads them at run
// time).
#pragma once

#include <span>
#include <string_view>

namespace pigmatch::detail {

struct BuiltinChartText {
  std::string_view id;
  std::string_view json;
};

/// Every built-in chart description, the default chart first.
std::span<const BuiltinChartText> builtin_chart_texts() noexcept;

}  // namespace pigmatch::detail
