#pragma once
// JSON for results: the user-facing document and the sender's RESULT frame.
#include <nlohmann/json.hpp>

#include "core/json.h"
#include "results/result.h"

namespace copybench {

nlohmann::json to_json(const IntervalFigures& interval);
IntervalFigures interval_from_json(const nlohmann::json& j);

nlohmann::json to_json(const SideFigures& side);
SideFigures side_from_json(const nlohmann::json& j);

nlohmann::json to_json(const Environment& env);
Environment environment_from_json(const nlohmann::json& j);

nlohmann::json to_json(const ZeroCopyFigures& z);
ZeroCopyFigures zerocopy_from_json(const nlohmann::json& j);

/// The whole run: parameters, both environments, both sides, accounting, definitions.
nlohmann::json to_json(const RunResult& result);

/// The inverse of to_json(RunResult) (definitions are not read back). Throws
/// nlohmann::json::exception on a document of another shape.
RunResult run_result_from_json(const nlohmann::json& j);

}  // namespace copybench
