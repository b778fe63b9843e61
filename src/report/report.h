#pragma once
// `copybench report DIR` (and the end of `copybench sweep`): DIR/runs.csv alone becomes
// DIR/summary.csv, DIR/report.md and DIR/plots/*.{dat,gp,png,svg}.
#include <string>
#include <vector>

namespace copybench {

struct ReportOutcome {
  std::vector<std::string> files_written;  // paths, DIR/... in the order written
  std::string note;  // for the user, e.g. gnuplot missing and how to install it; "" when none
  int runs = 0, failed_runs = 0;
};

/// Reads DIR/runs.csv and writes the summary, the plots (when gnuplot is installed; otherwise
/// their data and scripts, and `note` says how to get gnuplot) and the report. Throws Error
/// naming the problem: "DIR/runs.csv: no such file", a bad header, a malformed row, a file that
/// cannot be written.
ReportOutcome write_report(const std::string& dir);

}  // namespace copybench
