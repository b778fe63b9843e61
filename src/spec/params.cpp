#include "spec/params.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/units.h"
#include "spec/param_table.h"

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
    if (!p.applies(params) && !p.is_default(params)) throw UsageError(fmt::format("{} needs {}", p.long_option(), p.needs));
  }
  if (params.duration_ns % 1'000'000 != 0 || params.warmup_ns % 1'000'000 != 0)
    throw UsageError("durations must be whole milliseconds");  // the header carries milliseconds
}

}  // namespace copybench
