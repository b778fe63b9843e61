#include "report/fleet_plots.h"

#include <fmt/format.h>
#include <filesystem>

#include "core/error.h"
#include "report/gnuplot.h"
#include "report/report.h"

namespace copybench::report {
namespace {

std::string quoted(const std::string& s) { return gnuplot_quoted(s); }

std::string host_tics(const std::vector<std::string>& hosts) {
  std::string out;
  for (size_t i = 0; i < hosts.size(); ++i) out += fmt::format("{}{} {}", i ? ", " : "", quoted(hosts[i]), i);
  return out;
}

// Clients down (the first on top), servers across; a box per measured pair coloured by its
// value and labelled with it. Light colours, so the black labels read on every box.
std::string body(const FleetMatrix& m, const std::vector<std::string>& hosts, const std::string& stem) {
  const double last = static_cast<double>(hosts.size()) - 0.5;
  std::string out = fmt::format("set title {}\n", quoted(fmt::format("{}: {}", m.metric->title, point_label(m.point))));
  out += fmt::format("set xlabel \"server\"\nset ylabel \"client\"\nset cblabel {}\n", quoted(m.metric->title));
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
  std::error_code ec;
  std::filesystem::create_directories(plots_dir, ec);
  if (ec) throw Error(fmt::format("create {}: {}", plots_dir, ec.message()));
  PlotsOutcome outcome;
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty() && !matrices.empty())
    outcome.note = "gnuplot not found: apt-get install gnuplot-nox, then copybench report DIR";
  for (const auto& m : matrices) {
    const std::string stem = heatmap_stem(m), base = plots_dir + "/" + stem;
    write_text_file(base + ".dat", heatmap_data(m, hosts), &outcome.files_written);
    write_text_file(base + ".gp", heatmap_script(m, hosts), &outcome.files_written);
    PlotEntry entry{stem, fmt::format("{}: {}", m.metric->title, point_label(m.point)), "", "", "", false};
    if (gnuplot.empty()) {
      entry.skipped = "gnuplot is not installed; the data and script are in plots/" + stem + ".{dat,gp}";
    } else if (auto failure = run_gnuplot(gnuplot, plots_dir, stem); !failure.empty()) {
      entry.failed = failure;
      if (outcome.note.empty()) outcome.note = "gnuplot failed on some heatmaps; see report.md";
    } else {
      entry.rendered = true;
      outcome.files_written.push_back(base + ".png");
      outcome.files_written.push_back(base + ".svg");
    }
    outcome.entries.push_back(std::move(entry));
  }
  return outcome;
}

}  // namespace copybench::report
