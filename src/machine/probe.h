#pragma once
// `copybench probe`: what this machine supports, each answer found by trying it for real.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace copybench {

struct ProbeItem {
  std::string key;
  std::optional<bool> ok;  // null: not a yes/no question
  std::string detail;      // the value, or why not
};

std::vector<ProbeItem> run_probe();
std::string render_probe(const std::vector<ProbeItem>& items);
nlohmann::json probe_json(const std::vector<ProbeItem>& items);

}  // namespace copybench
