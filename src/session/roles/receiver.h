#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "params/params.h"
#include "strategies/recv/recv_strategy.h"
#include "session/window.h"

namespace copybench {

/// What one receiving connection saw, read after its thread has ended.
struct ReceiverTotals {
  uint64_t recv_calls = 0;  // the receive strategy's system calls
  std::optional<uint64_t> submissions;  // io_uring SQEs of the receive strategy (uring); null for plain calls
  uint64_t messages_checked = 0;
  uint64_t corrupt_messages = 0;
  uint64_t trailing_bytes = 0;  // bytes of an incomplete last message
  std::string error;            // empty when the connection ended cleanly
};

/// Receives with `strategy` until EOF. Counts bytes per receive and whole messages; with
/// params.verify checks every byte against the pattern, wherever the strategy put it. EOF
/// before `stop_sent` is an error (the peer vanished).
ReceiverTotals run_receiver(int fd, RecvStrategy& strategy, const TestParams& params, uint32_t connection,
                            StreamCounters& counters, const std::atomic<bool>& stop_sent);

}  // namespace copybench
