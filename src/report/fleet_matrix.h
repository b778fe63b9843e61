#pragma once
// The fleet report's numbers: for each data path and point measured by some pair, and each
// metric, a host x host matrix (rows the client, columns the server) of the pairs' medians,
// the fleet median of the matrix and the pairs that stand out from it.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

/// A metric of the matrices: a summary metric (a runs.csv column) and which way is worse.
struct FleetMetric {
  std::string column;  // summary metric, e.g. receiver_throughput_gbps
  std::string slug;    // in plot stems: fleet-SLUG-POINT
  std::string title;   // with its unit
  bool higher_is_better = false;
  bool rr_only = false;  // only points of mode rr
};

/// Receiver throughput, sender and receiver CPU time per byte, rr p50 and p99 round trip.
const std::vector<FleetMetric>& fleet_metrics();

/// A pair measured: its hosts and its sweep's summary.
struct MeasuredPair {
  std::string client, server;
  const Summary* summary = nullptr;
};

struct FleetMatrix {
  PointKey point;
  const FleetMetric* metric = nullptr;
  std::map<std::pair<std::string, std::string>, double> cells;  // (client, server) -> the pair's median
  double fleet_median = 0;                                      // median of the cells
};

/// One matrix per point (point_before order) and metric (fleet_metrics order) that at least one
/// pair measured.
std::vector<FleetMatrix> fleet_matrices(const std::vector<MeasuredPair>& pairs);

/// The outlier rule: a pair is worse than the fleet when its value is below kLowFactor x the
/// fleet median (a metric where higher is better: throughput) or above kHighFactor x the
/// median (CPU per byte, latency), judged only where at least kOutlierMinPairs pairs measured
/// the point (with two, the median is their mean and each is as far from it).
inline constexpr double kLowFactor = 0.8;
inline constexpr double kHighFactor = 1.25;
inline constexpr int kOutlierMinPairs = 3;

/// Whether `value` is an outlier of `matrix` by the rule above.
bool is_outlier(const FleetMatrix& matrix, double value);

struct Outlier {
  const FleetMatrix* matrix = nullptr;
  std::string client, server;
  double value = 0;
};

/// Every outlier cell, in the matrices' order, then by client and server.
std::vector<Outlier> fleet_outliers(const std::vector<FleetMatrix>& matrices);

/// "two-copy, 64K, 1 thread, stream"; "two-copy, 1K/1K, 4 threads, rr"; the topology added when
/// not remote.
std::string point_label(const PointKey& point);

/// The point in a file name: "two-copy-64K-1t-stream", other characters than letters, digits,
/// '-' and '.' as '_'.
std::string point_slug(const PointKey& point);

}  // namespace copybench::report
