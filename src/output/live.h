#pragma once
// The run as it happens: each --interval as one line of text (iperf-style) and as one JSON
// object of a --json-stream (JSON Lines, as iperf3's --json-stream), then the result's object.
#include <nlohmann/json.hpp>
#include <string>

#include "results/result.h"

namespace copybench {

/// The heading above the interval lines.
std::string interval_heading(bool with_direction);

/// One interval of one side, without a newline. `with_direction`: --bidir's lines name theirs.
std::string interval_line(Side side, Direction direction, const IntervalFigures& interval, bool with_direction);

/// {"event":"interval","side":...,"direction":...,"interval":{...}}
nlohmann::json interval_event(Side side, Direction direction, const IntervalFigures& interval);

/// {"event":"result","status":...,"result":{the whole result, as --json writes it}}
nlohmann::json result_event(const RunResult& result);

}  // namespace copybench
