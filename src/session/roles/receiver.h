#pragma once
// The stream receiver: a forward test's client, a reverse test's server.
#include <atomic>
#include <cstdint>

#include "params/params.h"
#include "session/roles/roles.h"
#include "session/window.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {

/// Receives with `strategy` until EOF. Counts bytes per receive and whole messages; with
/// params.verify checks every byte against the pattern, wherever the strategy put it. EOF
/// before `stop_sent` is an error (the peer vanished).
ConnectionTotals run_receiver(int fd, RecvStrategy& strategy, const TestParams& params, uint32_t connection,
                              StreamCounters& counters, const std::atomic<bool>& stop_sent);

}  // namespace copybench
