#pragma once
// What a sweep runs: the grid's cross product, each point repeated, in a shuffled order fixed
// by a seed (so drift over time does not line up with any one factor, and a resumed sweep
// runs exactly what was left).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "params/param_table.h"
#include "sweep/topology.h"

namespace copybench {

/// Every point's parameters: a base, and for each sweep axis of the parameter table its list
/// of values (as option text, canonical: "64K", "one-copy"). A parameter that does not
/// apply to a point (--response-size to a stream point) takes its default there.
struct SweepGrid {
  TestParams base = sweep_base();
  std::map<std::string, std::vector<std::string>> axes = default_axes();  // by the axis's key
  int reps = 3;

  /// The base of a sweep's runs: shorter windows than a single run's (2 s after 500 ms).
  static TestParams sweep_base();
  /// Every axis with the study's values.
  static std::map<std::string, std::vector<std::string>> default_axes();
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

/// The axes' parts in nesting order: "stream/one-copy/64K/4t" (rr points add the response
/// size; a receive strategy other than recv follows the send strategy:
/// "stream/uring-zc+zerocopy-recv/64K/1t").
std::string point_id(const TestParams& params);

/// Expected wall time: every run's warm-up and window plus a start-up allowance.
int64_t estimated_ns(const SweepPlan& plan, size_t runs_left);

nlohmann::json to_json(const SweepPlan& plan);
SweepPlan plan_from_json(const nlohmann::json& j);  // throws Error on a malformed plan

/// Whether a saved run belongs at its place in the plan: the same point, repetition and
/// parameters (every row of the parameter table, compared as that row compares).
bool belongs(const PlannedRun& planned, const std::string& point, int rep, const TestParams& params);

}  // namespace copybench
