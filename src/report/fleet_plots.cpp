#include "report/fleet_plots.h"

#include <fmt/format.h>

#include "report/gnuplot.h"

namespace copybench::report {
namespace {

std::string host_tics(const std::vector<std::string>& hosts) {
  std::string out;
  for (size_t i = 0; i < hosts.size(); ++i) out += fmt::format("{}{} {}", i ? ", " : "", gnuplot_quoted(hosts[i]), i);
  return out;
}

// Clients down (the first on top), servers across; a box per measured pair coloured by its
// value and labelled with it. Light colours, so the black labels read on every box.
std::string body(const FleetMatrix& m, const std::vector<std::string>& hosts, const std::string& stem) {
  const double last = static_cast<double>(hosts.size()) - 0.5;
  std::string out =
      fmt::format("set title {}\n", gnuplot_quoted(fmt::format("{}: {}", m.metric->title, point_label(m.point))));
  out += fmt::format("set xlabel \"server\"\nset ylabel \"client\"\nset cblabel {}\n", gnuplot_quoted(m.metric->title));
  out += fmt::format("set xrange [-0.5:{0}]\nset yrange [{0}:-0.5]\n", last);
  out += fmt::format("set xtics ({0})\nset ytics ({0})\nset tics nomirror out\nunset key\n", host_tics(hosts));
  out += "set palette defined (0 \"#fff5eb\", 1 \"#fdae6b\", 2 \"#f16913\")\n";
  out += fmt::format(
      "plot '{0}.dat' using 2:1:(0.5):(0.5):3 with boxxyerror fs solid 1.0 border lc rgb \"gray\" lc palette, \\\n"
      "    '{0}.dat' using 2:1:(sprintf(\"%.4g\", $3)) with labels tc rgb \"black\"\n",
      stem);
  return out;
}

}  // namespace

std::string heatmap_stem(const FleetMatrix& m) {
  return fmt::format("fleet-{}-{}", m.metric->slug, point_slug(m.point));
}

std::string heatmap_data(const FleetMatrix& m, const std::vector<std::string>& hosts) {
  std::string out = fmt::format("# {}: {} (taken from ../fleet-summary.csv, column {}_median)\n", m.metric->title,
                                point_label(m.point), m.metric->column);
  for (size_t i = 0; i < hosts.size(); ++i) out += fmt::format("# host {}: {}\n", i, hosts[i]);
  out += "# columns: client index, server index, the pair's median\n";
  for (size_t c = 0; c < hosts.size(); ++c)
    for (size_t s = 0; s < hosts.size(); ++s)
      if (auto it = m.cells.find({hosts[c], hosts[s]}); it != m.cells.end())
        out += fmt::format("{} {} {:.9g}\n", c, s, it->second);
  return out;
}

std::string heatmap_script(const FleetMatrix& m, const std::vector<std::string>& hosts) {
  const std::string stem = heatmap_stem(m);
  const int side = 220 + 90 * static_cast<int>(hosts.size());
  std::string out = fmt::format(
      "# Drawn by copybench report from {0}.dat (taken from ../fleet-summary.csv).\n"
      "# Redraw: cd plots && gnuplot {0}.gp\n",
      stem);
  out += fmt::format("set terminal pngcairo noenhanced size {},{} font \",10\"\nset output '{}.png'\n", side + 160,
                     side, stem);
  out += body(m, hosts, stem);
  out += fmt::format(
      "set output\nset terminal svg noenhanced size {},{} font \"sans,10\" background \"white\"\n"
      "set output '{}.svg'\n",
      side + 160, side, stem);
  out += body(m, hosts, stem);
  return out + "set output\n";
}

PlotsOutcome write_fleet_plots(const std::vector<FleetMatrix>& matrices, const std::vector<std::string>& hosts,
                               const std::string& plots_dir) {
  PlotsOutcome outcome;
  const std::string gnuplot = start_plots(plots_dir, !matrices.empty(), outcome);
  for (const auto& m : matrices) {
    PlotEntry entry{heatmap_stem(m), fmt::format("{}: {}", m.metric->title, point_label(m.point)), "", "", "", false};
    if (!draw_plot(gnuplot, plots_dir, std::move(entry), heatmap_data(m, hosts), heatmap_script(m, hosts), outcome) &&
        outcome.note.empty())
      outcome.note = "gnuplot failed on some heatmaps; see report.md";
  }
  return outcome;
}

}  // namespace copybench::report
