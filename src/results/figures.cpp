#include "results/figures.h"

namespace copybench {
namespace {

template <typename T>
Value opt(const std::optional<T>& v) {
  if (!v) return std::monostate{};
  return Value{*v};
}

// A count over the window is unknown when no window was measured.
Value windowed(const SideFigures& s, uint64_t count) { return s.window_ns > 0 ? Value{count} : Value{}; }

std::vector<Column> build_run_columns() {
  std::vector<Column> cols = {
      {"schema_version", "", "results format version", [](const RunResult&) { return Value{int64_t{RunResult::kSchemaVersion}}; }},
      {"started_at", "", "UTC time the client started the test", [](const RunResult& r) { return Value{r.started_at}; }},
      {"status", "", "ok, failed or interrupted", [](const RunResult& r) { return Value{r.status}; }},
      {"error", "", "why the run failed, empty when ok", [](const RunResult& r) { return Value{r.error}; }},
      {"strategy", "", "send strategy of the sender", [](const RunResult& r) { return Value{r.params.strategy}; }},
      {"message_bytes", "B", "message size (8 fields)", [](const RunResult& r) { return Value{r.params.message_bytes}; }},
      {"threads", "", "connections, one thread each per side", [](const RunResult& r) { return Value{int64_t{r.params.threads}}; }},
      {"warmup_s", "s", "warm-up run and discarded", [](const RunResult& r) { return Value{r.params.warmup_ns / 1e9}; }},
      {"duration_s", "s", "requested measured window", [](const RunResult& r) { return Value{r.params.duration_ns / 1e9}; }},
      {"verify", "", "payload pattern written and checked", [](const RunResult& r) { return Value{r.params.verify}; }},
      {"server", "", "address the client connected to", [](const RunResult& r) { return Value{r.server}; }},
      {"path_mtu", "B", "kernel's path MTU of a data connection (receiver side)", [](const RunResult& r) { return opt(r.receiver_env.path_mtu); }},
      {"sender_optmem_max", "B", "net.core.optmem_max in the sender's namespace", [](const RunResult& r) {
         return r.sender_env ? opt(r.sender_env->optmem_max) : Value{};
       }},
  };
  for (const char* side : {"sender", "receiver"}) {
    for (const auto& sc : side_columns()) {
      std::string name = side;
      cols.push_back({name + "_" + sc.key, sc.unit, name + ": " + sc.how, [name, get = sc.get](const RunResult& r) {
                        const auto& s = name == "sender" ? r.sender : r.receiver;
                        return s ? get(*s) : Value{};
                      }});
    }
  }
  auto zc = [](auto field) {
    return [field](const RunResult& r) { return r.zerocopy ? field(*r.zerocopy) : Value{}; };
  };
  cols.insert(cols.end(), {
      {"zc_sends", "", "sender: MSG_ZEROCOPY calls that queued data (one notification id each)", zc([](const ZeroCopyFigures& z) { return Value{z.sends}; })},
      {"zc_notifications", "", "sender: error-queue notifications read", zc([](const ZeroCopyFigures& z) { return Value{z.notifications}; })},
      {"zc_completed", "", "sender: ids covered by the notifications' ranges", zc([](const ZeroCopyFigures& z) { return Value{z.completed}; })},
      {"zc_copied", "", "sender: completed ids flagged SO_EE_CODE_ZEROCOPY_COPIED", zc([](const ZeroCopyFigures& z) { return Value{z.copied}; })},
      {"zc_copied_pct", "%", "sender: zc_copied / zc_completed * 100", zc([](const ZeroCopyFigures& z) { return opt(z.copied_pct); })},
      {"zc_enobufs_retries", "", "sender: ENOBUFS answers, each reaped and retried", zc([](const ZeroCopyFigures& z) { return Value{z.enobufs_retries}; })},
      {"zc_buffer_waits", "", "sender: times the next pool buffer was still held by the kernel", zc([](const ZeroCopyFigures& z) { return Value{z.buffer_waits}; })},
      {"zc_balanced", "", "sender: every zero-copy send has its completion", zc([](const ZeroCopyFigures& z) { return Value{z.balanced}; })},
      {"verify_messages_checked", "", "receiver: whole messages checked byte by byte", [](const RunResult& r) {
         return r.verify.enabled ? Value{r.verify.messages_checked} : Value{};
       }},
      {"verify_corrupt_messages", "", "receiver: messages with any byte off the pattern", [](const RunResult& r) {
         return r.verify.enabled ? Value{r.verify.corrupt_messages} : Value{};
       }},
      {"verify_missing_messages", "", "sender's messages not received whole", [](const RunResult& r) { return opt(r.verify.missing_messages); }},
      {"bytes_match", "", "receiver bytes_total equals sender bytes_total after the drain", [](const RunResult& r) { return opt(r.verify.bytes_match); }},
  });
  return cols;
}

}  // namespace

const std::vector<SideColumn>& side_columns() {
  static const std::vector<SideColumn> cols = {
      {"throughput_gbps", "Gbit/s", "bytes moved inside the window * 8 / window (10^9 bit/s)", [](const SideFigures& s) { return opt(s.throughput_gbps); }},
      {"messages_per_s", "msg/s", "whole messages completed inside the window / window", [](const SideFigures& s) { return opt(s.messages_per_s); }},
      {"time_per_msg_us", "us", "mean time per message per connection: window * threads / messages in window", [](const SideFigures& s) { return opt(s.time_per_msg_us); }},
      {"bytes_in_window", "B", "bytes moved inside the window, all connections", [](const SideFigures& s) { return windowed(s, s.bytes_in_window); }},
      {"messages_in_window", "", "whole messages inside the window", [](const SideFigures& s) { return windowed(s, s.messages_in_window); }},
      {"bytes_total", "B", "bytes moved from START to the final drain", [](const SideFigures& s) { return Value{s.bytes_total}; }},
      {"messages_total", "", "whole messages from START to the final drain", [](const SideFigures& s) { return Value{s.messages_total}; }},
      {"calls_per_msg", "calls/msg", "send/sendmsg (sender) or recv (receiver) calls over the whole run / messages", [](const SideFigures& s) { return opt(s.calls_per_msg); }},
      {"window_s", "s", "measured window, on this side's monotonic clock", [](const SideFigures& s) { return s.window_ns > 0 ? Value{s.window_ns / 1e9} : Value{}; }},
      {"wall_s", "s", "from START until this side's part of the test ended (warm-up, drain and the exchange of figures included)", [](const SideFigures& s) { return s.wall_ns > 0 ? Value{s.wall_ns / 1e9} : Value{}; }},
  };
  return cols;
}

const std::vector<Column>& run_columns() {
  static const std::vector<Column> cols = build_run_columns();
  return cols;
}

void derive_rates(SideFigures& side, int threads) {
  if (side.messages_total > 0) side.calls_per_msg = static_cast<double>(side.calls_total) / side.messages_total;
  if (side.window_ns <= 0) return;  // no window measured: rates stay unknown
  double seconds = side.window_ns / 1e9;
  side.throughput_gbps = side.bytes_in_window * 8.0 / side.window_ns;
  side.messages_per_s = side.messages_in_window / seconds;
  if (side.messages_in_window > 0) side.time_per_msg_us = seconds * 1e6 * threads / side.messages_in_window;
  for (auto& stream : side.streams) stream.throughput_gbps = stream.bytes_in_window * 8.0 / side.window_ns;
}

ZeroCopyFigures zerocopy_figures(uint64_t sends, uint64_t notifications, uint64_t completed, uint64_t copied,
                                 uint64_t enobufs, uint64_t waits) {
  ZeroCopyFigures z{sends, notifications, completed, copied, enobufs, waits, std::nullopt, sends == completed};
  if (completed > 0) z.copied_pct = 100.0 * static_cast<double>(copied) / static_cast<double>(completed);
  return z;
}

}  // namespace copybench
