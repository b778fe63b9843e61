// compare's plots: per metric, each cell's ratio NEW/OLD with its 95% bootstrap interval, one
// series per input after the first, a dashed line at 1 (no change). The numbers come from the
// comparison through a data file (compare-SLUG.dat), as the report's plots do.
#include <fmt/format.h>
#include <algorithm>

#include "report/compare.h"
#include "report/gnuplot.h"

namespace copybench::report {
namespace {

struct Drawn {
  std::vector<PointKey> cells;  // x = index
  std::vector<std::string> series;
};

std::string stem_of(const CompareMetric& metric) { return "compare-" + metric.slug; }

// Blocks (one per input after the first), each line: x, ratio, low, high. A cell without an
// interval (a single run) has its ratio as both ends.
std::string plot_data(const CompareMetric& metric, const std::vector<Comparison>& comparisons, Drawn& drawn) {
  for (const auto& key : compared_cells(comparisons))
    for (const auto& c : comparisons)
      if (const MetricChange* m = change_in(c, key, metric.column); m && m->ratio) {
        drawn.cells.push_back(key);
        break;
      }
  std::string out = fmt::format("# {} NEW/OLD per cell (from compare.csv, column ratio)\n", metric.title);
  for (size_t x = 0; x < drawn.cells.size(); ++x) out += fmt::format("# cell {}: {}\n", x, cell_label(drawn.cells[x]));
  out += "# columns: cell index, ratio, interval low, interval high\n";
  for (const auto& c : comparisons) {
    drawn.series.push_back(c.new_name);
    for (size_t x = 0; x < drawn.cells.size(); ++x)
      if (const MetricChange* m = change_in(c, drawn.cells[x], metric.column); m && m->ratio)
        out += fmt::format("{} {:.9g} {:.9g} {:.9g}\n", x, *m->ratio, m->interval ? m->interval->low : *m->ratio,
                           m->interval ? m->interval->high : *m->ratio);
    out += "\n\n";
  }
  return out;
}

std::string plot_body(const CompareMetric& metric, const Drawn& drawn, const std::string& stem) {
  std::string tics;
  for (size_t x = 0; x < drawn.cells.size(); ++x)
    tics += fmt::format("{}{} {}", x ? ", " : "", gnuplot_quoted(cell_label(drawn.cells[x])), x);
  const double right = static_cast<double>(drawn.cells.size()) - 0.5;
  std::string out =
      fmt::format("set title {}\nset ylabel \"NEW / OLD\"\n", gnuplot_quoted(metric.title + " (" + metric.unit + ")"));
  out += fmt::format("set xrange [-0.5:{}]\nset xtics ({}) rotate by -35 left\nset grid ytics\n", right, tics);
  out += fmt::format(
      "set arrow 1 from -0.5,1 to {},1 nohead dt 2 lc rgb \"gray40\"\nset key outside top center horizontal\n", right);
  out += "plot ";
  const double width = 0.6 / static_cast<double>(std::max<size_t>(drawn.series.size(), 1));
  for (size_t i = 0; i < drawn.series.size(); ++i) {
    const double offset = (static_cast<double>(i) - (drawn.series.size() - 1) / 2.0) * width;
    out += fmt::format("{}'{}.dat' index {} using ($1+{:.3f}):2:3:4 with yerrorbars lc {} pt 7 title {}",
                       i ? ", \\\n     " : "", stem, i, offset, i + 1, gnuplot_quoted(drawn.series[i]));
  }
  return out + "\n";
}

std::string plot_script(const CompareMetric& metric, const Drawn& drawn) {
  const std::string stem = stem_of(metric);
  const int width = std::max(640, 160 + 70 * static_cast<int>(drawn.cells.size()));
  std::string out = fmt::format(
      "# Drawn by copybench compare from {0}.dat (taken from ../compare.csv).\n# Redraw: cd plots && gnuplot {0}.gp\n",
      stem);
  out += fmt::format("set terminal pngcairo noenhanced size {},560 font \",10\"\nset output '{}.png'\n", width, stem);
  out += plot_body(metric, drawn, stem);
  out += fmt::format(
      "set output\nset terminal svg noenhanced size {},560 font \"sans,10\" background \"white\"\nset output "
      "'{}.svg'\n",
      width, stem);
  out += plot_body(metric, drawn, stem);
  return out + "set output\n";
}

}  // namespace

PlotsOutcome write_compare_plots(const std::vector<Comparison>& comparisons, const std::string& plots_dir) {
  std::vector<std::pair<const CompareMetric*, Drawn>> figures;
  std::vector<std::string> data;
  for (const auto& metric : compare_metrics()) {
    Drawn drawn;
    std::string text = plot_data(metric, comparisons, drawn);
    if (drawn.cells.empty()) continue;
    figures.emplace_back(&metric, std::move(drawn));
    data.push_back(std::move(text));
  }
  PlotsOutcome outcome;
  const std::string gnuplot = start_plots(plots_dir, !figures.empty(), outcome);
  for (size_t i = 0; i < figures.size(); ++i) {
    const auto& [metric, drawn] = figures[i];
    PlotEntry entry{stem_of(*metric), metric->title + ": NEW/OLD per cell", "", "", "", false};
    if (!draw_plot(gnuplot, plots_dir, std::move(entry), data[i], plot_script(*metric, drawn), outcome) &&
        outcome.note.empty())
      outcome.note = "gnuplot failed on some plots; see compare.md";
  }
  return outcome;
}

}  // namespace copybench::report
