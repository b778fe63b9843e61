#pragma once
// What a sweep runs: the grid's cross product, each point repeated, in a shuffled order fixed
// by a seed (so drift over time does not line up with any one factor, and a resumed sweep
// runs exactly what was left).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/params.h"
#include "run/topology.h"

namespace copybench {

struct SweepGrid {
  std::vector<std::string> strategies = {"two-copy", "one-copy", "zero-copy"};
  std::vector<std::string> recv_strategies = {"recv"};  // the client's receive strategies
  std::vector<TestMode> modes = {TestMode::stream};
  std::vector<uint64_t> sizes = {1024, 4096, 16384, 65536};
  std::vector<int> threads = {1, 2, 4, 8};
  uint64_t response_bytes = 0;  // rr points; 0 = the message size
  int reps = 3;
  int64_t duration_ns = 2'000'000'000;  // with auto_duration: the ceiling
  bool auto_duration = false;
  PinMode pin = PinMode::none;
  int64_t warmup_ns = 500'000'000;
  bool verify = false;
  bool counters = true;
  bool latency = true;
  bool profile = false;  // every run with --profile (each measures its own cost, METHODOLOGY.md 20)
};

/// The study's grid shrunk to end in about a minute.
SweepGrid quick_grid();

struct PlannedRun {
  int order = 0;  // 1-based position in the execution order
  int point = 0;  // index into the grid's points
  int rep = 0;    // 1-based
  std::string point_id;
  TestParams params;
};

struct SweepPlan {
  SweepGrid grid;
  uint64_t seed = 0;
  TopologyOptions topology;
  std::vector<PlannedRun> runs;  // in execution order
};

/// Validates every point (throws UsageError for the first bad one) and shuffles the runs.
SweepPlan make_plan(const SweepGrid& grid, const TopologyOptions& topology, uint64_t seed);

/// "stream/one-copy/64K/4t" (rr points add the response size; a receive strategy other than
/// recv follows the send strategy: "stream/uring-zc+zerocopy-recv/64K/1t").
std::string point_id(const TestParams& params);

/// Expected wall time: every run's warm-up and window plus a start-up allowance.
int64_t estimated_ns(const SweepPlan& plan, size_t runs_left);

nlohmann::json to_json(const SweepPlan& plan);
SweepPlan plan_from_json(const nlohmann::json& j);  // throws Error on a malformed plan

}  // namespace copybench
