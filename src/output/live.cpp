#include "output/live.h"

#include <fmt/format.h>

#include "core/units.h"
#include "results/result_json.h"

namespace copybench {

std::string interval_heading(bool with_direction) {
  return fmt::format("{}{:<15}  {:<9} {:>10}  {:>10}  {:>5}  {:>5}  {:>7}",
                     with_direction ? fmt::format("{:<10}", "direction") : "", "interval", "side", "bytes", "Gbit/s",
                     "retr", "cwnd", "rtt_us");
}

std::string interval_line(Side side, Direction direction, const IntervalFigures& v, bool with_direction) {
  // The retransmits and cwnd of a side that only receives say nothing about the data: a sender's.
  auto tcp = [&](auto value, const char* spec) {
    return side == Side::sender && value ? fmt::format(fmt::runtime(spec), *value) : std::string("-");
  };
  return fmt::format(
      "{}{:6.2f}-{:6.2f} s  {:<9} {:>10}  {:>10}  {:>5}  {:>5}  {:>7}",
      with_direction ? fmt::format("{:<10}", direction_name(direction)) : "", v.start_s, v.end_s, side_name(side),
      format_size(v.bytes), v.throughput_gbps ? fmt::format("{:.3f}", *v.throughput_gbps) : std::string("n/a"),
      tcp(v.retransmits, "{}"), tcp(v.snd_cwnd, "{:.0f}"), v.rtt_us ? fmt::format("{:.0f}", *v.rtt_us) : "-");
}

nlohmann::json interval_event(Side side, Direction direction, const IntervalFigures& interval) {
  return {{"event", "interval"},
          {"side", side_name(side)},
          {"direction", direction_name(direction)},
          {"interval", to_json(interval)}};
}

nlohmann::json result_event(const RunResult& result) {
  return {{"event", "result"}, {"status", status_name(result.status)}, {"result", to_json(result)}};
}

}  // namespace copybench
