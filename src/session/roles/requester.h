#pragma once
// Request/response (--mode rr), the client's end: one transaction in flight per connection. It
// sends a message of message_bytes with the send strategy, waits for the whole response and
// times the round trip (the responder, responder.h, is the server's end).
#include <atomic>
#include <cstdint>

#include "metrics/histogram.h"
#include "params/params.h"
#include "session/roles/roles.h"
#include "session/window.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

/// Transactions until `stop`; then the strategy's drain, a half-close and the responder's EOF.
/// Responses are read with `receiver`. Counts request+response bytes and one message per
/// transaction. With `histogram`, each transaction that ends while `recording` is set is timed
/// (CLOCK_MONOTONIC, full round trip). Returns the receive calls, verify counts of the
/// responses and the error, if any.
ConnectionTotals run_requester(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                               uint32_t connection, StreamCounters& counters, const std::atomic<bool>& stop,
                               LatencyHistogram* histogram, const std::atomic<bool>& recording);

}  // namespace copybench
