#pragma once
// The stream sender: a forward test's server, a reverse test's client.
#include <atomic>
#include <cstdint>

#include "metrics/histogram.h"
#include "params/params.h"
#include "session/window.h"
#include "strategies/strategy.h"

namespace copybench {

/// The sender's hot loop for one connection: whole messages until `stop`, then the strategy's
/// drain and a half-close, so the receiver sees every byte and then EOF. Throws Error, after
/// draining (bounded) so that no buffer is freed while the kernel holds it. With `histogram`,
/// messages' send calls are timed (CLOCK_MONOTONIC before and after) while `recording`: every
/// message from 16 KiB up, a systematic 1-in-send_timing_interval() sample below.
/// Two clock reads and a record cost ~33 ns (docs/PERFORMANCE.md): 5% of a 1 KiB message's
/// send on loopback. Below this size only every (this / size)-th message is timed (every 16th
/// at 1 KiB: send_timing_interval), which keeps the cost under 0.5% and still gives ~10^5
/// values per second for the percentiles.
inline constexpr uint64_t kTimeEveryMessageFromBytes = 16 * 1024;
uint64_t send_timing_interval(uint64_t message_bytes);

void run_sender(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection, StreamCounters& counters,
                const std::atomic<bool>& stop, LatencyHistogram* histogram, const std::atomic<bool>& recording);

}  // namespace copybench
