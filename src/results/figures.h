#pragma once
// Columns declared once: every flat figure of a run with its key (unit in the name), unit,
// side and how it was obtained. The CSV writer is driven by this list, the JSON writer emits
// it as "definitions", and a test checks that the JSON carries every key.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "results/result.h"

namespace copybench {

using Value = std::variant<std::monostate, double, uint64_t, int64_t, bool, std::string>;

/// A cell of an optional figure: its value, or unknown (an empty cell, null in JSON).
template <typename T>
Value value_or_null(const std::optional<T>& v) {
  if (!v) return std::monostate{};
  return Value{*v};
}

struct Column {
  std::string key;   // CSV header; "sender_x" is JSON sender.x, "zc_x" zerocopy.x, ...
  std::string unit;  // "Gbit/s", "B", "" for text
  std::string how;   // one line: how the figure is obtained
  std::function<Value(const RunResult&)> get;
};

const std::vector<Column>& run_columns();

/// Values for the per-side figures, shared by the two sides' columns and the table.
struct SideColumn {
  std::string group;  // rate, cpu, counter, derived, latency: the table's blocks
  std::string key;
  std::string unit;
  std::string how;
  std::function<Value(const SideFigures&)> get;
};
/// side_columns.cpp.
const std::vector<SideColumn>& side_columns();

/// The --profile columns (results/profile_columns.cpp), last in side_columns(): group
/// "profile" in the table, "profile_detail" in CSV and JSON only.
std::vector<SideColumn> profile_side_columns();

/// Column key of a perf counter ("LLC-load-misses:k" -> "llc_load_misses_kernel"); empty when
/// the counter has no column.
std::string counter_column_key(const std::string& counter_name);

}  // namespace copybench
