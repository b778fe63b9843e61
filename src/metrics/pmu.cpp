#include "metrics/pmu.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace copybench {
namespace {

namespace fs = std::filesystem;

// Bits 32..63 of a generic hardware config name the PMU (PERF_PMU_TYPE_SHIFT in
// linux/perf_event.h; older uapi headers lack the macro).
constexpr int kPmuTypeShift = 32;

// The PMU's dynamic type number from <dir>/type; nullopt when it is missing or not a number
// (such a directory is not a PMU perf_event_open could be given).
std::optional<uint32_t> read_type(const fs::path& dir) {
  std::ifstream in(dir / "type");
  long long type = -1;
  if (!(in >> type) || type < 0 || type > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(type);
}

// Intel hybrid core PMUs are named "cpu_<kind>" (cpu_core, cpu_atom, and cpu_lowpower on
// newer parts); the perf tool recognises them by the same prefix.
bool is_hybrid_name(const std::string& name) { return name.rfind("cpu_", 0) == 0; }

}  // namespace

std::vector<CorePmu> core_pmus(const std::string& devices_dir) {
  std::vector<CorePmu> hybrid;
  std::optional<CorePmu> plain;
  std::error_code ec;
  // A missing directory (no sysfs, or a container without it) means no PMU, not an error.
  for (fs::directory_iterator it(devices_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool is_hybrid = is_hybrid_name(name);
    if (!is_hybrid && name != "cpu") continue;
    const std::optional<uint32_t> type = read_type(it->path());
    if (!type) continue;
    CorePmu pmu{name, *type, is_hybrid};
    if (is_hybrid) {
      hybrid.push_back(pmu);
    } else {
      plain = pmu;
    }
  }
  if (!hybrid.empty()) {
    std::sort(hybrid.begin(), hybrid.end(), [](const CorePmu& a, const CorePmu& b) { return a.name < b.name; });
    return hybrid;
  }
  if (plain) return {*plain};
  return {};
}

uint64_t config_for_pmu(uint64_t config, const CorePmu& pmu) {
  if (!pmu.hybrid) return config;
  // The generic event id stays in the low 32 bits; the PMU type selects the core kind.
  return (config & 0xffffffffULL) | (static_cast<uint64_t>(pmu.type) << kPmuTypeShift);
}

}  // namespace copybench
