#pragma once
// `copybench sweep`'s command line: its options as typed, and their conversion and checks.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/test_options.h"
#include "sweep/sweep.h"

namespace copybench {

// `sweep`'s options as typed: each axis of the parameter table as a comma-separated list,
// the other parameters as one value for every point, then the sweep's own.
struct SweepCliOptions {
  std::map<std::string, std::vector<std::string>> axes;  // by the axis's key, as typed
  ParamOptions scalars;
  int reps = -1;
  std::string topology;
  int mtu = 1500;
  long optmem_max = -1;
  std::string host;
  uint16_t port = 7470;
  uint64_t seed = 0;
  bool seed_given = false;
  bool quick = false, quiet = false, json_stream = false;
  std::string secret_file;
  std::string out, resume, compare_to;
  const CLI::App* cmd = nullptr;

  bool given(const char* option) const { return cmd->count(option) > 0; }

  /// The grid, topology and output as SweepOptions; throws UsageError naming a bad combination.
  SweepOptions options() const;
  SweepOptions from_saved_plan() const;  // --resume, --compare-to
};

void add_sweep_options(CLI::App* cmd, SweepCliOptions& o);

}  // namespace copybench
