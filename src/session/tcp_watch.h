#pragma once
// TCP_INFO samples (metrics/tcp_info.h) turned into a connection's figures over the window and
// into one --interval's figures.
#include <cstdint>
#include <vector>

#include "metrics/tcp_info.h"
#include "results/result.h"
#include "session/window.h"

namespace copybench {

/// One connection's TcpFigures from its samples at the window's start and end.
TcpFigures tcp_figures(const TcpSample& first, const TcpSample& last);

/// The interval between two snapshots of the byte counters and two readings of the sockets
/// (either reading may be empty: no TCP figures), timed from `window_start_ns`.
IntervalFigures interval_figures(const Snapshot& from, const Snapshot& to, const std::vector<TcpSample>& tcp_from,
                                 const std::vector<TcpSample>& tcp_to, int64_t window_start_ns);

}  // namespace copybench
