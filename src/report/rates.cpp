#include "report/rates.h"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <tuple>

#include "core/column_keys.h"
#include "core/units.h"
#include "report/answers.h"
#include "results/knobs.h"

namespace copybench::report {
namespace {

const std::string& throughput_key() {
  static const std::string k = key::receiver(key::throughput_gbps);
  return k;
}

// The sides' CPU per byte (process), and the sender machine's (every CPU it has: on one machine
// both sides and the softirq work TCP's pacing timer does outside either process).
const std::vector<std::pair<std::string, std::string>>& sides() {
  static const std::vector<std::pair<std::string, std::string>> s = {
      {"sender", key::sender(key::cpu_ns_per_byte)},
      {"receiver", key::receiver(key::cpu_ns_per_byte)},
      {"machine", key::sender(key::system_cpu_ns_per_byte)}};
  return s;
}

std::string rate_label(uint64_t bps) { return bps ? format_rate(bps) : "max (unpaced)"; }

bool topology_paced(const Summary& s, const std::string& topology) {
  return std::any_of(s.points.begin(), s.points.end(),
                     [&](const SummaryPoint& p) { return p.key.topology == topology && p.key.rate_bps != 0; });
}

// Stream points grouped by everything but the data path, in the summary's order.
std::vector<std::vector<const SummaryPoint*>> configurations(const Summary& summary) {
  std::vector<std::vector<const SummaryPoint*>> groups;
  for (const auto& p : summary.points) {
    if (p.key.mode != "stream" || !topology_paced(summary, p.key.topology)) continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      PointKey k = p.key;
      k.strategy = g.front()->key.strategy;
      return g.front()->key == k;
    });
    if (it == groups.end()) groups.push_back({&p});
    else it->push_back(&p);
  }
  return groups;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

bool held_rate(const SummaryPoint& p) {
  if (p.key.rate_bps == 0) return true;
  const Stats* t = p.metric(throughput_key());
  // The side's, all its connections: --bidir sums both directions' threads.
  const int connections = p.key.threads * (p.key.strategy.find("@bidir") != std::string::npos ? 2 : 1);
  const double target_gbps = static_cast<double>(p.key.rate_bps) * connections / 1e9;
  return t && within_rate_tolerance(t->median, target_gbps);  // the runs' own tolerance
}

std::vector<CheapestAtRate> cheapest_at_rate(const Summary& summary) {
  std::vector<CheapestAtRate> out;
  for (const auto& group : configurations(summary)) {
    const PointKey& k = group.front()->key;
    for (const auto& [side, metric] : sides()) {
      CheapestAtRate c{k.topology, k.threads, k.message_bytes, k.rate_bps, side, "", {}, {}, {}, 0};
      const SummaryPoint* best = nullptr;
      for (const auto* p : group) {
        if (!held_rate(*p)) {
          c.not_held.push_back(p->key.strategy);
          continue;
        }
        const Stats* s = p->metric(metric);
        if (!s) continue;
        ++c.compared;
        if (!best || s->median < best->metric(metric)->median) best = p;
      }
      std::sort(c.not_held.begin(), c.not_held.end());
      c.not_held.erase(std::unique(c.not_held.begin(), c.not_held.end()), c.not_held.end());
      if (!best) {
        if (!c.not_held.empty() && side == "sender") out.push_back(std::move(c));  // say that none held it
        continue;
      }
      c.strategy = best->key.strategy;
      c.cost = *best->metric(metric);
      for (const auto* p : group)
        if (p != best && held_rate(*p) && p->metric(metric) && compare(*p->metric(metric), c.cost) == Order::tie)
          c.tied.push_back(p->key.strategy);
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string rate_section(const Summary& summary) {
  const auto rows = cheapest_at_rate(summary);
  if (rows.empty()) return "";
  std::string out =
      "## CPU at a rate\n\n"
      "With every data path held to the same --rate per connection, the one that cost each side the least CPU per "
      "byte: the sender's and the receiver's process CPU (user + system) per byte received, and the sender machine's "
      "busy CPU per byte (on one machine both sides, and the softirq work of TCP's pacing that runs outside either "
      "process). Ties: 95% intervals that overlap the cheapest's. A path whose median receiver throughput missed the "
      "rate by more than 2% did not hold it and is left out of the comparison (its CPU is for another rate). \"max\" "
      "is the same configuration unpaced.\n\n"
      "| topology | threads | size | rate per connection | CPU of | cheapest | ns/B median (95% CI) | tied | did "
      "not hold the rate |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    std::string cost = "no path held the rate";
    if (!r.strategy.empty()) {
      cost = short_number(r.cost.median);
      if (r.cost.ci95_low)
        cost += fmt::format(" ({} to {})", short_number(*r.cost.ci95_low), short_number(*r.cost.ci95_high));
      else cost += " (n = 1)";
    }
    out +=
        fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.topology, r.threads,
                    short_size(r.message_bytes), rate_label(r.rate_bps), r.side, r.strategy.empty() ? "-" : r.strategy,
                    cost, r.strategy.empty() ? "-" : joined(r.tied), r.not_held.empty() ? "-" : joined(r.not_held));
  }
  return out + "\n";
}

std::optional<Figure> cpu_at_rate_figure(const Summary& summary, const std::string& topology) {
  if (!topology_paced(summary, topology)) return std::nullopt;
  Figure f{"cpu_vs_rate_" + topology,
           "CPU per byte vs rate (" + topology + ")",
           "achieved receiver throughput (Gbit/s, log2 scale): each --rate, and max",
           "CPU per byte (ns/B)",
           false,
           true,
           fmt::format("Each data path's process CPU per byte ({}, solid: sender; {}, dashed: receiver) at each rate "
                       "it was held to and unpaced, against the throughput it reached (median), one panel per thread "
                       "count and size. Bars: the 95% confidence interval of the CPU figure.",
                       key::sender(key::cpu_ns_per_byte), key::receiver(key::cpu_ns_per_byte)),
           {}};
  // (threads, size) -> (rank, path, side) -> series
  std::map<std::pair<int, uint64_t>, std::map<std::tuple<int, std::string, int>, Series>> panels;
  std::map<std::string, int> colours;
  for (const auto& p : summary.points)
    if (p.key.topology == topology && p.key.mode == "stream") colours.emplace(p.key.strategy, 0);
  int next = 1;
  for (auto& [path, colour] : colours) colour = next++;
  for (const auto& p : summary.points) {
    if (p.key.topology != topology || p.key.mode != "stream") continue;
    const Stats* t = p.metric(throughput_key());
    if (!t || t->median <= 0) continue;
    for (int side = 0; side < 2; ++side) {
      const Stats* s = p.metric(sides()[side].second);
      if (!s) continue;
      auto& series =
          panels[{p.key.threads, p.key.message_bytes}][{strategy_rank(p.key.strategy), p.key.strategy, side}];
      series.label = p.key.strategy + (side == 0 ? " sender" : " receiver");
      series.color = colours[p.key.strategy];
      series.dashed = side == 1;
      auto [low, high] = interval(*s);
      series.points.push_back({t->median, s->median, low, high});
    }
  }
  for (auto& [panel_key, by_series] : panels) {
    Panel panel{fmt::format("{} thread{}, {} messages", panel_key.first, panel_key.first == 1 ? "" : "s",
                            short_size(panel_key.second)),
                {}};
    for (auto& [series_key, series] : by_series) {
      std::sort(series.points.begin(), series.points.end(),
                [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
      panel.series.push_back(std::move(series));
    }
    f.panels.push_back(std::move(panel));
  }
  if (f.panels.empty()) return std::nullopt;
  return f;
}

}  // namespace copybench::report
