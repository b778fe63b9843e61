#include "report/report.h"

#include <fmt/format.h>
#include <cerrno>
#include <fstream>

#include "core/error.h"
#include "report/markdown.h"
#include "report/plots.h"
#include "report/runs_table.h"
#include "report/summary.h"

namespace copybench {

void write_text_file(const std::string& path, const std::string& text, std::vector<std::string>* written) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw_sys(fmt::format("create {}", path), errno);
  out << text;
  if (!out.flush()) throw_sys(fmt::format("write {}", path), errno);
  if (written) written->push_back(path);
}

ReportOutcome write_report(const std::string& dir) {
  auto runs = report::RunsTable::read(dir + "/runs.csv");
  auto summary = report::summarize(runs);
  ReportOutcome outcome;
  outcome.runs = summary.runs;
  outcome.failed_runs = summary.failed_runs;
  outcome.warning = runs.torn_row();

  write_text_file(dir + "/summary.csv", report::summary_csv(summary));
  outcome.files_written.push_back(dir + "/summary.csv");

  auto plots = report::write_plots(summary, dir + "/plots");
  outcome.files_written.insert(outcome.files_written.end(), plots.files_written.begin(), plots.files_written.end());

  write_text_file(dir + "/report.md", report::render_markdown(runs, summary, plots));
  outcome.files_written.push_back(dir + "/report.md");

  outcome.note = plots.note;
  if (summary.runs == 0) outcome.note = fmt::format("{}/runs.csv holds no runs yet, only its header", dir);
  return outcome;
}

}  // namespace copybench
