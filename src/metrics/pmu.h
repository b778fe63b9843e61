#pragma once
// Which CPU PMUs a generic hardware event must be opened on. On a hybrid Intel CPU the
// kernel registers one PMU per core type (cpu_core, cpu_atom) and a generic PERF_TYPE_HARDWARE
// event counts on one of them only; the event must be opened once per PMU, with the PMU's type
// in the upper 32 bits of config (PERF_PMU_TYPE_SHIFT, Linux 5.18+), and the counts summed.
#include <cstdint>
#include <string>
#include <vector>

namespace copybench {

struct CorePmu {
  std::string name;   // "cpu_core", "cpu_atom"; "cpu" on a non-hybrid machine
  uint32_t type = 0;  // /sys/bus/event_source/devices/<name>/type
  bool hybrid = false;
};

/// The core PMUs under `devices_dir`: every hybrid PMU (cpu_core, cpu_atom, in name order)
/// when there are any, else the single "cpu" PMU (hybrid = false), else none (no PMU, as in
/// most VMs: hardware events will not open).
std::vector<CorePmu> core_pmus(const std::string& devices_dir = "/sys/bus/event_source/devices");

/// PERF_TYPE_HARDWARE / PERF_TYPE_HW_CACHE config for `pmu`: unchanged on a non-hybrid PMU,
/// the PMU's type in bits 32..63 on a hybrid one.
uint64_t config_for_pmu(uint64_t config, const CorePmu& pmu);

}  // namespace copybench
