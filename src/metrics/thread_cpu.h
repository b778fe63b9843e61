#pragma once
// How long each of a set of this process's threads was on a CPU over a window: the kernel's
// per-thread CPU clock (clock_gettime on the clock id that pthread_getcpuclockid makes, built
// from the thread id so no pthread handle is needed). Its unit is the scheduler's own runtime
// (sum_exec_runtime), in ns: what /proc/self/task/TID/schedstat shows first.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace copybench {

/// The CPU time `tid` (a thread of this process) has run so far; nullopt with *why set when
/// the kernel refuses (the thread has exited, or the clock is not there).
std::optional<int64_t> thread_cpu_ns(pid_t tid, std::string* why);

/// Samples every thread at start() and stop(); on_cpu_pct() is each one's share of the window.
/// Not thread-safe: the coordinating thread drives it.
class ThreadCpuMeter {
 public:
  explicit ThreadCpuMeter(std::vector<pid_t> tids = {}) : tids_(std::move(tids)) {}
  void start(int64_t now_ns);
  void stop(int64_t now_ns);
  /// Per thread, in the constructor's order: CPU time / window * 100 (null where a sample
  /// failed, with reason()); empty when no window was measured.
  std::vector<std::optional<double>> on_cpu_pct() const;
  const std::string& reason() const { return why_; }

 private:
  std::vector<pid_t> tids_;
  std::vector<std::optional<int64_t>> begin_, end_;
  int64_t begin_ns_ = 0, end_ns_ = 0;
  std::string why_;
};

}  // namespace copybench
