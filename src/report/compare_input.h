#pragma once
// One input of `copybench compare`: a sweep folder (runs.csv), a fleet folder (fleet.json and its
// pairs' runs.csv) or one run's JSON, read into cells (summarize's points, each metric's values
// kept) and the facts that say how it was measured (kernel, CPU, MTU, version, parameters).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

enum class InputKind { sweep, fleet, run };
const char* input_kind_name(InputKind kind);

/// Each fact's distinct values over an input's runs, sorted; a fact no run gave is absent.
using InputFacts = std::map<std::string, std::vector<std::string>, std::less<>>;

struct CompareInput {
  std::string source;  // the path as the user gave it
  std::string name;    // its last component, for column heads ("#2 NAME" when two would be alike)
  InputKind kind = InputKind::sweep;
  Summary summary;  // its cells; a fleet's topology is the pair, "CLIENT--SERVER"
  InputFacts facts;
  std::vector<std::string> warnings;  // torn last rows skipped, failed pairs left out
};

/// The facts compared between inputs, in the order the differences are listed: runs.csv
/// columns, and "copybench_version" from results.json.
const std::vector<std::string>& fact_names();

/// Reads `path`: a folder with fleet.json is a fleet, a folder with runs.csv a sweep, a file a
/// run's JSON (`copybench run --json`). Cells take `mask` (summary.h). Throws UsageError, one
/// line naming the path: nothing there or of none of those kinds, a file that cannot be read
/// or parsed, a schema_version newer than this build reads, no run that ended ok.
CompareInput read_compare_input(const std::string& path, const KeyMask& mask);

}  // namespace copybench::report
