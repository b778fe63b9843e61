#pragma once
// perf_event_open(2) without a library: the system call, an owner of the descriptors it
// returns, and the CPUs a system-wide event is opened on (one descriptor per CPU).
#include <linux/perf_event.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace copybench {

/// perf_event_open(2) with PERF_FLAG_FD_CLOEXEC: the new fd, or -1 with errno set.
int open_perf_event(const perf_event_attr& attr, pid_t pid, int cpu, int group_fd = -1);

/// Owns perf event descriptors and closes them when destroyed. Move-only.
class PerfFds {
 public:
  PerfFds() = default;
  PerfFds(PerfFds&& other) noexcept : fds_(std::move(other.fds_)) { other.fds_.clear(); }
  PerfFds& operator=(PerfFds&& other) noexcept;
  PerfFds(const PerfFds&) = delete;
  PerfFds& operator=(const PerfFds&) = delete;
  ~PerfFds() { close_all(); }

  void add(int fd) { fds_.push_back(fd); }
  /// Gives the descriptors up without closing them (another owner took them).
  void release() { fds_.clear(); }
  const std::vector<int>& fds() const { return fds_; }
  bool empty() const { return fds_.empty(); }
  size_t size() const { return fds_.size(); }

  /// `request` (PERF_EVENT_IOC_ENABLE, _DISABLE, _RESET) on every fd, even after a failure
  /// (a failed DISABLE must not leave the rest counting); returns the first errno, or 0.
  int ioctl_all(unsigned long request) const;

  /// The plain u64 count of each fd (read_format 0), summed; nullopt with errno on a failure.
  std::optional<uint64_t> read_sum(int* err) const;

 private:
  void close_all();
  std::vector<int> fds_;
};

/// "0-3,5,7-8" (the format of /sys/devices/system/cpu/online) as CPU numbers; throws Error on
/// anything else.
std::vector<int> parse_cpu_list(const std::string& text);

/// The online CPUs (/sys/devices/system/cpu/online); nullopt with *why when unreadable.
std::optional<std::vector<int>> online_cpus(std::string* why);

/// Why a system-wide (pid -1, per CPU) event was refused, naming perf_event_paranoid.
std::string system_wide_refusal(int err);

}  // namespace copybench
