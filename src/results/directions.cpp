#include "results/directions.h"

#include <fmt/format.h>

namespace copybench {
namespace {

constexpr const char* kPerDirection = "--bidir: measured per direction (directions[])";

// The same side of the two directions (the two senders, or the two receivers) as one.
SideFigures sum_sides(const SideFigures& a, const SideFigures& b, int threads_each) {
  SideFigures s;
  s.side = a.side;
  s.role = a.role;
  s.host = a.host == b.host ? a.host : fmt::format("{} and {}", a.host, b.host);
  s.window_start_ns = a.window_start_ns;
  s.window_ns = std::max(a.window_ns, b.window_ns);
  s.wall_ns = std::max(a.wall_ns, b.wall_ns);
  s.bytes_in_window = a.bytes_in_window + b.bytes_in_window;
  s.messages_in_window = a.messages_in_window + b.messages_in_window;
  s.bytes_total = a.bytes_total + b.bytes_total;
  s.messages_total = a.messages_total + b.messages_total;
  s.calls_total = a.calls_total + b.calls_total;
  if (a.submissions_total || b.submissions_total)
    s.submissions_total = a.submissions_total.value_or(0) + b.submissions_total.value_or(0);
  if (a.throughput_gbps && b.throughput_gbps) s.throughput_gbps = *a.throughput_gbps + *b.throughput_gbps;
  if (a.messages_per_s && b.messages_per_s) s.messages_per_s = *a.messages_per_s + *b.messages_per_s;
  if (s.messages_total > 0)
    s.calls_per_msg = static_cast<double>(s.calls_total) / static_cast<double>(s.messages_total);
  s.streams = a.streams;
  for (auto stream : b.streams) {  // the reverse direction's connections follow the forward's
    stream.index += threads_each;
    s.streams.push_back(std::move(stream));
  }
  s.socket = a.socket;  // both directions' sockets were set up alike
  s.socket_reason = a.socket_reason;
  s.counters_reason = kPerDirection;
  s.latency_reason = kPerDirection;
  s.profile_reason = kPerDirection;
  return s;
}

std::optional<SideFigures> sum_of(const std::optional<SideFigures>& a, const std::optional<SideFigures>& b,
                                  int threads) {
  if (!a || !b) return std::nullopt;
  return sum_sides(*a, *b, threads);
}

std::string missing_reason(const RunResult& forward, const RunResult& reverse, bool sender) {
  auto why = [&](const RunResult& r, const char* name) -> std::string {
    const auto& side = sender ? r.sender : r.receiver;
    if (side) return "";
    return fmt::format("{}: {}", name, sender ? r.sender_missing_reason : r.receiver_missing_reason);
  };
  auto f = why(forward, "forward"), r = why(reverse, "reverse");
  return f.empty() ? r : r.empty() ? f : f + "; " + r;
}

}  // namespace

RunResult combine_directions(RunResult forward, RunResult reverse) {
  RunResult r;
  r.params = forward.params;
  r.params.direction = Direction::bidir;
  r.started_at = forward.started_at;
  r.server = forward.server;
  for (const RunResult* part : {&forward, &reverse})
    if (part->status != RunStatus::ok && r.status == RunStatus::ok) {
      r.status = part->status;
      r.error = fmt::format("{}: {}", direction_name(part->params.direction), part->error);
    }
  r.receiver_env = forward.receiver_env;  // the client
  r.sender_env = forward.sender_env;      // the server
  const int threads = forward.params.threads;
  r.sender = sum_of(forward.sender, reverse.sender, threads);
  r.receiver = sum_of(forward.receiver, reverse.receiver, threads);
  if (!r.sender) r.sender_missing_reason = missing_reason(forward, reverse, true);
  if (!r.receiver) r.receiver_missing_reason = missing_reason(forward, reverse, false);
  if (forward.zerocopy && reverse.zerocopy) {
    const auto &a = *forward.zerocopy, &b = *reverse.zerocopy;
    r.zerocopy =
        zerocopy_figures(a.sends + b.sends, a.notifications + b.notifications, a.completed + b.completed,
                         a.copied + b.copied, a.enobufs_retries + b.enobufs_retries, a.buffer_waits + b.buffer_waits);
  }
  r.verify.enabled = forward.verify.enabled;
  r.verify.messages_checked = forward.verify.messages_checked + reverse.verify.messages_checked;
  r.verify.corrupt_messages = forward.verify.corrupt_messages + reverse.verify.corrupt_messages;
  if (forward.verify.missing_messages && reverse.verify.missing_messages)
    r.verify.missing_messages = *forward.verify.missing_messages + *reverse.verify.missing_messages;
  if (forward.verify.bytes_match && reverse.verify.bytes_match)
    r.verify.bytes_match = *forward.verify.bytes_match && *reverse.verify.bytes_match;
  r.limited_by_reason = "--bidir: each direction has its own verdict (directions[])";
  r.directions.push_back(std::move(forward));
  r.directions.push_back(std::move(reverse));
  return r;
}

}  // namespace copybench
