#pragma once
// gnuplot as a child process: data and script files in, PNG and SVG out. No shell: the script is
// a file and gnuplot is exec'd directly with it.
#include <string>
#include <vector>

#include "report/plots.h"

namespace copybench::report {

/// A double-quoted gnuplot string. The terminals run `noenhanced`, so '_' and '^' print as is.
std::string gnuplot_quoted(const std::string& s);

/// gnuplot's path on $PATH, or "" when it is not installed.
std::string find_gnuplot();

/// The data file: one block per series (panels in order), blocks separated by two blank lines
/// so the script addresses them with `index`; columns x, median, bar low, bar high.
std::string figure_data(const Figure& figure);

/// The script: draws STEM.dat into STEM.png (pngcairo) and STEM.svg (svg), run in the plots dir.
std::string figure_script(const Figure& figure);

/// Runs `gnuplot SCRIPT` with `dir` as working directory, its output in STEM.log. Returns "" on
/// success, else what went wrong (the start of gnuplot's complaint, or how it ended).
std::string run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& stem);

/// Makes `plots_dir` (throws Error when it cannot) and returns gnuplot's path; when gnuplot is
/// missing and there is something to draw, says in outcome.note how to install it.
std::string start_plots(const std::string& plots_dir, bool anything_to_draw, PlotsOutcome& outcome);

/// One figure: writes plots_dir/STEM.dat and STEM.gp, then draws STEM.png and STEM.svg with
/// `gnuplot` ("" when missing: the entry says it was skipped). The entry, rendered, skipped or
/// failed, and the files written go into `outcome`. Returns false when gnuplot failed on it.
bool draw_plot(const std::string& gnuplot, const std::string& plots_dir, PlotEntry entry, const std::string& data,
               const std::string& script, PlotsOutcome& outcome);

}  // namespace copybench::report
