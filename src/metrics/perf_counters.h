#pragma once
// Hardware and software event counts for a set of threads over a window, read with
// perf_event_open(2) directly. Each event is opened per thread (and per core PMU on hybrid
// CPUs), disabled; start() resets and enables them all, stop() disables them, read() sums
// them with time_enabled/time_running scaling. An event the machine cannot count is reported
// with the reason, never as 0.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/pmu.h"

namespace copybench {

/// The calling thread's kernel id (gettid).
pid_t current_tid();

/// One event of the fixed list copybench counts.
struct CounterSpec {
  std::string name;          // as perf names it: "cycles", "LLC-load-misses", "context-switches"
  uint32_t type = 0;         // PERF_TYPE_HARDWARE, PERF_TYPE_HW_CACHE or PERF_TYPE_SOFTWARE
  uint64_t config = 0;       // generic config (without a PMU type)
  bool kernel_only = false;  // exclude_user: the kernel's share alone ("<name>:k")
  std::string key() const { return kernel_only ? name + "_kernel" : name; }
};

/// cycles, instructions, L1-dcache-load-misses, LLC-load-misses, cache-misses (each also
/// kernel-only), context-switches, cpu-migrations, page-faults, task-clock.
const std::vector<CounterSpec>& counter_specs();

/// One event's figure over the window, summed over the threads (and PMUs).
struct CounterReading {
  std::string name;                   // spec name, ":k" appended for kernel-only
  std::string scope;                  // "user+kernel", "kernel" or "user" (kernel refused)
  std::optional<uint64_t> value;      // scaled count; task-clock in ns; null when unavailable
  std::optional<double> running_pct;  // lowest time_running / time_enabled * 100 over its fds
  int threads = 0;                    // threads counted
  std::string reason;                 // why value is null, or a caveat (threads missed); else empty
};

class ThreadCounters {
 public:
  /// Opens every event of counter_specs() on every thread in `tids` (threads of this process),
  /// disabled. Never throws for an event that cannot be opened: its reading says why.
  explicit ThreadCounters(const std::vector<pid_t>& tids, std::vector<CorePmu> pmus = core_pmus());
  ThreadCounters(const ThreadCounters&) = delete;
  ThreadCounters& operator=(const ThreadCounters&) = delete;
  ~ThreadCounters();

  void start();  // reset, then enable: the window begins
  void stop();   // disable: the window ends
  /// One reading per spec, in counter_specs() order. Valid after stop().
  std::vector<CounterReading> read() const;

 private:
  struct Event {
    CounterSpec spec;
    std::string scope;
    std::string reason;
    std::vector<int> fds;
    int threads = 0;
  };
  std::vector<Event> events_;
};

/// /proc/sys/kernel/perf_event_paranoid, nullopt when unreadable.
std::optional<int> perf_event_paranoid();

}  // namespace copybench
