#include <fmt/format.h>
#include <algorithm>

#include "core/column_keys.h"
#include "core/units.h"
#include "output/profile_table.h"
#include "output/writers.h"
#include "results/figures.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

std::string show(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "n/a";
        else if constexpr (std::is_same_v<T, bool>) return x ? "yes" : "no";
        else if constexpr (std::is_same_v<T, double>) return fmt::format("{:.3f}", x);
        else if constexpr (std::is_same_v<T, std::string>) return x;
        else return fmt::format("{}", x);
      },
      v);
}

std::string show_gbps(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : "n/a"; }

const char* group_title(const std::string& group) {
  if (group == "cpu") return "CPU over the window (process: getrusage; system: /proc/stat, whole machine)";
  if (group == "counter") return "counters over the window (perf_event_open, the side's test threads)";
  if (group == "derived") return "per byte and per message";
  if (group == "latency") return "latency (histogram, within 1%)";
  if (group == "profile")
    return "where the copies are (--profile: events counted and CPU sampled in the profiled slices)";
  if (group == "copy") return "receive-side copy (zerocopy-recv: pages mapped instead of copied, whole run)";
  if (group == "tcp")
    return "TCP's view over the window (TCP_INFO and SO_MEMINFO of each connection; summed or averaged)";
  return nullptr;
}

// Why some counters have no value: one line per distinct reason, naming the counters.
std::string unavailable_counters(const SideFigures* s) {
  if (!s) return "";
  if (!s->counters_reason.empty())
    return fmt::format("    {}: no counters: {}\n", side_name(s->side), s->counters_reason);
  std::vector<std::pair<std::string, std::string>> by_reason;  // reason -> names
  std::string out;
  for (const auto& c : s->counters) {
    if (c.value) {
      if (!c.reason.empty())
        out += fmt::format("    {}: {}: {}\n", side_name(s->side), c.name, c.reason);  // partial or user-only
      continue;
    }
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& p) { return p.first == c.reason; });
    if (it == by_reason.end()) by_reason.push_back({c.reason, c.name});
    else it->second += ", " + c.name;
  }
  for (const auto& [reason, names] : by_reason)
    out += fmt::format("    {}: unavailable: {}: {}\n", side_name(s->side), names, reason);
  return out;
}

std::string sides_table(const RunResult& r) {
  const SideFigures* snd = r.sender ? &*r.sender : nullptr;
  const SideFigures* rcv = r.receiver ? &*r.receiver : nullptr;
  std::string out = fmt::format("  {:<34} {:>16} {:>16}\n", "figure", snd ? role_name(snd->role) : "sender",
                                rcv ? role_name(rcv->role) : "receiver");
  std::string group;
  for (const auto& col : side_columns()) {
    if (col.key == key::zc_mapped_note) continue;  // a sentence: printed below the block
    if (col.group == "profile_detail") continue;   // CSV and JSON only: the table would be too long
    Value a = snd ? col.get(*snd) : Value{}, b = rcv ? col.get(*rcv) : Value{};
    // Beyond the rates, a figure neither side has is left out; the reasons follow the block.
    if (col.group != "rate" && std::holds_alternative<std::monostate>(a) && std::holds_alternative<std::monostate>(b))
      continue;
    if (col.group != group) {
      group = col.group;
      if (const char* title = group_title(group)) out += fmt::format("  {}\n", title);
    }
    auto label = col.unit.empty() ? col.key : fmt::format("{} ({})", col.key, col.unit);
    out += fmt::format("  {:<34} {:>16} {:>16}\n", label, show(a), show(b));
  }
  if (rcv && !rcv->zc_mapped_note.empty()) out += fmt::format("  receiver: {}\n", rcv->zc_mapped_note);
  std::string reasons = unavailable_counters(snd) + unavailable_counters(rcv);
  for (const auto* s : {snd, rcv})
    if (s && !s->latency && !s->latency_reason.empty())
      reasons += fmt::format("    {}: no latency: {}\n", side_name(s->side), s->latency_reason);
  if (!reasons.empty()) out += "  unavailable, partial or not measured:\n" + reasons;
  out += render_profile(r);
  if (r.receiver && r.receiver->streams.size() > 1) {
    out += "  per connection (Gbit/s, sender / receiver):";
    for (size_t i = 0; i < r.receiver->streams.size(); ++i) {
      std::optional<double> sent;
      if (r.sender && i < r.sender->streams.size()) sent = r.sender->streams[i].throughput_gbps;
      out += fmt::format(" [{}] {} / {}", i, show_gbps(sent), show_gbps(r.receiver->streams[i].throughput_gbps));
    }
    out += "\n";
  }
  return out;
}

