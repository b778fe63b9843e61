#pragma once
// Request/response (--mode rr), the server's end: it reads each whole request and answers
// with a message of response_size() bytes, sent with the test's send strategy.
#include <atomic>
#include <cstdint>

#include "params/params.h"
#include "session/roles/roles.h"
#include "session/window.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

/// Answers requests until the requester half-closes at a transaction boundary, which is how an
/// rr test ends (a STOP must not cut a transaction the requester has begun); `abandon` (the
/// server shutting down) ends it between transactions. Then drains and half-closes. Throws
/// Error on a failure, after a bounded drain. Requests are read with `receiver` (plain recv():
/// the receive strategy is the client's choice and is not on the wire, METHODOLOGY.md section
/// 3). `totals` gets recv calls and the requests' verify counts.
void run_responder(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                   uint32_t connection, StreamCounters& counters, const std::atomic<bool>& abandon,
                   ConnectionTotals& totals);

}  // namespace copybench
