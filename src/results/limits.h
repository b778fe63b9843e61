#pragma once
// The run's verdict on what set its rate (RunResult::limited_by), from figures both sides
// measured anyway: each connection thread's time on a CPU over the window and the idle share
// of each side's machine, then the sender's TCP chrono clocks (TCP_INFO: send-buffer and
// receive-window limited shares) where no CPU was saturated (METHODOLOGY.md, "What limited the run").
#include "results/result.h"

namespace copybench {

inline constexpr double kSaturatedThreadPct = 90;  // a thread on a CPU at least this share of the window
inline constexpr double kSaturatedIdlePct = 5;     // a machine with at most this share of its CPUs idle
inline constexpr double kTcpLimitedPct = 50;       // a stream sender held by one cause this share of the window

/// Sets result.limited_by, or leaves it null with limited_by_reason when a side's CPU figures
/// are missing (a side's never came, no window was measured) or a side that was not measured
/// could have decided it.
void decide_limit(RunResult& result);

}  // namespace copybench
