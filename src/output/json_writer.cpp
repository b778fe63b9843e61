#include <iostream>

#include "core/durable_file.h"
#include "output/writers.h"
#include "results/result_json.h"

namespace copybench {

void write_json(const std::string& path, const RunResult& result) {
  auto text = to_json(result).dump(2) + "\n";
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  // A crash or a full disk leaves the old file or the new one, never a torn document.
  replace_file_durably(path, text);
}

}  // namespace copybench
