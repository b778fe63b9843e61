#pragma once
#include <optional>

#include "results/result.h"

namespace copybench {

/// Machine context for results; `connected_fd` (>= 0) supplies the path MTU.
Environment collect_environment(int connected_fd = -1);

/// net.core.optmem_max as this process's network namespace sees it.
std::optional<long> read_optmem_max();

/// ISO 8601 UTC for "now".
std::string utc_timestamp();

}  // namespace copybench
