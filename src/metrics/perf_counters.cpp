#include "metrics/perf_counters.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <limits>
#include <utility>

#include "core/error.h"

namespace copybench {
namespace {

constexpr uint64_t read_misses(uint64_t cache) {
  return cache | (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
}

bool is_hardware(uint32_t type) { return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE; }

bool permission_denied(int err) { return err == EACCES || err == EPERM; }

void close_all(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

std::string joined(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a + b;
  return a + "; " + b;
}

std::string privilege_text() {
  const std::optional<int> paranoid = perf_event_paranoid();
  return "/proc/sys/kernel/perf_event_paranoid is " +
         (paranoid ? std::to_string(*paranoid) : std::string("unreadable")) +
         "; counting kernel events needs CAP_PERFMON or root";
}

std::string open_failure(const CounterSpec& spec, const std::vector<CorePmu>& pmus, int err) {
  const std::string why = errno_text(err);
  if (permission_denied(err)) return "not permitted (" + privilege_text() + "): " + why;
  if (err == EMFILE || err == ENFILE) return "out of file descriptors (see ulimit -n): " + why;
  const bool unsupported = err == ENOENT || err == EOPNOTSUPP || err == ENODEV || err == EINVAL;
  if (is_hardware(spec.type) && unsupported) {
    std::string where = pmus.empty() ? "no hardware PMU visible" : "the core PMU refuses it";
    return "not supported here (" + where + ": " + why + ")";
  }
  return "cannot open: " + why;
}

// One attr per core PMU for hardware events (see pmu.h), else one. Without any PMU directory
// the generic event is still tried: the kernel's answer is the real reason it cannot count.
std::vector<perf_event_attr> attrs_for(const CounterSpec& spec, const std::vector<CorePmu>& pmus) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = spec.type;
  attr.config = spec.config;
  attr.disabled = 1;  // counting starts at start(), not at open
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  attr.exclude_hv = 1;
  attr.exclude_user = spec.kernel_only ? 1 : 0;
  if (!is_hardware(spec.type) || pmus.empty()) return {attr};
  std::vector<perf_event_attr> attrs;
  for (const CorePmu& pmu : pmus) {
    attr.config = config_for_pmu(spec.config, pmu);
    attrs.push_back(attr);
  }
  return attrs;
}

// Opens every attr on `tid`, appending to `fds`: all or none. Returns 0 or the first errno.
int open_on_thread(const std::vector<perf_event_attr>& attrs, pid_t tid, std::vector<int>& fds) {
  const size_t before = fds.size();
  for (const perf_event_attr& attr : attrs) {
    const long fd = ::syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      for (; fds.size() > before; fds.pop_back()) ::close(fds.back());
      return err;
    }
    fds.push_back(static_cast<int>(fd));
  }
  return 0;
}

// One event's fds while it is being opened; closes them unless swapped into ThreadCounters.
struct Opened {
  std::string scope, reason;
  std::vector<int> fds;
  int threads = 0;
  Opened() = default;
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;
  ~Opened() { close_all(fds); }
};

// User+kernel was refused (perf_event_paranoid >= 2 without CAP_PERFMON). Retry without the
// kernel only where the result means something: hardware events and page faults then count
// the user share. task-clock ignores exclude_kernel (it is a clock, not a filtered event), so
// its count stays user+kernel. Context switches and migrations happen in kernel mode: with
// the kernel excluded they would read 0, so they stay refused.
int open_without_kernel(const CounterSpec& spec, pid_t tid, std::vector<perf_event_attr>& attrs, Opened& out,
                        int refused) {
  const bool clock = spec.type == PERF_TYPE_SOFTWARE && spec.config == PERF_COUNT_SW_TASK_CLOCK;
  const bool user_share =
      is_hardware(spec.type) || (spec.type == PERF_TYPE_SOFTWARE && spec.config == PERF_COUNT_SW_PAGE_FAULTS);
  if (spec.kernel_only || (!clock && !user_share)) return refused;
  for (perf_event_attr& attr : attrs) attr.exclude_kernel = 1;
  const int err = open_on_thread(attrs, tid, out.fds);
  if (err == 0 && !clock) {
    out.scope = "user";
    out.reason = "kernel share not counted: " + privilege_text();
  }
  return err;
}

void open_event(const CounterSpec& spec, const std::vector<pid_t>& tids, const std::vector<CorePmu>& pmus,
                Opened& out) {
  std::vector<perf_event_attr> attrs = attrs_for(spec, pmus);
  out.scope = spec.kernel_only ? "kernel" : "user+kernel";
  if (tids.empty()) out.reason = "no threads to count";
  int missed = 0;
  std::string missed_why;
  for (size_t i = 0; i < tids.size(); ++i) {
    int err = open_on_thread(attrs, tids[i], out.fds);
    if (err != 0 && i == 0 && permission_denied(err)) {
      err = open_without_kernel(spec, tids[0], attrs, out, err);
    }
    if (err == 0) {
      ++out.threads;
    } else if (i == 0) {
      // The event itself cannot be counted here; the other threads would only say so again.
      out.reason = open_failure(spec, pmus, err);
      return;
    } else if (missed++ == 0) {
      // A later thread may have exited meanwhile (ESRCH): count the ones still there.
      missed_why = "thread " + std::to_string(tids[i]) + ": " + errno_text(err);
    }
  }
  if (missed > 0) {
    out.reason = joined(out.reason, "counted on " + std::to_string(out.threads) + " of " + std::to_string(tids.size()) +
                                        " threads: " + missed_why);
  }
}

// read_format TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING, no group: {value, enabled, running}.
struct Sample {
  uint64_t value, enabled_ns, running_ns;
};

// Adds the scaled counts of `fds` to `r`. The fds are one group per thread, one fd per core
// PMU in each group (open_on_thread opens all or none of a group). On a hybrid CPU the
// kernel keeps each PMU's event "enabled" for all of the thread's run time but "running" only
// while the thread is on that PMU's cores, so a group's running times add up to its enabled
// time; scaling each fd alone would inflate a core kind the thread barely ran on.
void add_counts(const std::vector<int>& fds, int threads, CounterReading& r) {
  const size_t per_thread = fds.size() / static_cast<size_t>(threads);
  unsigned __int128 total = 0;
  std::optional<double> lowest_pct;
  for (size_t first = 0; first < fds.size(); first += per_thread) {
    unsigned __int128 value = 0, running_ns = 0;
    uint64_t enabled_ns = 0;
    for (size_t i = first; i < first + per_thread; ++i) {
      Sample s{};
      if (::read(fds[i], &s, sizeof s) != static_cast<ssize_t>(sizeof s)) {
        r.reason = joined(r.reason, "reading the counter failed: " + errno_text(errno));
        return;
      }
      value += s.value;
      running_ns += s.running_ns;
      enabled_ns = std::max(enabled_ns, s.enabled_ns);
    }
    // Never enabled (no start()), or the thread did not run in the window: nothing to count.
    if (enabled_ns == 0) continue;
    if (running_ns == 0) {
      r.reason = joined("multiplexed out for the whole window", r.reason);
      return;
    }
    running_ns = std::min<unsigned __int128>(running_ns, enabled_ns);
    total += running_ns < enabled_ns ? value * enabled_ns / running_ns : value;
    const double pct = 100.0 * static_cast<double>(running_ns) / static_cast<double>(enabled_ns);
    lowest_pct = std::min(lowest_pct.value_or(pct), pct);
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  r.value = total > kMax ? kMax : static_cast<uint64_t>(total);
  r.running_pct = lowest_pct;
}

// Applies `request` to every fd even after a failure (a failed DISABLE must not leave the
// rest counting); the first errno is kept for the caller to throw.
void ioctl_each(const std::vector<int>& fds, unsigned long request, int& first_err) {
  for (int fd : fds) {
    if (::ioctl(fd, request, 0) != 0 && first_err == 0) first_err = errno;
  }
}

}  // namespace

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

const std::vector<CounterSpec>& counter_specs() {
  static const std::vector<CounterSpec> specs = [] {
    const std::vector<CounterSpec> hardware = {
        {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, false},
        {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, false},
        {"L1-dcache-load-misses", PERF_TYPE_HW_CACHE, read_misses(PERF_COUNT_HW_CACHE_L1D), false},
        {"LLC-load-misses", PERF_TYPE_HW_CACHE, read_misses(PERF_COUNT_HW_CACHE_LL), false},
        {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, false},
    };
    std::vector<CounterSpec> all = hardware;
    for (CounterSpec spec : hardware) {
      spec.kernel_only = true;
      all.push_back(spec);
    }
    all.push_back({"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false});
    all.push_back({"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, false});
    all.push_back({"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, false});
    all.push_back({"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, false});
    return all;
  }();
  return specs;
}

ThreadCounters::ThreadCounters(const std::vector<pid_t>& tids, std::vector<CorePmu> pmus) {
  try {
    for (const CounterSpec& spec : counter_specs()) {
      Opened opened;
      open_event(spec, tids, pmus, opened);
      events_.push_back(Event{spec, opened.scope, opened.reason, {}, opened.threads});
      std::swap(events_.back().fds, opened.fds);  // from here ~ThreadCounters closes them
    }
  } catch (...) {
    for (const Event& ev : events_) close_all(ev.fds);
    throw;
  }
}

ThreadCounters::~ThreadCounters() {
  for (const Event& ev : events_) close_all(ev.fds);
}

// RESET zeroes the counts but not the kernel's enabled/running times; those start at 0
// because the events are opened disabled, so one window per ThreadCounters is exact.
void ThreadCounters::start() {
  int err = 0;
  for (const Event& ev : events_) ioctl_each(ev.fds, PERF_EVENT_IOC_RESET, err);
  for (const Event& ev : events_) ioctl_each(ev.fds, PERF_EVENT_IOC_ENABLE, err);
  if (err != 0) throw_sys("starting the perf counters", err);
}

void ThreadCounters::stop() {
  int err = 0;
  for (const Event& ev : events_) ioctl_each(ev.fds, PERF_EVENT_IOC_DISABLE, err);
  if (err != 0) throw_sys("stopping the perf counters", err);
}

std::vector<CounterReading> ThreadCounters::read() const {
  std::vector<CounterReading> readings;
  for (const Event& ev : events_) {
    const std::string name = ev.spec.kernel_only ? ev.spec.name + ":k" : ev.spec.name;
    CounterReading r{name, ev.scope, std::nullopt, std::nullopt, ev.threads, ev.reason};
    if (!ev.fds.empty()) add_counts(ev.fds, ev.threads, r);
    readings.push_back(std::move(r));
  }
  return readings;
}

std::optional<int> perf_event_paranoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  int level = 0;
  if (!(in >> level)) return std::nullopt;
  return level;
}

}  // namespace copybench
