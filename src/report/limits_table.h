#pragma once
// The report's "What limited each run?": one table per topology, point x data path -> the
// verdict most of its runs gave (runs.csv limited_by, results/limits.cpp) and the figures it is
// decided from (summary.csv medians); prose only for the points whose runs disagreed.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

/// One point's verdict and its deciding figures; a figure not measured is nullopt.
struct LimitRow {
  PointKey key;
  std::string verdict;  // runs.csv's name of the verdict most runs gave (summary's main_limit)
  int runs_with_verdict = 0;
  int runs_ok = 0;
  std::map<std::string, int> verdicts;                           // every verdict its ok runs gave, and how many gave it
  std::optional<double> sender_thread_pct, receiver_thread_pct;  // busiest connection thread on a CPU
  std::optional<double> receiver_idle_pct;                       // the receiver's machine idle
  std::optional<double> sndbuf_limited_pct, rwnd_limited_pct;    // the stream sender's TCP_INFO
};

/// The points with a verdict, in the summary's order.
std::vector<LimitRow> limit_rows(const Summary& summary);

/// The section of report.md; "" when no run had a verdict.
std::string render_limits(const Summary& summary);

}  // namespace copybench::report
