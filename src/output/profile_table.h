#pragma once
// The table's --profile text below the side-by-side figures: what profiling cost, why any
// profile figure is missing, and each side's top functions.
#include <string>

#include "results/result.h"

namespace copybench {

/// Empty when neither side has a profile and none was asked for.
std::string render_profile(const RunResult& result);

}  // namespace copybench
