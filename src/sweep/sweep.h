#pragma once
// `copybench sweep`: every run of a plan, each as a server and a client process placed by the
// topology, written to the output folder as it arrives (runs.csv, results.json), then the
// summary, plots and report. An interrupted sweep keeps its runs; --resume finishes the rest.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/column_keys.h"
#include "sweep/sweep_plan.h"

namespace copybench {

struct SweepOptions {
  SweepGrid grid;
  TopologyOptions topology;
  uint64_t seed = 0;
  std::string out_dir;         // created if missing; must not hold a sweep already
  std::string resume_dir;      // instead of grid/topology/seed/out_dir: the saved plan there
  std::string compare_to_dir;  // instead of grid/topology/seed: that sweep's plan, then compared with it
  bool quiet = false;
  bool json_stream = false;  // each run's --json-stream into json-stream/run-ORDER.jsonl
  std::string secret_file;   // remote: --secret-file, also with --resume (the plan does not keep it)
};

/// Returns the exit code: 0 when the sweep ran to its end (failed runs are recorded in the
/// results), 1 when every run failed, 130 when interrupted. Throws Error/UsageError when the
/// sweep cannot start (bad folder, namespaces refused).
int run_sweep(const SweepOptions& options, const std::atomic<int>& signal);

/// The first columns of runs.csv, before those of `copybench run --csv`.
inline constexpr std::array<std::string_view, 5> kSweepColumns = {key::run_order, key::point, key::rep, key::topology,
                                                                  key::seed};

}  // namespace copybench
