#pragma once
// A runs.csv row for the tests that make synthetic sweeps: the cells of `header`'s columns in its
// order, from name=value pairs; a column not named is an empty cell.
#include <map>
#include <string>

namespace copybench::test {

inline std::string csv_row(const std::string& header, const std::map<std::string, std::string>& cells) {
  std::string out, name;
  bool first = true;
  for (char c : header + ",") {
    if (c != ',') {
      name += c;
      continue;
    }
    auto it = cells.find(name);
    out += (first ? "" : ",") + (it == cells.end() ? "" : it->second);
    first = false;
    name.clear();
  }
  return out + "\n";
}

}  // namespace copybench::test
