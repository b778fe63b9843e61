#include "params/params.h"

#include <fmt/format.h>
#include <algorithm>

#include "core/error.h"
#include "core/units.h"
#include "params/param_table.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {

const char* mode_name(TestMode mode) { return mode == TestMode::rr ? "rr" : "stream"; }

TestMode parse_mode(const std::string& text) {
  if (text == "stream") return TestMode::stream;
  if (text == "rr") return TestMode::rr;
  throw UsageError(fmt::format("unknown mode '{}' (choose stream or rr)", text));
}

PinMode parse_pin(const std::string& text) {
  if (text == "none") return PinMode::none;
  if (text == "same") return PinMode::same;
  if (text == "split") return PinMode::split;
  throw UsageError(fmt::format("unknown pin mode '{}' (choose same, split or none)", text));
}

const char* pin_name(PinMode mode) {
  switch (mode) {
    case PinMode::same: return "same";
    case PinMode::split: return "split";
    case PinMode::none: break;
  }
  return "none";
}

Direction parse_direction(const std::string& text) {
  if (text == "forward") return Direction::forward;
  if (text == "reverse") return Direction::reverse;
  if (text == "bidir") return Direction::bidir;
  throw UsageError(fmt::format("unknown direction '{}' (choose forward, reverse or bidir)", text));
}

const char* direction_name(Direction direction) {
  switch (direction) {
    case Direction::reverse: return "reverse";
    case Direction::bidir: return "bidir";
    case Direction::forward: break;
  }
  return "forward";
}

Pacing parse_pacing(const std::string& text) {
  if (text == "user") return Pacing::user;
  if (text == "kernel") return Pacing::kernel;
  throw UsageError(fmt::format("unknown pacing '{}' (choose user or kernel)", text));
}

const char* pacing_name(Pacing pacing) { return pacing == Pacing::kernel ? "kernel" : "user"; }

// At least 256 KiB, a whole message when larger: of the whole message, the message clamped to
// 16 or 64 KiB, a fixed 64 KiB and this, measured on loopback and veth at 1K-64K x 1-2
// connections, this came nearest the best at every point (docs/PERFORMANCE.md, "The receive size").
uint64_t default_recv_bytes(uint64_t message_bytes) { return std::max<uint64_t>(message_bytes, 256 * 1024); }

uint64_t TestParams::recv_size() const { return recv_bytes ? recv_bytes : default_recv_bytes(message_bytes); }

void set_duration(TestParams& p, const std::string& text) {
  p.auto_duration = text == "auto" || text.starts_with("auto:");
  if (!p.auto_duration) p.duration_ns = parse_duration_ns(text);
  else p.duration_ns = text == "auto" ? kAutoDurationCeilingNs : parse_duration_ns(text.substr(5));
}

std::string duration_text(const TestParams& p) {
  return (p.auto_duration ? "auto:" : "") + duration_ms_text(p.duration_ns);
}

// Row by row: its own range, then its `needs` rule (a value given where it means nothing,
// --response-size without --mode rr, is refused rather than ignored); then what the wire
// header cannot carry.
void validate(const TestParams& params) {
  for (const auto& p : test_parameters()) {
    p.check(params);
    if (!p.applies(params) && !p.is_default(params))
      throw UsageError(fmt::format("{} needs {}", p.long_option(), p.needs));
  }
  // discard and splice never bring the bytes into user memory: there is nothing to check.
  if (params.verify && !recv_strategy_info(params.recv_strategy).verifiable)
    throw UsageError(fmt::format(
        "--verify needs the bytes in user memory; --recv {} {}", params.recv_strategy,
        params.recv_strategy == "splice" ? "moves them through a pipe into /dev/null" : "drops them in the kernel"));
  if (params.interval_ns > 0 && params.duration_ns / params.interval_ns > kMaxIntervals)
    throw UsageError(fmt::format("--interval {} would cut a {} window into more than {} intervals",
                                 duration_ms_text(params.interval_ns), duration_ms_text(params.duration_ns),
                                 kMaxIntervals));
  if (params.duration_ns % 1'000'000 != 0 || params.warmup_ns % 1'000'000 != 0 || params.interval_ns % 1'000'000 != 0)
    throw UsageError("durations must be whole milliseconds");  // the header carries milliseconds
}

}  // namespace copybench
