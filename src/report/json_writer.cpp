#include <fmt/format.h>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "report/writers.h"
#include "results/result_json.h"

namespace copybench {

void write_json(const std::string& path, const RunResult& result) {
  auto text = to_json(result).dump(2) + "\n";
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw_sys(fmt::format("open {} for writing", path), errno);
  out << text;
  if (!out.flush()) throw_sys(fmt::format("write {}", path), errno);
}

}  // namespace copybench
