#pragma once
#include <cstdint>
#include <ctime>

namespace copybench {

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC: immune to wall-clock steps).
inline int64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// Wall-clock time in nanoseconds since the epoch, for timestamps in results only.
inline int64_t wall_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace copybench
