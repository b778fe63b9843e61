#include "run/params.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/message.h"
#include "core/units.h"
#include "run/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

const char* mode_name(TestMode mode) { return mode == TestMode::rr ? "rr" : "stream"; }

TestMode parse_mode(const std::string& text) {
  if (text == "stream") return TestMode::stream;
  if (text == "rr") return TestMode::rr;
  throw UsageError(fmt::format("unknown mode '{}' (choose stream or rr)", text));
}

void set_duration(TestParams& p, const std::string& text) {
  p.auto_duration = text == "auto" || text.starts_with("auto:");
  if (!p.auto_duration) p.duration_ns = parse_duration_ns(text);
  else p.duration_ns = text == "auto" ? kAutoDurationCeilingNs : parse_duration_ns(text.substr(5));
}

std::string duration_text(const TestParams& p) {
  return fmt::format("{}{}ms", p.auto_duration ? "auto:" : "", p.duration_ns / 1'000'000);
}

void validate(const TestParams& p) {
  strategy_info(p.strategy);  // throws for an unknown name
  recv_strategy_info(p.recv_strategy);
  if (p.message_bytes < kMinMessageBytes || p.message_bytes > kMaxMessageBytes)
    throw UsageError(fmt::format("message size {} is out of range ({} to {})", format_size(p.message_bytes),
                                 format_size(kMinMessageBytes), format_size(kMaxMessageBytes)));
  if (p.response_bytes > kMaxMessageBytes)
    throw UsageError(fmt::format("response size {} is out of range ({} to {})", format_size(p.response_bytes),
                                 format_size(kMinMessageBytes), format_size(kMaxMessageBytes)));
  if (p.response_bytes != 0 && p.mode != TestMode::rr) throw UsageError("--response-size needs --mode rr");
  if (p.threads < 1 || p.threads > kMaxThreads)
    throw UsageError(fmt::format("thread count {} is out of range (1 to {})", p.threads, kMaxThreads));
  if (p.duration_ns < 10'000'000 || p.duration_ns > kMaxDurationNs)
    throw UsageError(fmt::format("duration {} is out of range (10 ms to 24 h)", format_duration(p.duration_ns)));
  if (p.warmup_ns < 0 || p.warmup_ns > kMaxDurationNs)
    throw UsageError(fmt::format("warm-up {} is out of range (0 to 24 h)", format_duration(p.warmup_ns)));
  if (p.duration_ns % 1'000'000 != 0 || p.warmup_ns % 1'000'000 != 0)
    throw UsageError("durations must be whole milliseconds");
}

}  // namespace copybench
