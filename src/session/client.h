#pragma once
// The client: the receiving side (--reverse: the sending side; --bidir: both, as two tests at
// once). It asks a server for a test, opens one connection and one thread per --threads, owns
// the timing (START, window, STOP) and gathers both sides' figures into one RunResult.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "results/result.h"
#include "wire/auth.h"

namespace copybench {

struct ClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7470;
  TestParams params;
  int connect_timeout_ms = 5000;
  std::shared_ptr<const Secret> secret;  // --secret-file: answer the server's CHALLENGE
  /// How long after STOP the server has to send its figures (RESULT); 0: the default, 60 s +
  /// 1 s per connection (the server itself allows its streams 30 s to finish after STOP).
  int result_timeout_ms = 0;
  /// Hears each --interval of this end's side as it ends, on the test's coordinating thread
  /// (with --bidir, two tests call it at once). Empty: nobody listens.
  std::function<void(Side side, Direction direction, const IntervalFigures& interval)> on_interval;
};

/// Runs one test. Never throws for failures of the test itself: they come back as a result
/// with status "failed" (or "interrupted") and whatever was measured before. A server that
/// misbehaves after START cannot hold it: it returns at most the RESULT wait after STOP, plus
/// 5 s for the data connections to end once RESULT is in (docs/RELIABILITY.md).
RunResult run_client(const ClientOptions& options, const std::atomic<bool>& interrupted);

}  // namespace copybench
