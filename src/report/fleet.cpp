// The fleet report put together: fleet.json, each pair's folder (fleet_pairs.cpp), the
// matrices (fleet_matrix.cpp), fleet-summary.csv, the heatmaps (fleet_plots.cpp) and report.md
// (fleet_markdown.cpp).
#include "report/fleet.h"

#include <fmt/format.h>
#include <filesystem>

#include "report/fleet_markdown.h"
#include "report/fleet_matrix.h"
#include "report/fleet_plots.h"
#include "report/report.h"

namespace copybench::report {

bool is_fleet_folder(const std::string& dir) { return std::filesystem::exists(dir + "/fleet.json"); }

std::string fleet_summary_csv(const std::vector<PairOutcome>& pairs) {
  // Host names are letters, digits, '.', '_' and '-' (parse_fleet_spec): no cell to quote.
  std::string out = fmt::format("{},{},{}", kClientHostColumn, kServerHostColumn, summary_csv_header());
  for (const auto& p : pairs)
    if (p.summary)
      for (const auto& point : p.summary->points)
        out += fmt::format("{},{},{}", p.pair.client, p.pair.server, summary_csv_row(point));
  return out;
}

FleetOutcome write_fleet_report(const std::string& dir) {
  const FleetSpec spec = read_fleet_spec(dir + "/fleet.json");
  FleetOutcome outcome;
  std::vector<PairOutcome> pairs;
  std::vector<MeasuredPair> measured;
  for (const auto& pair : spec.pairs) pairs.push_back(load_pair(dir, pair));
  for (const auto& p : pairs) {
    ++outcome.pairs;
    if (!p.pair.ok()) ++outcome.pairs_failed;
    if (p.pair.ok() && !p.problems.empty()) ++outcome.pairs_faulty;
    if (p.summary) {
      measured.push_back({p.pair.client, p.pair.server, &*p.summary});
      ++outcome.pairs_measured;
    }
    if (p.report_written) outcome.files_written.push_back(fmt::format("{}/{}/report.md", dir, p.folder));
    outcome.warnings.insert(outcome.warnings.end(), p.problems.begin(), p.problems.end());  // each names its file
  }

  write_text_file(dir + "/fleet-summary.csv", fleet_summary_csv(pairs), &outcome.files_written);
  const auto matrices = fleet_matrices(measured);
  std::vector<std::string> hosts;
  for (const auto& h : spec.hosts) hosts.push_back(h.name);
  const auto plots = write_fleet_plots(matrices, hosts, dir + "/plots");
  outcome.files_written.insert(outcome.files_written.end(), plots.files_written.begin(), plots.files_written.end());
  write_text_file(dir + "/report.md", render_fleet_markdown({spec, pairs, matrices, plots}), &outcome.files_written);
  outcome.note = plots.note;
  return outcome;
}

}  // namespace copybench::report
