#pragma once
// Request/response (--mode rr): one transaction in flight per connection. The requester (the
// client) sends a message of message_bytes with the strategy, waits for the whole response and
// times the round trip; the responder (the server) reads each whole request and answers with a
// message of response_size() bytes, sent with the same strategy.
#include <atomic>
#include <cstdint>

#include "metrics/histogram.h"
#include "params/params.h"
#include "session/roles/receiver.h"
#include "strategies/recv/recv_strategy.h"
#include "session/window.h"
#include "strategies/strategy.h"

namespace copybench {

/// Transactions until `stop`; then the strategy's drain, a half-close and the responder's EOF.
/// Responses are read with `receiver`. Counts request+response bytes and one message per
/// transaction. With `histogram`, each transaction that ends while `recording` is set is timed
/// (CLOCK_MONOTONIC, full round trip). Returns the receive calls, verify counts of the
/// responses and the error, if any.
ReceiverTotals run_requester(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                             uint32_t connection, StreamCounters& counters, const std::atomic<bool>& stop,
                             LatencyHistogram* histogram, const std::atomic<bool>& recording);

/// Answers requests until the requester half-closes at a transaction boundary, which is how an
/// rr test ends (a STOP must not cut a transaction the requester has begun); `abandon` (the
/// server shutting down) ends it between transactions. Then drains and half-closes. Throws
/// Error on a failure, after a bounded drain. Requests are read with plain recv(). `totals`
/// gets recv calls and the requests' verify counts.
void run_responder(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                   StreamCounters& counters, const std::atomic<bool>& abandon, ReceiverTotals& totals);

}  // namespace copybench
