#pragma once
// The fleet report's heatmaps: one per matrix (fleet_matrix.h), host x host, drawn by gnuplot
// from a data file under plots/ as the sweep's figures are (plots.h, gnuplot.h).
#include <string>
#include <vector>

#include "report/fleet_matrix.h"
#include "report/plots.h"

namespace copybench::report {

/// "fleet-SLUG-POINT": the heatmap's file stem (fleet_metrics' slug, point_slug).
std::string heatmap_stem(const FleetMatrix& matrix);

/// The data file: one line per measured pair, "client_index server_index value", the hosts'
/// indexes in `hosts` order (named in the comments).
std::string heatmap_data(const FleetMatrix& matrix, const std::vector<std::string>& hosts);

/// The script: draws STEM.dat into STEM.png and STEM.svg, a coloured box with its value per
/// pair, clients down and servers across, run in the plots dir.
std::string heatmap_script(const FleetMatrix& matrix, const std::vector<std::string>& hosts);

/// Writes each matrix's data and script under `plots_dir` (created) and draws it when gnuplot
/// is installed (else `note` says how to get it). entries[i] is matrices[i]'s figure. Throws
/// Error when a file cannot be written.
PlotsOutcome write_fleet_plots(const std::vector<FleetMatrix>& matrices, const std::vector<std::string>& hosts,
                               const std::string& plots_dir);

}  // namespace copybench::report
