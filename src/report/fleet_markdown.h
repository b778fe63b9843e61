#pragma once
// The fleet's report.md: the pairs and their status, the hosts' environments side by side, the
// outlier pairs and, per data path and point, the host x host matrices with their heatmaps.
// Words only; the numbers come from fleet_matrix.h.
#include <string>
#include <vector>

#include "report/fleet.h"
#include "report/fleet_matrix.h"
#include "report/plots.h"

namespace copybench::report {

/// What the fleet report is written from; plots.entries[i] is matrices[i]'s heatmap.
struct FleetView {
  const FleetSpec& spec;
  const std::vector<PairOutcome>& pairs;  // fleet.json's pairs, in its order
  const std::vector<FleetMatrix>& matrices;
  const PlotsOutcome& plots;
};

/// The whole of report.md. Deterministic: the same inputs give the same text.
std::string render_fleet_markdown(const FleetView& fleet);

/// "## Hosts": a column per host of fleet.json, a row per environment field; a field no pair's
/// results gave for a host is "—", several distinct values are listed.
std::string render_hosts_table(const FleetSpec& spec, const std::vector<PairOutcome>& pairs);

/// One matrix as a Markdown table: a row per client, a column per server, "—" where the pair
/// was not measured, outliers in bold.
std::string render_matrix(const FleetMatrix& matrix, const std::vector<std::string>& hosts);

}  // namespace copybench::report
