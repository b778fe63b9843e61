#include "report/compare.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>

#include "core/column_keys.h"

namespace copybench::report {
namespace {

// FNV-1a: a cell's and metric's names give its bootstrap seed, the same on every machine.
uint64_t name_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

MetricChange change_of(const CompareMetric& metric, const std::vector<double>& old_values,
                       const std::vector<double>& new_values, uint64_t seed, const CompareOptions& options) {
  MetricChange m;
  m.metric = &metric;
  m.old_n = static_cast<int>(old_values.size());
  m.new_n = static_cast<int>(new_values.size());
  m.old_median = median_of(old_values);
  m.new_median = median_of(new_values);
  if (m.old_median != 0) m.ratio = m.new_median / m.old_median;
  else if (m.new_median == 0) m.ratio = 1.0;  // nothing either time: no change
  if (m.old_median != 0) m.interval = bootstrap_ratio(old_values, new_values, seed, options.resamples);
  m.test = mann_whitney_u(old_values, new_values);
  // No p below alpha is possible with this few runs: "~", and say how many it would take.
  if (smallest_p(m.old_n, m.new_n) > options.alpha) m.runs_needed = runs_needed(options.alpha);
  m.significant = m.runs_needed == 0 && m.test.p_value < options.alpha;
  return m;
}

std::optional<CellChange> change_of_cell(const SummaryPoint& old_point, const SummaryPoint& new_point,
                                         const CompareOptions& options) {
  CellChange cell{old_point.key, {}};
  for (const auto& metric : compare_metrics()) {
    auto o = old_point.samples.find(metric.column);
    auto n = new_point.samples.find(metric.column);
    if (o == old_point.samples.end() || n == new_point.samples.end()) continue;
    const uint64_t seed = options.seed ^ name_hash(cell_label(cell.cell) + "|" + metric.column);
    cell.metrics.push_back(change_of(metric, o->second, n->second, seed, options));
  }
  if (cell.metrics.empty()) return std::nullopt;
  return cell;
}

const SummaryPoint* find_point(const Summary& summary, const PointKey& key) {
  for (const auto& p : summary.points)
    if (p.key == key && p.runs_ok > 0) return &p;
  return nullptr;
}

void add_geomeans(Comparison& c) {
  // {data path ("" for all), metric} -> ratios, in compare_metrics() order within each group.
  std::map<std::pair<std::string, std::string>, std::vector<double>> ratios;
  std::vector<std::string> paths = {""};
  for (const auto& cell : c.cells) {
    if (std::find(paths.begin(), paths.end(), cell.cell.strategy) == paths.end()) paths.push_back(cell.cell.strategy);
    for (const auto& m : cell.metrics)
      if (m.ratio && *m.ratio > 0)
        for (const std::string& path : {std::string(), cell.cell.strategy})
          ratios[{path, m.metric->column}].push_back(*m.ratio);
  }
  for (const auto& path : paths)
    for (const auto& metric : compare_metrics())
      if (auto it = ratios.find({path, metric.column}); it != ratios.end())
        if (auto g = geometric_mean(it->second))
          c.geomeans.push_back({metric.column, path, *g, static_cast<int>(it->second.size())});
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

const std::vector<CompareMetric>& compare_metrics() {
  using key::receiver, key::sender;
  static const std::vector<CompareMetric> metrics = {
      {receiver(key::throughput_gbps), "receiver throughput", "Gbit/s", "throughput", Better::higher},
      {sender(key::cpu_ns_per_byte), "sender CPU per byte", "ns/B", "sender-cpu", Better::lower},
      {receiver(key::cpu_ns_per_byte), "receiver CPU per byte", "ns/B", "receiver-cpu", Better::lower},
      {sender(key::thread_on_cpu_max_pct), "sender busiest thread on CPU", "%", "sender-thread", Better::lower},
      {receiver(key::thread_on_cpu_max_pct), "receiver busiest thread on CPU", "%", "receiver-thread", Better::lower},
      {receiver(key::latency_p50_us), "round trip p50", "us", "p50", Better::lower},
      {receiver(key::latency_p99_us), "round trip p99", "us", "p99", Better::lower},
      {std::string(key::zc_copied_pct), "zero-copy sends copied", "%", "zc-copied", Better::lower},
      {sender(key::tcp_retransmits), "sender retransmits", "segments", "retransmits", Better::lower}};
  return metrics;
}

const CompareMetric& primary_metric(const PointKey& cell) {
  const auto& m = compare_metrics();
  if (cell.mode == "rr") return m[5];
  return cell.rate_bps ? m[1] : m[0];
}

std::optional<double> MetricChange::worse_pct() const {
  if (!ratio) return std::nullopt;
  return (metric->better == Better::higher ? 1 - *ratio : *ratio - 1) * 100;
}

const MetricChange* CellChange::find(const std::string& column) const {
  for (const auto& m : metrics)
    if (m.metric->column == column) return &m;
  return nullptr;
}

Comparison compare(const CompareInput& old_input, const CompareInput& new_input, const CompareOptions& options) {
  Comparison c{old_input.source, new_input.source, new_input.name, {}, {}, {}, {}};
  for (const auto& o : old_input.summary.points) {
    if (o.runs_ok == 0) continue;
    const SummaryPoint* n = find_point(new_input.summary, o.key);
    if (!n) {
      c.only_old.push_back(o.key);
      continue;
    }
    if (auto cell = change_of_cell(o, *n, options)) c.cells.push_back(std::move(*cell));
  }
  for (const auto& n : new_input.summary.points)
    if (n.runs_ok > 0 && !find_point(old_input.summary, n.key)) c.only_new.push_back(n.key);
  add_geomeans(c);
  return c;
}

std::vector<FactDifference> fact_differences(const std::vector<CompareInput>& inputs) {
  std::vector<FactDifference> out;
  for (const auto& name : fact_names()) {
    FactDifference d{name, {}};
    for (const auto& in : inputs) {
      auto it = in.facts.find(name);
      d.values.push_back(it == in.facts.end() ? "" : joined(it->second));
    }
    if (std::adjacent_find(d.values.begin(), d.values.end(), std::not_equal_to<>()) != d.values.end())
      out.push_back(std::move(d));
  }
  return out;
}

std::vector<Regression> regressions(const std::vector<Comparison>& comparisons, double threshold_pct) {
  std::vector<Regression> out;
  for (const auto& c : comparisons)
    for (const auto& cell : c.cells) {
      const MetricChange* m = cell.find(primary_metric(cell.cell).column);
      if (!m || !m->significant) continue;
      if (auto worse = m->worse_pct(); worse && *worse > threshold_pct) out.push_back({c.new_source, cell.cell, *m});
    }
  return out;
}

std::vector<PointKey> compared_cells(const std::vector<Comparison>& comparisons) {
  std::vector<PointKey> cells;
  for (const auto& c : comparisons)
    for (const auto& cell : c.cells)
      if (std::find(cells.begin(), cells.end(), cell.cell) == cells.end()) cells.push_back(cell.cell);
  std::stable_sort(cells.begin(), cells.end(), point_before);
  return cells;
}

const MetricChange* change_in(const Comparison& c, const PointKey& cell, const std::string& column) {
  for (const auto& changed : c.cells)
    if (changed.cell == cell) return changed.find(column);
  return nullptr;
}

std::string cell_label(const PointKey& k) {
  std::string size = short_size(k.message_bytes) + (k.response_bytes ? "/" + short_size(*k.response_bytes) : "");
  std::string out =
      fmt::format("{}, {}, {} thread{}, {}", k.strategy, size, k.threads, k.threads == 1 ? "" : "s", k.mode);
  if (k.rate_bps) out += fmt::format(", at {} Gbit/s each", short_number(static_cast<double>(k.rate_bps) / 1e9));
  if (!k.topology.empty()) out += ", pair " + k.topology;
  return out;
}

std::string change_text(double ratio) {
  const double pct = (ratio - 1) * 100;
  if (std::abs(pct) < 0.05) return "+0.0%";
  return fmt::format("{:+.{}f}%", pct, std::abs(pct) < 10 ? 1 : 0);
}

std::string regression_line(const Regression& r, double threshold_pct) {
  const MetricChange& m = r.change;
  std::string interval =
      m.interval ? fmt::format(" [{}, {}]", change_text(m.interval->low), change_text(m.interval->high)) : "";
  return fmt::format("{}: {}: {} {}{} (p={:.3g}), worse than --fail-on {}%", r.new_source, cell_label(r.cell),
                     m.metric->title, change_text(*m.ratio), interval, m.test.p_value, short_number(threshold_pct));
}

}  // namespace copybench::report
