#include "session/affinity.h"

#include <fmt/format.h>
#include <sched.h>
#include <cerrno>
#include <vector>

#include "core/error.h"

namespace copybench {
namespace {

// The CPUs this process may use (taskset, cgroups), in order: pinning stays inside them.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

}  // namespace

int pin_cpu(PinMode mode, int index, bool sender_side) {
  if (mode == PinMode::none) return -1;
  static const std::vector<int> cpus = allowed_cpus();
  const size_t slot =
      mode == PinMode::same ? static_cast<size_t>(index) : 2 * static_cast<size_t>(index) + (sender_side ? 0 : 1);
  return cpus[slot % cpus.size()];
}

std::string pin_current_thread(int cpu) {
  if (cpu < 0) return "";
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) == 0) return "";
  return fmt::format("pinning a connection thread to CPU {}: {}", cpu, errno_text(errno));
}

}  // namespace copybench
