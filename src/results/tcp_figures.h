#pragma once
// A side's TCP figures from its connections' (sums and means, as TcpFigures says per field), and
// how steady a side's intervals were.
#include <optional>
#include <vector>

#include "results/result.h"

namespace copybench {

/// The side's TcpFigures from its streams' tcp_info; null when no stream has one.
std::optional<TcpFigures> side_tcp_figures(const std::vector<StreamFigures>& streams);

/// The coefficient of variation (sample standard deviation / mean * 100) of the intervals'
/// throughput, leaving out a last interval shorter than half the others; null below two
/// intervals or a mean of 0.
std::optional<double> interval_cv_pct(const std::vector<IntervalFigures>& intervals);

}  // namespace copybench
