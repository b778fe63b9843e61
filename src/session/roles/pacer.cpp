#include "session/roles/pacer.h"

#include <sys/prctl.h>
#include <time.h>
#include <algorithm>
#include <cerrno>

#include "core/clock.h"

namespace copybench {
namespace {

constexpr int64_t kSliceNs = 20'000'000;  // the longest one sleep before `stop` is looked at again

void sleep_until(int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace

Pacer::Pacer(uint64_t rate_bps, uint64_t message_bytes)
    : gap_ns_(rate_bps ? static_cast<double>(message_bytes) * 8e9 / static_cast<double>(rate_bps) : 0) {}

bool Pacer::wait_for_schedule(const std::atomic<bool>& stop) {
  const double now = static_cast<double>(now_ns());
  if (next_ns_ == 0) {
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    next_ns_ = now;
  }
  // Behind by more than the bucket holds: what was missed beyond it is not made up.
  next_ns_ = std::max(next_ns_, now - std::max<double>(kMaxLagNs, gap_ns_));
  // Ahead by less than a timer period: this message goes now (a burst of at most that much), so
  // the sender wakes once per period rather than once per message.
  if (next_ns_ - now < kTimerNs) {
    next_ns_ += gap_ns_;
    return !stop.load(std::memory_order_relaxed);
  }
  for (double t = now; t < next_ns_; t = static_cast<double>(now_ns())) {
    if (stop.load(std::memory_order_relaxed)) return false;
    sleep_until(static_cast<int64_t>(std::min(next_ns_, t + kSliceNs)));
  }
  next_ns_ += gap_ns_;
  return !stop.load(std::memory_order_relaxed);
}

}  // namespace copybench
