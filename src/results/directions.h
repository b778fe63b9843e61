#pragma once
// --bidir: one result from the two tests that ran at once, one each way. Each direction keeps
// its own complete figures (RunResult::directions); the combined result sums what adds up
// across them (bytes, messages, calls, throughput, zero-copy and verify counts) and leaves
// null, with the reason, what does not (CPU shares, counters, latency, the limit verdict).
#include "results/result.h"

namespace copybench {

/// `forward` and `reverse` (each with its own params.direction) as one bidir result.
RunResult combine_directions(RunResult forward, RunResult reverse);

}  // namespace copybench
