#pragma once
// `copybench compare OLD NEW [MORE...]`: what changed between inputs, cell by cell, with
// statistics, as Go's benchstat does (median per cell, Mann-Whitney U, "~" when not significant,
// geometric mean), but for both sides of a connection and per data path. Each input after the
// first is compared with the first. Measurement apart from output: compare() computes,
// compare_text.cpp and compare_plots.cpp render.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/compare_input.h"
#include "report/plots.h"
#include "report/stats.h"

namespace copybench::report {

enum class Better { higher, lower };

/// A metric compare reads: a runs.csv column, with its unit and which way is better.
struct CompareMetric {
  std::string column;  // runs.csv's, e.g. receiver_throughput_gbps
  std::string title;   // "receiver throughput"
  std::string unit;    // "Gbit/s"
  std::string slug;    // for file names: "throughput"
  Better better = Better::higher;
};

/// receiver throughput, CPU per byte on each side, each side's busiest thread's CPU share, rr's
/// p50 and p99, zero-copy's copied share, the sender's retransmits: in the tables' order.
const std::vector<CompareMetric>& compare_metrics();

/// The metric --fail-on judges a cell by: rr's p50; a paced stream's sender CPU per byte (at
/// equal load the cost is what can change); an unpaced stream's receiver throughput.
const CompareMetric& primary_metric(const PointKey& cell);

struct CompareOptions {
  double alpha = 0.05;    // a change is significant when p < alpha
  uint64_t seed = 1;      // the bootstrap's
  int resamples = 10000;  // the bootstrap's
};

/// One metric of one cell: OLD's and NEW's medians over their ok runs, and the change.
struct MetricChange {
  const CompareMetric* metric = nullptr;
  int old_n = 0, new_n = 0;
  double old_median = 0, new_median = 0;
  std::optional<double> ratio;            // new / old; nullopt when old's median is 0 and new's is not
  std::optional<RatioInterval> interval;  // 95% bootstrap of the ratio; nullopt with a single run
  UTest test;                             // OLD's values against NEW's
  bool significant = false;               // p < alpha, with enough runs that it could be
  int runs_needed = 0;                    // > 0: too few runs for any p < alpha; this many each
  /// The change in percent, positive when it is worse (lower throughput, more CPU, more latency).
  std::optional<double> worse_pct() const;
};

struct CellChange {
  PointKey cell;
  std::vector<MetricChange> metrics;  // those both inputs measured, in compare_metrics() order
  const MetricChange* find(const std::string& column) const;
};

struct GeoMean {
  std::string metric;     // a column
  std::string data_path;  // "" for all cells
  double ratio = 1;
  int cells = 0;
};

/// NEW against OLD.
struct Comparison {
  std::string old_source, new_source;
  std::string new_name;                      // CompareInput::name
  std::vector<CellChange> cells;             // cells both have, in point_before order
  std::vector<PointKey> only_old, only_new;  // listed, never dropped silently
  std::vector<GeoMean> geomeans;             // per metric (all cells), then per data path and metric
};

/// Compares NEW with OLD cell by cell. The bootstrap's seed for each cell and metric is derived
/// from options.seed and their names, so a cell's interval does not depend on the others.
Comparison compare(const CompareInput& old_input, const CompareInput& new_input, const CompareOptions& options);

/// Each fact whose values differ between the inputs: {name, each input's values joined}.
struct FactDifference {
  std::string name;
  std::vector<std::string> values;  // one per input, "" when it had none
};
std::vector<FactDifference> fact_differences(const std::vector<CompareInput>& inputs);

/// A cell whose primary metric changed significantly for the worse by more than `threshold_pct`.
struct Regression {
  std::string new_source;
  PointKey cell;
  MetricChange change;  // a copy: the regression outlives the comparisons it came from
};
std::vector<Regression> regressions(const std::vector<Comparison>& comparisons, double threshold_pct);

/// Every cell any comparison has, in point_before order.
std::vector<PointKey> compared_cells(const std::vector<Comparison>& comparisons);

/// A cell's change of one metric (a column) in `c`; nullptr when it has none.
const MetricChange* change_in(const Comparison& c, const PointKey& cell, const std::string& column);

/// "one-copy, 4K, 1 thread, stream" (and ", at 1 Gbit/s", ", pair a--b"): a cell for the tables.
std::string cell_label(const PointKey& cell);

/// "+3.2%", "-12%": a ratio as a change.
std::string change_text(double ratio);

/// One line naming a regression, for stderr: "NEW: CELL: receiver throughput -12.3% [..] (p=0.029)".
std::string regression_line(const Regression& r, double threshold_pct);

/// The stdout table (benchstat-like): per metric, each cell's medians and change.
std::string render_compare_table(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                                 const CompareOptions& options);

/// compare.md: the inputs, their differences, the tables, the cells one input lacks, the plots.
std::string render_compare_markdown(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                                    const CompareOptions& options, const std::vector<std::string>& plots);

/// compare.csv: one row per input after the first, cell and metric.
std::string render_compare_csv(const std::vector<Comparison>& comparisons);

/// The plots: per metric, each cell's ratio with its interval, one series per input after the
/// first, under plots_dir (gnuplot, as the report's).
PlotsOutcome write_compare_plots(const std::vector<Comparison>& comparisons, const std::string& plots_dir);

/// A whole `copybench compare`: read each input, compare each after the first with the first,
/// render, and with out_dir write compare.md, compare.csv and plots/compare-*.{dat,gp,png,svg}.
struct CompareRequest {
  std::vector<std::string> inputs;  // at least two
  KeyMask mask;
  CompareOptions options;
  std::string out_dir;                // "" : the table alone
  std::optional<double> fail_on_pct;  // --fail-on
};

struct CompareOutcome {
  std::string table;  // for stdout
  std::vector<std::string> files_written;
  std::vector<std::string> warnings;     // torn rows, pairs left out (one line each)
  std::vector<std::string> regressions;  // regression_line() of each, with --fail-on
  std::string note;                      // gnuplot missing or failing; "" when none
  int cells = 0, significant = 0;        // over every comparison
};

/// Throws UsageError (one line) for fewer than two inputs, an input read_compare_input refuses,
/// or an input with no cell in common with the first; Error when a file cannot be written.
CompareOutcome run_compare(const CompareRequest& request);

}  // namespace copybench::report
