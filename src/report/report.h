#pragma once
// `copybench report DIR` (and the end of `copybench sweep`): DIR/runs.csv alone becomes
// DIR/summary.csv, DIR/report.md and DIR/plots/*.{dat,gp,png,svg}.
#include <string>
#include <vector>

namespace copybench {

struct ReportOutcome {
  std::vector<std::string> files_written;  // paths, DIR/... in the order written
  std::string note;                        // for the user, e.g. gnuplot missing and how to install it; "" when none
  std::string warning;  // a torn last row of runs.csv that was skipped (RunsTable::torn_row); "" when none
  int runs = 0, failed_runs = 0;
};

/// Reads DIR/runs.csv and writes the summary, the plots (when gnuplot is installed; otherwise
/// their data and scripts, and `note` says how to get gnuplot) and the report. Throws Error
/// naming the problem: "DIR/runs.csv: no such file", a bad header, a malformed row, a file that
/// cannot be written. A torn last row (a crash or a full disk) is skipped and named in `warning`.
ReportOutcome write_report(const std::string& dir);

/// Writes `text` to `path`, replacing the file, and adds the path to `written` when given.
/// Throws Error naming the file when it cannot be created or written.
void write_text_file(const std::string& path, const std::string& text, std::vector<std::string>* written = nullptr);

}  // namespace copybench
