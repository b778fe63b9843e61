#pragma once
// Kernel events on the data path, counted with perf_event_open over a window: tracepoints
// (PERF_TYPE_TRACEPOINT, id from tracefs events/<sys>/<name>/id) and, where the kernel has a
// kprobe PMU, kprobes on the copy routines that have no tracepoint. Each event is counted in
// two scopes:
//   threads: task-bound on the given threads (pid = tid, cpu = -1), as ThreadCounters does.
//            A task-bound event fires for whatever runs while the task is current, so softirq
//            work on top of a test thread (on loopback: the receive path, inside the sender's
//            send call) counts for that thread's side; work in ksoftirqd or on another
//            thread's CPU time does not.
//   system:  the whole machine (pid = -1, one event per online CPU): every softirq, every
//            process. Needs CAP_PERFMON or root. On loopback both sides see the same machine.
// Counting only: no PERF_SAMPLE_RAW, so a length field in the event is not summed.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/perf_event.h"

namespace copybench {

/// One event copybench counts. A tracepoint has `system` and `name`; a kprobe has system
/// "kprobe" and the kernel function as `name`.
struct EventSpec {
  std::string system, name;
  std::string key;      // column stem: "rx_copies"
  std::string meaning;  // one line, for the JSON definitions and METHODOLOGY
  bool kprobe = false;
  std::string full_name() const { return system + ":" + name; }
};

/// The tracepoints, then the kprobes, in report order.
const std::vector<EventSpec>& event_specs();

/// Where the kernel's event sources are, or why they are not there.
struct EventSources {
  std::string tracefs;         // ".../tracing" holding events/; empty when unusable
  std::string tracefs_reason;  // why tracefs is empty
  std::optional<uint32_t> kprobe_type;
  std::string kprobe_reason;  // why kprobe_type is null
  std::optional<std::vector<int>> cpus;
  std::string cpus_reason;

  /// The real machine: tracefs (mounted here when neither usual place has it and this process
  /// is root, as perf does), the kprobe PMU, the online CPUs.
  static EventSources detect();
};

/// The first of /sys/kernel/tracing and /sys/kernel/debug/tracing with an events/ folder.
/// When neither has one and `may_mount`, mounts tracefs on /sys/kernel/tracing and looks again.
/// Empty, with *why, when there is none.
std::string find_tracefs(bool may_mount, std::string* why);

/// events/<system>/<name>/id under `tracefs`; nullopt with *why.
std::optional<uint64_t> tracepoint_id(const std::string& tracefs, const std::string& system, const std::string& name,
                                      std::string* why);

/// The kprobe PMU's type number (`devices_dir`/kprobe/type); nullopt with *why ("no kprobe PMU
/// on this kernel") when the kernel has none.
std::optional<uint32_t> kprobe_pmu_type(const std::string& devices_dir, std::string* why);

/// One event in one scope over the window.
struct EventCount {
  std::string name;               // "skb:skb_copy_datagram_iovec", "kprobe:_copy_from_iter"
  std::string key;                // "rx_copies"
  std::string scope;              // "threads" or "system"
  std::optional<uint64_t> count;  // null when it could not be counted (reason says why)
  std::string reason;             // why null, or a caveat (some threads missed)
};

class EventCounters {
 public:
  /// Opens every event of event_specs() in both scopes, disabled. Never throws for an event
  /// that cannot be opened: its count is null with the reason.
  EventCounters(const std::vector<pid_t>& tids, const EventSources& sources);

  /// Turns counting on and off; counts add up over the enabled stretches (the profiled
  /// slices of the window). The system scope is on whenever the threads scope is, so the
  /// machine's count is never below the threads'. Returns the first errno, or 0.
  int enable() const;
  int disable() const;

  /// Both scopes of every spec, in event_specs() order, threads first.
  std::vector<EventCount> read() const;

 private:
  struct Opened {
    const EventSpec* spec;
    std::string scope;
    PerfFds fds;
    std::string reason;
  };
  int toggle(const char* first_scope, unsigned long request) const;

  std::vector<Opened> events_;
};

}  // namespace copybench