std::string zerocopy_text(const ZeroCopyFigures& z) {
  std::string out = fmt::format(
      "zero-copy accounting (sender): {} sends, {} completed in {} notifications, {} copied by the kernel ({}), "
      "{} ENOBUFS retries, {} waits for a buffer; {}\n",
      z.sends, z.completed, z.notifications, z.copied, z.copied_pct ? fmt::format("{:.1f}%", *z.copied_pct) : "n/a",
      z.enobufs_retries, z.buffer_waits,
      z.balanced ? "every send completed" : fmt::format("{} sends without completion", z.sends - z.completed));
  if (z.copied_pct && *z.copied_pct > 0) {
    out += fmt::format(
        "  The kernel copied {:.1f}% of the zero-copy sends after all: the data went to a socket on this host\n"
        "  (loopback and veth deliver to a local socket, which always copies). True zero-copy needs a NIC\n"
        "  towards another host; here MSG_ZEROCOPY only added page pinning and notifications.\n",
        *z.copied_pct);
  } else if (z.copied_pct) {
    out += "  No completion reported a copy: the NIC sent straight from the message's pages.\n";
  }
  return out;
}

// Corrupt messages: for sendfile and splice the path's own reuse hazard (no completion says when
// the kernel let go of a buffer), for any other strategy a fault to look into.
std::string corrupt_note(const RunResult& r) {
  const auto& s = strategy_info(r.params.strategy);
  if (s.reuse_hazard)
    return fmt::format(
        "  {} corrupt messages: {} gives no completion, so a pool buffer was rewritten while the kernel "
        "still referenced its pages; the bytes in flight changed (the path's reuse hazard, a finding: "
        "docs/METHODOLOGY.md)\n",
        r.verify.corrupt_messages, s.name);
  return fmt::format(
      "  {} corrupt messages: bytes off the pattern with {}, which rewrites a buffer only once the "
      "kernel is done with it: a fault of the data path\n",
      r.verify.corrupt_messages, r.params.strategy);
}

// "rate: 2 Gbit/s per connection (--pacing user): sender held (1.999 Gbit/s per connection, 2 of
// 2 connections within 2%); receiver not reached (...)".
std::string rate_line(const RunResult& r) {
  std::string sides;
  for (Side side : kSides) {
    const auto& f = side == Side::sender ? r.sender : r.receiver;
    if (!f) continue;
    std::string what = "unknown";
    if (f->rate && f->rate->verdict) {
      const auto& rate = *f->rate;
      what = fmt::format("{} ({:.4g} Gbit/s per connection, {} of {} connections within {:g}%)",
                         rate_verdict_text(*rate.verdict), rate.achieved_gbps.value_or(0), rate.connections_held,
                         rate.connections, rate.tolerance_pct);
    } else if (f->rate) {
      what = "unknown: " + f->rate->reason;
    }
    sides += fmt::format("{}{} {}", sides.empty() ? "" : "; ", side_name(side), what);
  }
  return fmt::format("rate: {} per connection (--pacing {}): {}\n", format_rate(r.params.rate_bps),
                     pacing_name(r.params.pacing), sides.empty() ? "no side measured" : sides);
}

}  // namespace

