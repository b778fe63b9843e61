#include "report/stacked_plot.h"

#include <fmt/format.h>
#include <map>

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"
#include "report/gnuplot.h"
#include "results/result.h"

namespace copybench::report {
namespace {

// Copies in warm colours so they stand out; the rest in cool and grey ones. One per bucket, in
// cpu_buckets.h order.
constexpr const char* kColors[kBucketCount] = {"#d62728", "#ff7f0e", "#e377c2", "#bcbd22", "#9467bd", "#1f77b4",
                                               "#17becf", "#8c564b", "#c7c7c7", "#2ca02c", "#7f7f7f"};

std::string body(const StackedFigure& f) {
  std::string out = fmt::format(
      "set multiplot layout {},1 title {}\nset style data histograms\nset style histogram rowstacked\n"
      "set style fill solid 0.9 border rgb \"#404040\"\nset boxwidth 0.75 relative\nset yrange [0:*]\n"
      "set offsets 0, 0, graph 0.05, 0\nset ylabel {}\nset grid ytics\nset key outside right top vertical\n"
      "set xtics rotate by -30 scale 0\n",
      f.panels.size(), gnuplot_quoted(f.title), gnuplot_quoted(f.ylabel));
  for (size_t p = 0; p < f.panels.size(); ++p) {
    out += fmt::format("set title {}\nplot", gnuplot_quoted(f.panels[p].title));
    for (size_t s = 0; s < f.series.size(); ++s)
      out += fmt::format("{}'{}.dat' index {} using {}{} title {} lc rgb \"{}\"", s ? ", \\\n    " : " ", f.stem, p,
                         s + 2, s == 0 ? ":xtic(1)" : "", gnuplot_quoted(f.series[s]), f.colors[s]);
    out += "\n";
  }
  return out + "unset multiplot\n";
}

}  // namespace

std::optional<StackedFigure> cpu_buckets_figure(const Summary& summary, const std::string& topology) {
  int threads = 0;  // the lowest thread count with shares: one bar per strategy and size stays readable
  const std::string shares = key::receiver(key::cpu_bucket_pct(bucket_info(Bucket::tcp_ip).key));
  for (const auto& p : summary.points)
    if (p.key.topology == topology && p.key.mode == "stream" && p.metric(shares) &&
        (threads == 0 || p.key.threads < threads))
      threads = p.key.threads;
  if (threads == 0) return std::nullopt;
  StackedFigure f;
  f.stem = "cpu_buckets_" + topology;
  f.title =
      fmt::format("Where the CPU went, by side ({}, stream, {} thread{})", topology, threads, threads == 1 ? "" : "s");
  f.ylabel = "share of the side's CPU samples (%)";
  f.caption = fmt::format(
      "Median share of each side's cpu-clock samples (its test threads) per bucket (summary.csv "
      "`<side>_cpu_<bucket>_pct`), sweep --profile, stream mode at {} thread{}, one bar per strategy and message "
      "size. The four copy buckets are the warm colours at the bottom. Medians of shares need not add up to "
      "exactly 100.",
      threads, threads == 1 ? "" : "s");
  for (const auto& b : bucket_infos()) {
    f.series.push_back(b.title);
    f.colors.push_back(kColors[static_cast<size_t>(b.bucket)]);
  }
  for (Side side : kSides) {
    StackedPanel panel{side_name(side), {}};
    for (const auto& p : summary.points) {
      if (p.key.topology != topology || p.key.mode != "stream" || p.key.threads != threads) continue;
      StackedBar bar{p.key.strategy + " " + short_size(p.key.message_bytes), {}};
      bool any = false;
      for (const auto& b : bucket_infos()) {
        const Stats* s = p.metric(key::of_side(side_name(side), key::cpu_bucket_pct(b.key)));
        any = any || s;
        bar.values.push_back(s ? s->median : 0.0);
      }
      if (any) panel.bars.push_back(std::move(bar));
    }
    // The summary orders points by size, then strategy; bars read better grouped by strategy.
    std::stable_sort(panel.bars.begin(), panel.bars.end(), [](const StackedBar& a, const StackedBar& b) {
      const auto sa = a.label.substr(0, a.label.rfind(' ')), sb = b.label.substr(0, b.label.rfind(' '));
      return strategy_rank(sa) < strategy_rank(sb);
    });
    if (!panel.bars.empty()) f.panels.push_back(std::move(panel));
  }
  if (f.panels.empty()) return std::nullopt;
  return f;
}

std::string stacked_data(const StackedFigure& f) {
  std::string out = fmt::format("# {}\n# columns: bar label, then", f.title);
  for (const auto& s : f.series) out += " " + gnuplot_quoted(s);
  out += " (median %)\n";
  for (size_t p = 0; p < f.panels.size(); ++p) {
    out += fmt::format("{}# panel: {}\n", p ? "\n\n" : "", f.panels[p].title);
    for (const auto& bar : f.panels[p].bars) {
      out += gnuplot_quoted(bar.label);
      for (double v : bar.values) out += fmt::format(" {:.6g}", v);
      out += "\n";
    }
  }
  return out;
}

std::string stacked_script(const StackedFigure& f) {
  const size_t bars = f.panels.empty() ? 0 : f.panels.front().bars.size();
  const int width = static_cast<int>(std::max<size_t>(900, 260 + 60 * bars)),
            height = 380 * static_cast<int>(f.panels.size()) + 60;
  std::string out = fmt::format(
      "# Drawn by copybench report from {0}.dat (taken from ../summary.csv).\n"
      "# Redraw: cd plots && gnuplot {0}.gp\n",
      f.stem);
  out += fmt::format("set terminal pngcairo noenhanced size {},{} font \",10\"\nset output '{}.png'\n", width, height,
                     f.stem);
  out += body(f);
  out += fmt::format(
      "set output\nset terminal svg noenhanced size {},{} font \"sans,10\" background \"white\"\n"
      "set output '{}.svg'\n",
      width, height, f.stem);
  return out + body(f) + "set output\n";
}

void add_cpu_bucket_plots(const Summary& summary, const std::string& plots_dir, const std::string& gnuplot,
                          PlotsOutcome& outcome) {
  std::vector<std::string> topologies;
  for (const auto& p : summary.points)
    if (std::find(topologies.begin(), topologies.end(), p.key.topology) == topologies.end())
      topologies.push_back(p.key.topology);
  for (const auto& t : topologies) {
    auto f = cpu_buckets_figure(summary, t);
    const std::string stem = "cpu_buckets_" + t, title = "Where the CPU went, by side (" + t + ")";
    if (!f) {
      outcome.entries.push_back({stem, title, "", "no stream run was profiled (copybench sweep --profile)", "", false});
      continue;
    }
    draw_plot(gnuplot, plots_dir, {f->stem, f->title, f->caption, "", "", false}, stacked_data(*f), stacked_script(*f),
              outcome);
  }
}

}  // namespace copybench::report
