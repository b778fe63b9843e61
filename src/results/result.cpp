#include "results/result.h"

#include <fmt/format.h>

#include "core/error.h"

namespace copybench {
namespace {

// One spelling per value, indexed by the enum's value, read both ways.
constexpr const char* kStatusNames[] = {"ok", "failed", "interrupted"};
constexpr const char* kSideNames[] = {"sender", "receiver"};
constexpr const char* kRoleNames[] = {"sender", "receiver", "responder", "requester"};
constexpr const char* kRateVerdictNames[] = {"held", "not_reached", "exceeded"};
constexpr const char* kRateVerdictTexts[] = {"held", "not reached", "exceeded"};
constexpr const char* kLimitNames[] = {"sender_cpu", "receiver_cpu",  "both_cpus",
                                       "neither",    "sender_sndbuf", "receiver_window"};
constexpr const char* kLimitTexts[] = {
    "sender CPU",           "receiver CPU", "both CPUs saturated", "neither side's CPU", "the sender's send buffer",
    "the receiver's window"};

template <typename E, size_t N>
const char* name_of(E value, const char* const (&names)[N]) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : "unknown";
}

template <typename E, size_t N>
E parse_name(std::string_view text, const char* what, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<E>(i);
  throw Error(fmt::format("unknown {} '{}'", what, text));
}

}  // namespace

const char* status_name(RunStatus status) { return name_of(status, kStatusNames); }
const char* side_name(Side side) { return name_of(side, kSideNames); }
const char* role_name(Role role) { return name_of(role, kRoleNames); }

RunStatus parse_status(std::string_view text) { return parse_name<RunStatus>(text, "status", kStatusNames); }
Side parse_side(std::string_view text) { return parse_name<Side>(text, "side", kSideNames); }
Role parse_role(std::string_view text) { return parse_name<Role>(text, "role", kRoleNames); }
const char* limit_name(Limit limit) { return name_of(limit, kLimitNames); }
const char* limit_text(Limit limit) { return name_of(limit, kLimitTexts); }
Limit parse_limit(std::string_view text) { return parse_name<Limit>(text, "limit", kLimitNames); }
const char* rate_verdict_name(RateVerdict verdict) { return name_of(verdict, kRateVerdictNames); }
const char* rate_verdict_text(RateVerdict verdict) { return name_of(verdict, kRateVerdictTexts); }
RateVerdict parse_rate_verdict(std::string_view text) {
  return parse_name<RateVerdict>(text, "rate verdict", kRateVerdictNames);
}

Role role_of(Side side, TestMode mode) {
  if (mode == TestMode::rr) return side == Side::sender ? Role::responder : Role::requester;
  return side == Side::sender ? Role::sender : Role::receiver;
}

}  // namespace copybench