// --bidir: each direction's own table, then what the two add up to.
std::string bidir_table(const RunResult& r) {
  std::string out = fmt::format(
      "copybench: --bidir: a forward and a reverse test at once against server {}, {} "
      "connection(s) each way\n",
      r.server, r.params.threads);
  for (const auto& part : r.directions) out += render_table(part);
  out += "both directions together (summed):\n";
  out += fmt::format("  {:<34} {:>16} {:>16}\n", "figure", "senders", "receivers");
  auto row = [&](const std::string& label, auto get) {
    out += fmt::format("  {:<34} {:>16} {:>16}\n", label, r.sender ? get(*r.sender) : "n/a",
                       r.receiver ? get(*r.receiver) : "n/a");
  };
  row("throughput (Gbit/s)", [](const SideFigures& s) { return show_gbps(s.throughput_gbps); });
  row(fmt::format("{} (B)", key::bytes_total), [](const SideFigures& s) { return std::to_string(s.bytes_total); });
  row(std::string(key::messages_total), [](const SideFigures& s) { return std::to_string(s.messages_total); });
  if (r.verify.enabled)
    out += fmt::format("verify (both directions): {} messages checked, {} corrupt\n", r.verify.messages_checked,
                       r.verify.corrupt_messages);
  if (r.status != RunStatus::ok) out += fmt::format("status: {}: {}\n", status_name(r.status), r.error);
  return out;
}

std::string render_table(const RunResult& r) {
  if (!r.directions.empty()) return bidir_table(r);
  const auto& p = r.params;
  auto what = p.mode == TestMode::rr ? fmt::format("rr, {} requests and {} responses (8 fields each)",
                                                   format_size(p.message_bytes), format_size(p.response_size()))
                                     : fmt::format("stream, {} messages (8 fields)", format_size(p.message_bytes));
  auto receive = p.mode == TestMode::stream ? fmt::format("{} receive of {}{}", p.recv_strategy,
                                                          format_size(p.recv_size()), p.recv_bytes ? "" : " (auto)")
                                            : fmt::format("{} receive", p.recv_strategy);
  const char* direction = p.direction == Direction::reverse ? ", reverse (the client sends, the server receives)"
                          : p.mode == TestMode::stream      ? ", forward (the server sends, the client receives)"
                                                            : "";
  std::string out =
      fmt::format("copybench: {} strategy, {}, {}{}, {} connection(s), {} window after {} warm-up, server {}\n",
                  p.strategy, receive, what, direction, p.threads,
                  p.auto_duration ? fmt::format("an auto (stable-rate, at most {})", format_duration(p.duration_ns))
                                  : format_duration(p.duration_ns),
                  format_duration(p.warmup_ns), r.server);
  out += sides_table(r);
  if (!r.sender) out += fmt::format("  sender figures unavailable: {}\n", r.sender_missing_reason);
  if (!r.receiver && !r.receiver_missing_reason.empty())
    out += fmt::format("  receiver figures unavailable: {}\n", r.receiver_missing_reason);
  if (r.zerocopy) out += zerocopy_text(*r.zerocopy);
  if (r.verify.enabled) {
    out += fmt::format("verify ({}): {} messages checked, {} corrupt, {} missing, bytes {}\n",
                       p.mode == TestMode::rr              ? "requests on the server, responses on the client"
                       : p.direction == Direction::reverse ? "receiver: the server"
                                                           : "receiver",
                       r.verify.messages_checked, r.verify.corrupt_messages,
                       r.verify.missing_messages ? std::to_string(*r.verify.missing_messages) : "n/a",
                       !r.verify.bytes_match   ? "n/a"
                       : *r.verify.bytes_match ? "match"
                                               : "DIFFER");
    if (r.verify.corrupt_messages > 0) out += corrupt_note(r);
  } else if (r.verify.bytes_match) {
    out +=
        fmt::format("bytes sent and received after the final drain: {}\n", *r.verify.bytes_match ? "equal" : "DIFFER");
  }
  if (p.rate_bps != 0) out += rate_line(r);
  if (r.limited_by) out += fmt::format("limited by: {}: {}\n", limit_text(r.limited_by->verdict), r.limited_by->why);
  else out += fmt::format("limited by: unknown: {}\n", r.limited_by_reason);
  if (!p.title.empty()) out += fmt::format("title: {}\n", p.title);
  if (r.status != RunStatus::ok) out += fmt::format("status: {}: {}\n", status_name(r.status), r.error);
  return out;
}

}  // namespace copybench
