#include <fmt/format.h>
#include <cmath>
#include <fstream>

#include "core/durable_file.h"
#include "core/error.h"
#include "output/writers.h"
#include "results/figures.h"

namespace copybench {
namespace {

// Unknown is an empty cell, never 0.
std::string cell(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "";
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return fmt::format("{:.6g}", x);
        else if constexpr (std::is_same_v<T, std::string>) return csv_quote(x);
        else return std::to_string(x);
      },
      v);
}

}  // namespace

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_header() {
  std::string line;
  for (const auto& col : run_columns()) line += (line.empty() ? "" : ",") + col.key;
  return line;
}

std::string csv_row(const RunResult& result) {
  std::string line;
  bool first = true;
  for (const auto& col : run_columns()) {
    if (!first) line += ",";
    line += cell(col.get(result));
    first = false;
  }
  return line;
}

void append_csv(const std::string& path, const RunResult& result) {
  std::string existing_header;
  {
    std::ifstream in(path);
    if (in) std::getline(in, existing_header);
  }
  auto header = csv_header();
  if (!existing_header.empty() && existing_header != header)
    throw Error(fmt::format("{} already holds rows with other columns; write to a new file", path));
  // Header (when new) and row in one append: a crash or a full disk never leaves half a row.
  append_durably(path, (existing_header.empty() ? header + '\n' : std::string()) + csv_row(result) + '\n');
}

}  // namespace copybench
