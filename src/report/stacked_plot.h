#pragma once
// The sweep report's stacked-bar figure: where each side's CPU went (the --profile buckets),
// one bar per strategy and size. Its numbers come from the summary through plots/STEM.dat, as
// the line figures' do (plots.h).
#include <optional>
#include <string>
#include <vector>

#include "report/plots.h"
#include "report/summary.h"

namespace copybench::report {

struct StackedBar {
  std::string label;           // "one-copy 64K"
  std::vector<double> values;  // one per series, median %; 0 when unknown
};

struct StackedPanel {
  std::string title;
  std::vector<StackedBar> bars;
};

struct StackedFigure {
  std::string stem, title, ylabel, caption;
  std::vector<std::string> series, colors;  // legend entries and their colours, bottom up
  std::vector<StackedPanel> panels;
};

/// The CPU buckets of one topology's stream points at their lowest thread count: a panel per
/// side. nullopt when no such point has bucket shares.
std::optional<StackedFigure> cpu_buckets_figure(const Summary& summary, const std::string& topology);

/// The data file (a block per panel: quoted label, then one column per series) and the script.
std::string stacked_data(const StackedFigure& figure);
std::string stacked_script(const StackedFigure& figure);

/// For each topology: writes the figure's files under `plots_dir` and draws it with `gnuplot`
/// (none: not drawn, with the reason), or lists it as not drawn when nothing was profiled.
void add_cpu_bucket_plots(const Summary& summary, const std::string& plots_dir, const std::string& gnuplot,
                          PlotsOutcome& outcome);

}  // namespace copybench::report
