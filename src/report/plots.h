#pragma once
// Plots of a Summary. Every number drawn comes from the summary through a data file under
// plots/ (never typed into a script), so `cd plots && gnuplot STEM.gp` redraws a figure and the
// figure can be checked against summary.csv.
#include <string>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

struct PlotPoint {
  double x = 0, y = 0, low = 0, high = 0;  // y is the median; low..high the error bar
};

struct Series {
  std::string label;
  int color = 1;  // gnuplot line colour index: one per strategy, the same in every figure
  bool dashed = false;
  std::vector<PlotPoint> points;  // ascending x
};

struct Panel {
  std::string title;
  std::vector<Series> series;
};

/// One figure: one or more panels (gnuplot multiplot) sharing axes labels.
struct Figure {
  std::string stem;  // file name without extension
  std::string title, xlabel, ylabel;
  bool x_is_size = true;  // log2 x axis with size labels (1K, 4K); else thread counts
  bool y_from_zero = true;
  std::string caption;  // what it shows and where the numbers come from, for report.md
  std::vector<Panel> panels;
};

/// A figure of the report: drawn, skipped (and why) or failed (and gnuplot's words).
struct PlotEntry {
  std::string stem, title, caption;
  std::string skipped;  // non-empty: not drawn, because
  std::string failed;   // non-empty: gnuplot failed
  bool rendered = false;
};

struct FigurePlan {
  std::vector<Figure> figures;
  std::vector<PlotEntry> skipped;  // figures the data does not support, with the reason
};

/// The figures a summary supports, per topology: stream throughput vs size, stream time per
/// message vs threads, rr p50/p99 vs threads, LLC misses/KiB vs size, cycles (or CPU ns) per byte
/// vs size, context switches vs size, zero-copy copied % vs size, received bytes mapped % vs
/// size (zerocopy-recv), sender calls and io_uring SQEs per message vs size.
FigurePlan plan_figures(const Summary& summary);

struct PlotsOutcome {
  std::vector<PlotEntry> entries;
  std::vector<std::string> files_written;  // paths under plots_dir
  std::string note;                        // e.g. gnuplot missing: how to install it
};

/// Writes each figure's data (.dat) and script (.gp) under `plots_dir` (created), then runs
/// gnuplot for PNG and SVG when it is installed. Throws Error when a file cannot be written.
PlotsOutcome write_plots(const Summary& summary, const std::string& plots_dir);

}  // namespace copybench::report
