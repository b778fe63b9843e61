#pragma once
// One place turns a side's measurements into its figures, for the client and the server's
// test session alike, whatever role their connections had: totals, the window, rates, each
// connection's calls and error, then counters, CPU and latency.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/result.h"
#include "session/roles/roles.h"
#include "session/window.h"
#include "session/window_meter.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

/// What one connection's thread reported when it ended.
struct ConnectionEnd {
  std::string error;                    // empty when it ended cleanly
  uint64_t calls = 0;                   // system calls that moved bytes, send and receive
  std::optional<uint64_t> submissions;  // io_uring SQEs; null when its strategies make plain calls
};

/// A connection's end from its role's totals and, when it sent, its send strategy's accounting.
ConnectionEnd connection_end(const ConnectionTotals& totals, const SendAccounting* sent);

/// Everything a side measured; pointers are borrowed for the call.
struct SideMeasurements {
  const RoleInfo* role = nullptr;          // what this side's connections did: its side, what it timed
  const CounterSet* counters = nullptr;    // the connections' byte and message counters
  const WindowEdges* window = nullptr;     // its snapshots (either absent: no window measured)
  int64_t start_ns = 0;                    // START on this side's clock (0: never started)
  std::vector<ConnectionEnd> connections;  // one per connection, in index order
  const WindowMeter* meter = nullptr;
  bool zerocopy_sends = false;  // its sends used MSG_ZEROCOPY (the profile's copy count)
};

/// The side's figures (host left empty: the caller knows it). Call once the connections' threads have ended.
SideFigures side_figures(const SideMeasurements& m);

/// The zero-copy figures of a side's send strategies, summed over its connections; null when
/// they are not zero-copy strategies (a side with figures also counts its sends as zero-copy
/// for the profile: SideMeasurements::zerocopy_sends).
std::optional<ZeroCopyFigures> zerocopy_of(const std::vector<SendAccounting>& connections);

/// zerocopy-recv's mapped and copied bytes, summed over a side's connections, and a note when
/// the kernel mapped nothing: 0% is then a measured fact, and the note says what was tried.
void add_receive_copy(SideFigures& side, const std::vector<RecvAccounting>& connections);

}  // namespace copybench
