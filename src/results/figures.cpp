#include "results/figures.h"

#include "core/column_keys.h"
#include "params/param_table.h"
#include "results/tcp_figures.h"

#include <fmt/format.h>

namespace copybench {
namespace {

// A parameter's JSON value as a cell: the CSV shows what the JSON holds.
Value json_value(const nlohmann::json& j) {
  if (j.is_null()) return std::monostate{};
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_unsigned()) return Value{j.get<uint64_t>()};
  if (j.is_number_integer()) return Value{j.get<int64_t>()};
  if (j.is_number_float()) return Value{j.get<double>()};
  return Value{j.get<std::string>()};
}

// (declarative table): one row per column; the parameters' and the sides' come from their tables
std::vector<Column> build_run_columns() {
  std::vector<Column> cols = {
      {"schema_version", "", "results format version",
       [](const RunResult&) { return Value{int64_t{RunResult::kSchemaVersion}}; }},
      {"started_at", "", "UTC time the client started the test",
       [](const RunResult& r) { return Value{r.started_at}; }},
      {std::string(key::status), "", "ok, failed or interrupted",
       [](const RunResult& r) { return Value{std::string(status_name(r.status))}; }},
      {std::string(key::error), "", "why the run failed, empty when ok",
       [](const RunResult& r) { return Value{r.error}; }},
  };
  for (const auto& p : test_parameters())  // the parameters' columns, from their table
    if (!p.how.empty())
      cols.push_back({p.key, p.unit, p.how, [&p](const RunResult& r) { return json_value(p.to_json(r.params)); }});
  const std::vector<Column> environment = {
      {"server", "", "address the client connected to", [](const RunResult& r) { return Value{r.server}; }},
      {std::string(key::receiver_host), "", "receiver's hostname",
       [](const RunResult& r) { return Value{r.receiver_env.hostname}; }},
      {std::string(key::sender_host), "", "sender's hostname",
       [](const RunResult& r) { return r.sender_env ? Value{r.sender_env->hostname} : Value{}; }},
      {std::string(key::kernel), "", "receiver's kernel release (uname -r)",
       [](const RunResult& r) { return Value{r.receiver_env.kernel}; }},
      {std::string(key::cpu_model), "", "receiver's CPU model (/proc/cpuinfo)",
       [](const RunResult& r) { return Value{r.receiver_env.cpu_model}; }},
      {std::string(key::cores), "", "receiver's online CPUs",
       [](const RunResult& r) { return Value{int64_t{r.receiver_env.cores}}; }},
      {std::string(key::path_mtu), "B", "kernel's path MTU of a data connection (receiver side)",
       [](const RunResult& r) { return value_or_null(r.receiver_env.path_mtu); }},
      {"sender_optmem_max", "B", "net.core.optmem_max in the sender's namespace",
       [](const RunResult& r) { return r.sender_env ? value_or_null(r.sender_env->optmem_max) : Value{}; }},
  };
  cols.insert(cols.end(), environment.begin(), environment.end());
  for (Side side : kSides) {
    for (const auto& sc : side_columns()) {
      std::string name = side_name(side);
      cols.push_back(
          {key::of_side(name, sc.key), sc.unit, name + ": " + sc.how, [side, get = sc.get](const RunResult& r) {
             const auto& s = side == Side::sender ? r.sender : r.receiver;
             return s ? get(*s) : Value{};
           }});
    }
  }
  auto zc = [](auto field) {
    return [field](const RunResult& r) { return r.zerocopy ? field(*r.zerocopy) : Value{}; };
  };
  const std::vector<Column> accounting = {
      {"zc_sends", "", "sender: MSG_ZEROCOPY calls that queued data (one notification id each)",
       zc([](const ZeroCopyFigures& z) { return Value{z.sends}; })},
      {"zc_notifications", "", "sender: error-queue notifications read",
       zc([](const ZeroCopyFigures& z) { return Value{z.notifications}; })},
      {"zc_completed", "", "sender: ids covered by the notifications' ranges",
       zc([](const ZeroCopyFigures& z) { return Value{z.completed}; })},
      {"zc_copied", "", "sender: completed ids flagged SO_EE_CODE_ZEROCOPY_COPIED",
       zc([](const ZeroCopyFigures& z) { return Value{z.copied}; })},
      {std::string(key::zc_copied_pct), "%", "sender: zc_copied / zc_completed * 100",
       zc([](const ZeroCopyFigures& z) { return value_or_null(z.copied_pct); })},
      {"zc_enobufs_retries", "", "sender: ENOBUFS answers, each reaped and retried",
       zc([](const ZeroCopyFigures& z) { return Value{z.enobufs_retries}; })},
      {"zc_buffer_waits", "", "sender: times the next pool buffer was still held by the kernel",
       zc([](const ZeroCopyFigures& z) { return Value{z.buffer_waits}; })},
      {"zc_balanced", "", "sender: every zero-copy send has its completion",
       zc([](const ZeroCopyFigures& z) { return Value{z.balanced}; })},
      {"verify_messages_checked", "", "receiver: whole messages checked byte by byte",
       [](const RunResult& r) { return r.verify.enabled ? Value{r.verify.messages_checked} : Value{}; }},
      {"verify_corrupt_messages", "", "receiver: messages with any byte off the pattern",
       [](const RunResult& r) { return r.verify.enabled ? Value{r.verify.corrupt_messages} : Value{}; }},
      {"verify_missing_messages", "", "sender's messages not received whole",
       [](const RunResult& r) { return value_or_null(r.verify.missing_messages); }},
      {"bytes_match", "", "receiver bytes_total equals sender bytes_total after the drain",
       [](const RunResult& r) { return value_or_null(r.verify.bytes_match); }},
      {std::string(key::limited_by), "",
       "what set the rate: sender_cpu, receiver_cpu, both_cpus (a side saturated: its busiest connection thread on a "
       "CPU >= 90% of the window, or its machine <= 5% idle); else, in stream mode, sender_sndbuf or receiver_window "
       "(the sender's TCP_INFO tcpi_sndbuf_limited or tcpi_rwnd_limited >= 50% of the window); else neither",
       [](const RunResult& r) {
         return r.limited_by ? Value{std::string(limit_name(r.limited_by->verdict))} : Value{};
       }},
      {"limited_by_why", "", "the figures that decided limited_by, in words",
       [](const RunResult& r) { return r.limited_by ? Value{r.limited_by->why} : Value{r.limited_by_reason}; }},
  };
  cols.insert(cols.end(), accounting.begin(), accounting.end());
  return cols;
}

}  // namespace

std::optional<double> CpuFigures::busiest_thread_pct() const {
  std::optional<double> most;
  for (const auto& pct : thread_on_cpu_pct)
    if (pct && (!most || *pct > *most)) most = pct;
  return most;
}

const CounterFigure* SideFigures::counter(const std::string& name) const {
  for (const auto& c : counters)
    if (c.name == name) return &c;
  return nullptr;
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
