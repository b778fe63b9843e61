#pragma once
// Repetitions aggregated in one place: runs.csv rows become one point per measured
// configuration, with each metric's median, range and 95% confidence interval.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/runs_table.h"

namespace copybench::report {

/// One metric over the ok runs of a point. The interval is the mean's:
/// mean ± t(0.975, n-1) * s / sqrt(n); unknown (nullopt) with a single run.
struct Stats {
  int n = 0;
  double median = 0, min = 0, max = 0;
  std::optional<double> ci95_low, ci95_high;
};

/// Student's t quantile t(0.975, df) for df >= 1 (table to 30, then 40, 60, 120, infinity;
/// between entries the smaller df's value, which errs on the wide side).
double t_975(int df);

/// Stats of `values` (at least one).
Stats describe(std::vector<double> values);

/// The interval two points are compared by: the 95% CI when known, else [min, max] (a single
/// run: the value itself).
std::pair<double, double> interval(const Stats& s);

/// What makes a configuration: runs with equal keys are repetitions of one point.
struct PointKey {
  std::string topology, mode, strategy;  // strategy: the data path, data_path_label(send, recv)
  uint64_t message_bytes = 0;
  std::optional<uint64_t> response_bytes;  // rr only
  int threads = 0;
  uint64_t rate_bps = 0;  // --rate per connection; 0: unpaced (as fast as it went)
  bool operator==(const PointKey&) const = default;
};

/// The report's order: topology (loopback, netns, remote, others), mode (stream, rr), threads,
/// message size, response size, then strategy in the registry's order (two-copy, one-copy,
/// zero-copy, others by name), so strategies measured alike sit next to each other.
bool point_before(const PointKey& a, const PointKey& b);

/// The name of a data path: the send strategy alone when the receive strategy is recv, else
/// "send+recv" (summary.csv's strategy column, the report's lines); with a receive size that
/// was typed (--recv-size, not auto), "send+recv:SIZE", each size its own line.
/// A direction other than forward is a data path of its own too: "one-copy@reverse",
/// "zero-copy+scatter@bidir" (bidir: the two directions' throughputs summed). Socket knobs
/// that were set (-w, -C, -M, -N) follow after a space ("one-copy w=256K cc=reno"): each
/// setting is a data path of its own, compared with the others as they are.
std::string data_path_label(std::string_view send, std::string_view recv,
                            std::optional<uint64_t> typed_recv_bytes = std::nullopt,
                            std::string_view direction = "forward");

/// Rank of a data path's label (data_path_label): the send strategies in their registry's
/// order, each followed by its pairings with the other receive strategies; unknown names last.
int strategy_rank(std::string_view path);

struct SummaryPoint {
  PointKey key;
  int runs_ok = 0;
  int runs_failed = 0;                                              // status != ok; not in the statistics
  std::map<std::string, Stats, std::less<>> metrics;                // a metric with no values is absent
  std::map<std::string, std::vector<double>, std::less<>> samples;  // each metric's values, in row order (compare)
  std::map<std::string, int> limits;  // runs.csv limited_by of the ok runs -> how many runs said it

  /// nullptr when no ok run of this point had the metric.
  const Stats* metric(std::string_view name) const;
  /// The verdict most of the ok runs gave and how many gave it (ties: the first by name);
  /// nullopt when no run had one.
  std::optional<std::pair<std::string, int>> main_limit() const;
};

struct FailureReason {
  std::string status, error;  // error "" when the row gave none
  int runs = 0;
};

struct Summary {
  std::vector<SummaryPoint> points;  // in point_before order
  int runs = 0;
  int failed_runs = 0;
  int unplaced_failures = 0;                   // failed rows with no configuration of their own or of their point id
  std::vector<FailureReason> failure_reasons;  // distinct (status, error), most frequent first
};

/// The metrics summarized, in summary.csv's order (column names of runs.csv).
const std::vector<std::string>& summary_metrics();

/// The points measured flat out (no --rate): the answers and plots that compare data paths at
/// their fastest read these; the CPU-at-a-rate answer reads the paced ones.
Summary unpaced(const Summary& summary);

/// Parts of a configuration left out of its PointKey, so that runs that differ only in them are
/// one point (`copybench compare --ignore`: a sweep with --recv-size 4K against one without).
struct KeyMask {
  bool strategy = false;       // the send strategy: the data path's name becomes "*"
  bool recv_strategy = false;  // the receive strategy
  bool recv_size = false;      // a typed --recv-size
  bool knobs = false;          // -w, -C, -M, -N
  bool topology = false;       // "" for every row
};

/// Groups the rows by PointKey. A failed row without its own configuration takes it from the
/// rows that share its `point` id. Throws Error naming the row when an ok row lacks part of its
/// configuration or a cell is not a number.
Summary summarize(const RunsTable& runs, const KeyMask& mask = {});

/// summary.csv: one row per point; for each metric `<m>_n`, `_median`, `_min`, `_max`,
/// `_ci95_low`, `_ci95_high`. Unknown is an empty cell. The same summary gives the same bytes.
std::string summary_csv(const Summary& summary);

/// summary.csv's header line and one point's line, each ending in a line feed (fleet-summary.csv
/// puts the pair's hosts before them).
std::string summary_csv_header();
std::string summary_csv_row(const SummaryPoint& point);

/// "1K", "64K", "1M", "1000": the short size labels of axes and tables.
std::string short_size(uint64_t bytes);

/// A figure for prose and tables: 4 significant digits ("30.64", "0.2427"), whole numbers
/// from 10000 up ("66667", not "6.667e+04").
std::string short_number(double v);

}  // namespace copybench::report
