#include "report/fleet_matrix.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "core/column_keys.h"
#include "report/stats.h"

namespace copybench::report {
namespace {

// The distinct points of all pairs, in the report's order.
std::vector<PointKey> all_points(const std::vector<MeasuredPair>& pairs) {
  std::vector<PointKey> points;
  for (const auto& pair : pairs)
    for (const auto& p : pair.summary->points)
      if (std::find(points.begin(), points.end(), p.key) == points.end()) points.push_back(p.key);
  std::stable_sort(points.begin(), points.end(), point_before);
  return points;
}

const SummaryPoint* find_point(const Summary& summary, const PointKey& key) {
  for (const auto& p : summary.points)
    if (p.key == key) return &p;
  return nullptr;
}

}  // namespace

const std::vector<FleetMetric>& fleet_metrics() {
  using key::receiver, key::sender;
  static const std::vector<FleetMetric> metrics = {
      {.column = receiver(key::throughput_gbps),
       .slug = "throughput",
       .title = "receiver throughput (Gbit/s)",
       .higher_is_better = true},
      {.column = sender(key::cpu_ns_per_byte), .slug = "sender-cpu", .title = "sender CPU time per byte (ns/B)"},
      {.column = receiver(key::cpu_ns_per_byte), .slug = "receiver-cpu", .title = "receiver CPU time per byte (ns/B)"},
      {.column = receiver(key::latency_p50_us), .slug = "rr-p50", .title = "rr round trip p50 (us)", .rr_only = true},
      {.column = receiver(key::latency_p99_us), .slug = "rr-p99", .title = "rr round trip p99 (us)", .rr_only = true},
  };
  return metrics;
}

std::vector<FleetMatrix> fleet_matrices(const std::vector<MeasuredPair>& pairs) {
  std::vector<FleetMatrix> out;
  for (const auto& key : all_points(pairs)) {
    for (const auto& metric : fleet_metrics()) {
      if (metric.rr_only && key.mode != "rr") continue;
      FleetMatrix m{key, &metric, {}, 0};
      std::vector<double> values;
      for (const auto& pair : pairs) {
        const SummaryPoint* p = find_point(*pair.summary, key);
        const Stats* s = p ? p->metric(metric.column) : nullptr;
        if (!s) continue;
        m.cells[{pair.client, pair.server}] = s->median;
        values.push_back(s->median);
      }
      if (values.empty()) continue;
      m.fleet_median = median_of(std::move(values));
      out.push_back(std::move(m));
    }
  }
  return out;
}

bool is_outlier(const FleetMatrix& matrix, double value) {
  if (static_cast<int>(matrix.cells.size()) < kOutlierMinPairs) return false;
  return matrix.metric->higher_is_better ? value < kLowFactor * matrix.fleet_median
                                         : value > kHighFactor * matrix.fleet_median;
}

std::vector<Outlier> fleet_outliers(const std::vector<FleetMatrix>& matrices) {
  std::vector<Outlier> out;
  for (const auto& m : matrices)
    for (const auto& [hosts, value] : m.cells)
      if (is_outlier(m, value)) out.push_back({&m, hosts.first, hosts.second, value});
  return out;
}

std::string point_label(const PointKey& k) {
  std::string size = short_size(k.message_bytes) + (k.response_bytes ? "/" + short_size(*k.response_bytes) : "");
  std::string out =
      fmt::format("{}, {}, {} thread{}, {}", k.strategy, size, k.threads, k.threads == 1 ? "" : "s", k.mode);
  return k.topology == "remote" ? out : out + ", " + k.topology;
}

std::string point_slug(const PointKey& k) {
  std::string size = short_size(k.message_bytes) + (k.response_bytes ? "-" + short_size(*k.response_bytes) : "");
  std::string out = fmt::format("{}-{}-{}t-{}", k.strategy, size, k.threads, k.mode);
  if (k.topology != "remote") out += "-" + k.topology;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  return out;
}

}  // namespace copybench::report
