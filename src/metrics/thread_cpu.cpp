#include "metrics/thread_cpu.h"

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace copybench {
namespace {

// The kernel's encoding of a per-thread CPU clock (include/linux/posix-timers.h, which glibc's
// pthread_getcpuclockid also uses): the inverted id, CPUCLOCK_SCHED (2), CPUCLOCK_PERTHREAD (4).
clockid_t thread_clock(pid_t tid) { return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u); }

}  // namespace

std::optional<int64_t> thread_cpu_ns(pid_t tid, std::string* why) {
  timespec ts{};
  if (::clock_gettime(thread_clock(tid), &ts) != 0) {
    if (why) *why = fmt::format("clock_gettime of thread {}'s CPU clock: {}", tid, std::strerror(errno));
    return std::nullopt;
  }
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void ThreadCpuMeter::start(int64_t now_ns) {
  begin_.clear();
  for (pid_t tid : tids_) begin_.push_back(thread_cpu_ns(tid, &why_));
  begin_ns_ = now_ns;
}

void ThreadCpuMeter::stop(int64_t now_ns) {
  end_.clear();
  for (pid_t tid : tids_) end_.push_back(thread_cpu_ns(tid, &why_));
  end_ns_ = now_ns;
}

std::vector<std::optional<double>> ThreadCpuMeter::on_cpu_pct() const {
  std::vector<std::optional<double>> pct;
  if (end_.size() != tids_.size() || begin_.size() != tids_.size() || end_ns_ <= begin_ns_) return pct;
  for (size_t i = 0; i < tids_.size(); ++i) {
    if (begin_[i] && end_[i])
      pct.push_back(100.0 * static_cast<double>(*end_[i] - *begin_[i]) / static_cast<double>(end_ns_ - begin_ns_));
    else pct.emplace_back();
  }
  return pct;
}

}  // namespace copybench
