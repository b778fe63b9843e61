#pragma once
#include <atomic>
#include <cstdint>

#include "metrics/histogram.h"
#include "run/params.h"
#include "run/window.h"
#include "strategies/strategy.h"

namespace copybench {

/// The sender's hot loop for one connection: whole messages until `stop`, then the strategy's
/// drain and a half-close, so the receiver sees every byte and then EOF. Throws Error, after
/// draining (bounded) so that no buffer is freed while the kernel holds it. With `histogram`,
/// each message's send calls are timed (CLOCK_MONOTONIC before and after) while `recording`.
void run_sender(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                StreamCounters& counters, const std::atomic<bool>& stop, LatencyHistogram* histogram,
                const std::atomic<bool>& recording);

}  // namespace copybench
