#include "report/plots.h"

#include <fmt/format.h>
#include <map>
#include <set>
#include <tuple>

#include "core/column_keys.h"
#include "report/gnuplot.h"
#include "report/rates.h"
#include "report/stacked_plot.h"

namespace copybench::report {
namespace {

// One line kind drawn per strategy: a metric, and how its series is labelled and dashed.
struct Line {
  std::string metric, suffix;
  bool dashed = false;
};

std::string threads_title(int threads) { return fmt::format("{} thread{}", threads, threads == 1 ? "" : "s"); }

std::string size_title(const PointKey& k) {
  if (k.response_bytes)
    return fmt::format("request {}, response {}", short_size(k.message_bytes), short_size(*k.response_bytes));
  return fmt::format("{} messages", short_size(k.message_bytes));
}

// The points of one topology and mode as panels of series: x = size with a panel per thread
// count, or x = threads with a panel per size.
std::vector<Panel> collect(const Summary& summary, const std::string& topology, const std::string& mode,
                           const std::vector<Line>& lines, bool x_is_size) {
  using PanelKey = std::tuple<int, uint64_t, uint64_t>;
  std::map<PanelKey, std::pair<std::string, std::map<std::tuple<int, std::string, size_t>, Series>>> panels;
  // Colours by the data path's place among this figure's paths: gnuplot cycles through 8, and
  // the ranks themselves (spaced for receive strategies and directions) would repeat one.
  std::set<int> ranks;
  for (const auto& p : summary.points)
    if (p.key.topology == topology && p.key.mode == mode) ranks.insert(strategy_rank(p.key.strategy));
  auto colour_of = [&](int rank) { return static_cast<int>(std::distance(ranks.begin(), ranks.find(rank))) + 1; };
  for (const auto& p : summary.points) {
    if (p.key.topology != topology || p.key.mode != mode) continue;
    PanelKey pk =
        x_is_size ? PanelKey{p.key.threads, 0, 0} : PanelKey{0, p.key.message_bytes, p.key.response_bytes.value_or(0)};
    auto& panel = panels[pk];
    panel.first = x_is_size ? threads_title(p.key.threads) : size_title(p.key);
    for (size_t i = 0; i < lines.size(); ++i) {
      const Stats* s = p.metric(lines[i].metric);
      if (!s) continue;
      int rank = strategy_rank(p.key.strategy);
      auto& series = panel.second[{rank, p.key.strategy, i}];
      series.label = p.key.strategy + lines[i].suffix;
      series.color = colour_of(rank);
      series.dashed = lines[i].dashed;
      double x = x_is_size ? double(p.key.message_bytes) : double(p.key.threads);
      auto [low, high] = interval(*s);  // the intervals the answers compare, so figure and text agree
      series.points.push_back({x, s->median, low, high});
    }
  }
  std::vector<Panel> out;
  for (auto& [key, panel] : panels) {
    if (panel.second.empty()) continue;
    Panel p{panel.first, {}};
    for (auto& [series_key, series] : panel.second) {
      std::sort(series.points.begin(), series.points.end(),
                [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
      p.series.push_back(std::move(series));
    }
    out.push_back(std::move(p));
  }
  return out;
}

bool any_metric(const Summary& s, const std::string& topology, const std::string& metric) {
  for (const auto& p : s.points)
    if (p.key.topology == topology && p.metric(metric)) return true;
  return false;
}

struct Planner {
  const Summary& summary;
  std::string topology;
  FigurePlan& plan;

  void add(Figure f, const std::string& mode, const std::vector<Line>& lines, const std::string& why_absent) {
    f.stem += "_" + topology;
    f.title += " (" + topology + ")";
    f.panels = collect(summary, topology, mode, lines, f.x_is_size);
    if (f.panels.empty()) {
      plan.skipped.push_back({f.stem, f.title, f.caption, why_absent, "", false});
      return;
    }
    plan.figures.push_back(std::move(f));
  }
};

const char* kBars =
    " Points are medians over the ok runs; bars are the 95% confidence interval of the mean, the "
    "intervals the answers compare (none with a single run).";

// Rates and what they cost in the CPU's caches: throughput, time per message, rr latency, LLC misses.
void plan_rates(Planner& p) {
  using key::receiver, key::sender;
  p.add({"throughput_vs_size",
         "Stream throughput vs message size",
         "message size (bytes, log2 scale)",
         "receiver throughput (Gbit/s)",
         true,
         true,
         fmt::format("Receiver throughput ({}) per strategy, one panel per thread count.{}",
                     receiver(key::throughput_gbps), kBars),
         {}},
        "stream", {{receiver(key::throughput_gbps), "", false}}, "no stream run with a receiver throughput");
  p.add({"stream_latency_vs_threads",
         "Stream time per message vs thread count",
         "threads (connections, log2 scale)",
         "time per message per connection (us)",
         false,
         true,
         fmt::format("Mean time per message per connection on the sender ({} = window * threads / messages), one "
                     "panel per message size.{}",
                     sender(key::time_per_msg_us), kBars),
         {}},
        "stream", {{sender(key::time_per_msg_us), "", false}}, "no stream run with a time per message");
  p.add({"rr_latency_vs_threads",
         "Request/response latency vs thread count",
         "threads (connections, log2 scale)",
         "round-trip latency (us)",
         false,
         true,
         fmt::format("Round trip as the requester times it: {} (solid) and {} (dashed), one panel per "
                     "request/response size.{}",
                     receiver(key::latency_p50_us), receiver(key::latency_p99_us), kBars),
         {}},
        "rr", {{receiver(key::latency_p50_us), " p50", false}, {receiver(key::latency_p99_us), " p99", true}},
        "no rr (request/response) runs in this sweep");
  p.add({"llc_misses_vs_size",
         "LLC load misses per KiB vs message size",
         "message size (bytes, log2 scale)",
         "LLC load misses per KiB moved",
         true,
         true,
         fmt::format("{} (solid) and {} (dashed), stream mode.{}", sender(key::llc_misses_per_kib),
                     receiver(key::llc_misses_per_kib), kBars),
         {}},
        "stream",
        {{sender(key::llc_misses_per_kib), " sender", false}, {receiver(key::llc_misses_per_kib), " receiver", true}},
        "no LLC-load-misses counts: perf hardware counters were unavailable (copybench probe says why)");
}

// What a byte costs: cycles or CPU time, context switches, the zero-copy paths' copies, system
// calls, and what held the sender's TCP.
void plan_costs(Planner& p) {
  using key::receiver, key::sender;
  bool cycles = any_metric(p.summary, p.topology, sender(key::cycles_per_byte)) ||
                any_metric(p.summary, p.topology, receiver(key::cycles_per_byte));
  std::string_view unit = cycles ? key::cycles_per_byte : key::cpu_ns_per_byte;
  p.add({"cpu_cost_vs_size",
         cycles ? "CPU cycles per byte vs message size" : "CPU time per byte vs message size, no cycle counts",
         "message size (bytes, log2 scale)",
         cycles ? "CPU cycles per byte" : "CPU time per byte (ns/B)",
         true,
         true,
         fmt::format(
             "{} (solid) and {} (dashed), stream mode.{}{}", sender(unit), receiver(unit),
             cycles ? "" : " Cycle counts were unavailable, so this is process CPU time (user + system) per byte.",
             kBars),
         {}},
        "stream", {{sender(unit), " sender", false}, {receiver(unit), " receiver", true}},
        "neither cycle counts nor CPU time per byte were measured");
  p.add({"context_switches_vs_size",
         "Context switches vs message size",
         "message size (bytes, log2 scale)",
         "context switches in the window",
         true,
         true,
         fmt::format("{} (solid) and {} (dashed) over the measured window, all of a side's test threads, stream "
                     "mode.{}",
                     sender(key::context_switches), receiver(key::context_switches), kBars),
         {}},
        "stream",
        {{sender(key::context_switches), " sender", false}, {receiver(key::context_switches), " receiver", true}},
        "no context-switch counts (perf software events unavailable)");
}

// What the kernel copied or avoided, the calls made, and what held the sender's TCP.
void plan_copies_and_calls(Planner& p) {
  using key::receiver, key::sender;
  p.add({"zc_copied_vs_size",
         "Zero-copy sends the kernel copied vs message size",
         "message size (bytes, log2 scale)",
         "copied sends (% of completed)",
         true,
         true,
         fmt::format("{}: completions flagged SO_EE_CODE_ZEROCOPY_COPIED / completions, stream mode, one panel per "
                     "thread count.{}",
                     key::zc_copied_pct, kBars),
         {}},
        "stream", {{std::string(key::zc_copied_pct), "", false}}, "no zero-copy run with completion counts");
  p.add({"zc_mapped_vs_size",
         "Received bytes mapped instead of copied vs message size",
         "message size (bytes, log2 scale)",
         "mapped bytes (% of received)",
         true,
         true,
         fmt::format("{}: bytes TCP_ZEROCOPY_RECEIVE mapped / bytes received, zerocopy-recv runs (lines "
                     "send+zerocopy-recv), stream mode, one panel per thread count.{}",
                     receiver(key::zc_mapped_pct), kBars),
         {}},
        "stream", {{receiver(key::zc_mapped_pct), "", false}}, "no zerocopy-recv run");
  p.add({"calls_vs_size",
         "Sender system calls per message vs message size",
         "message size (bytes, log2 scale)",
         "calls per message",
         true,
         true,
         fmt::format("{}: send/sendmsg calls, or io_uring_enter calls for the io_uring strategies (solid), and {}: "
                     "io_uring SQEs (dashed), stream mode.{}",
                     sender(key::calls_per_msg), sender(key::submissions_per_msg), kBars),
         {}},
        "stream", {{sender(key::calls_per_msg), " calls", false}, {sender(key::submissions_per_msg), " SQEs", true}},
        "no call counts");
  p.add({"tcp_limited_vs_size",
         "What held the sender's TCP vs message size",
         "message size (bytes, log2 scale)",
         "share of the window (%)",
         true,
         true,
         fmt::format("The sender's TCP_INFO chrono clocks over the window, mean over its connections: {} (solid: "
                     "held by its own send buffer, where MSG_ZEROCOPY's optmem and pinned pages count) and {} "
                     "(dashed: held by the receiver's window), stream mode, one panel per thread count.{}",
                     sender(key::tcp_sndbuf_limited_pct), sender(key::tcp_rwnd_limited_pct), kBars),
         {}},
        "stream",
        {{sender(key::tcp_sndbuf_limited_pct), " sndbuf", false}, {sender(key::tcp_rwnd_limited_pct), " rwnd", true}},
        "no TCP_INFO chrono clocks (they need Linux 4.10)");
}

void plan_topology(const Summary& summary, const std::string& topology, FigurePlan& plan) {
  Planner p{summary, topology, plan};
  plan_rates(p);
  plan_costs(p);
  plan_copies_and_calls(p);
}

}  // namespace

FigurePlan plan_figures(const Summary& summary) {
  FigurePlan plan;
  std::vector<std::string> topologies;
  for (const auto& p : summary.points)
    if (topologies.empty() || topologies.back() != p.key.topology) topologies.push_back(p.key.topology);
  const Summary flat_out = unpaced(summary);  // the paths compared at their fastest
  for (const auto& t : topologies) {
    plan_topology(flat_out, t, plan);
    if (auto f = cpu_at_rate_figure(summary, t)) plan.figures.push_back(std::move(*f));
  }
  return plan;
}

PlotsOutcome write_plots(const Summary& summary, const std::string& plots_dir) {
  PlotsOutcome outcome;
  auto plan = plan_figures(summary);
  const std::string gnuplot = start_plots(plots_dir, !plan.figures.empty(), outcome);
  for (const auto& f : plan.figures) {
    if (!draw_plot(gnuplot, plots_dir, {f.stem, f.title, f.caption, "", "", false}, figure_data(f), figure_script(f),
                   outcome) &&
        outcome.note.empty())
      outcome.note = "gnuplot failed on some plots; see report.md";
  }
  add_cpu_bucket_plots(summary, plots_dir, gnuplot, outcome);  // the --profile stacked bars
  for (auto& s : plan.skipped) outcome.entries.push_back(std::move(s));
  return outcome;
}

}  // namespace copybench::report
