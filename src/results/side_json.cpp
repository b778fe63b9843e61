// JSON of one side's figures: the side object of the output document and of the RESULT frame,
// with its connections, counters, CPU, latency, TCP_INFO and intervals.
#include "results/result_json.h"

#include <fmt/format.h>
#include <cmath>

#include "results/figures.h"
#include "results/knobs.h"
#include "results/profile_json.h"

namespace copybench {
namespace {

using nlohmann::json;
// Whole nanoseconds of a JSON number of seconds; the cast alone is undefined out of range.
int64_t seconds_to_ns(double seconds) {
  double ns = std::round(seconds * 1e9);
  if (!(std::fabs(ns) < 9.2e18)) throw Error(fmt::format("{} s is out of range", seconds));
  return static_cast<int64_t>(ns);
}

json to_json(const TcpFigures& t) {
  return {{"retransmits", json_opt(t.retransmits)},
          {"rtt_us", json_opt(t.rtt_us)},
          {"rttvar_us", json_opt(t.rttvar_us)},
          {"min_rtt_us", json_opt(t.min_rtt_us)},
          {"snd_cwnd", json_opt(t.snd_cwnd)},
          {"delivery_rate_gbps", json_opt(t.delivery_rate_gbps)},
          {"pacing_rate_gbps", json_opt(t.pacing_rate_gbps)},
          {"unsent_bytes", json_opt(t.unsent_bytes)},
          {"busy_pct", json_opt(t.busy_pct)},
          {"rwnd_limited_pct", json_opt(t.rwnd_limited_pct)},
          {"sndbuf_limited_pct", json_opt(t.sndbuf_limited_pct)},
          {"meminfo",
           {{"send_queue_start_bytes", json_opt(t.send_queue_start_bytes)},
            {"send_queue_end_bytes", json_opt(t.send_queue_end_bytes)},
            {"recv_queue_start_bytes", json_opt(t.recv_queue_start_bytes)},
            {"recv_queue_end_bytes", json_opt(t.recv_queue_end_bytes)},
            {"optmem_start_bytes", json_opt(t.optmem_start_bytes)},
            {"optmem_end_bytes", json_opt(t.optmem_end_bytes)}}},
          {"reason", json_text(t.reason)}};
}

TcpFigures tcp_from_json(const json& j) {
  TcpFigures t;
  t.retransmits = json_get_opt<uint64_t>(j, "retransmits");
  t.rtt_us = json_get_opt<double>(j, "rtt_us");
  t.rttvar_us = json_get_opt<double>(j, "rttvar_us");
  t.min_rtt_us = json_get_opt<double>(j, "min_rtt_us");
  t.snd_cwnd = json_get_opt<double>(j, "snd_cwnd");
  t.delivery_rate_gbps = json_get_opt<double>(j, "delivery_rate_gbps");
  t.pacing_rate_gbps = json_get_opt<double>(j, "pacing_rate_gbps");
  t.unsent_bytes = json_get_opt<uint64_t>(j, "unsent_bytes");
  t.busy_pct = json_get_opt<double>(j, "busy_pct");
  t.rwnd_limited_pct = json_get_opt<double>(j, "rwnd_limited_pct");
  t.sndbuf_limited_pct = json_get_opt<double>(j, "sndbuf_limited_pct");
  const auto& m = j.at("meminfo");
  t.send_queue_start_bytes = json_get_opt<uint64_t>(m, "send_queue_start_bytes");
  t.send_queue_end_bytes = json_get_opt<uint64_t>(m, "send_queue_end_bytes");
  t.recv_queue_start_bytes = json_get_opt<uint64_t>(m, "recv_queue_start_bytes");
  t.recv_queue_end_bytes = json_get_opt<uint64_t>(m, "recv_queue_end_bytes");
  t.optmem_start_bytes = json_get_opt<uint64_t>(m, "optmem_start_bytes");
  t.optmem_end_bytes = json_get_opt<uint64_t>(m, "optmem_end_bytes");
  t.reason = json_get_opt<std::string>(j, "reason").value_or("");
  return t;
}

json to_json(const StreamFigures& s) {
  return {{"index", s.index},
          {"bytes_in_window", s.bytes_in_window},
          {"messages_in_window", s.messages_in_window},
          {"bytes_total", s.bytes_total},
          {"messages_total", s.messages_total},
          {"throughput_gbps", json_opt(s.throughput_gbps)},
          {"error", json_opt(s.error)},
          {"tcp_info", s.tcp_info ? to_json(*s.tcp_info) : json(nullptr)},
          {"rate_held", json_opt(s.rate_held)}};
}

StreamFigures stream_from_json(const json& j) {
  StreamFigures s;
  s.index = json_as<int>(j.at("index"));
  s.bytes_in_window = json_as<uint64_t>(j.at("bytes_in_window"));
  s.messages_in_window = json_as<uint64_t>(j.at("messages_in_window"));
  s.bytes_total = json_as<uint64_t>(j.at("bytes_total"));
  s.messages_total = json_as<uint64_t>(j.at("messages_total"));
  s.throughput_gbps = json_get_opt<double>(j, "throughput_gbps");
  s.error = json_get_opt<std::string>(j, "error");
  // Absent in results written before schema 3.
  if (j.contains("tcp_info") && !j.at("tcp_info").is_null()) s.tcp_info = tcp_from_json(j.at("tcp_info"));
  s.rate_held = json_get_opt<bool>(j, "rate_held");
  return s;
}

json to_json(const CounterFigure& c) {
  return {{"name", c.name},
          {"scope", c.scope},
          {"value", json_opt(c.value)},
          {"running_pct", json_opt(c.running_pct)},
          {"threads", c.threads},
          {"reason", json_text(c.reason)}};
}

CounterFigure counter_from_json(const json& j) {
  CounterFigure c;
  c.name = j.at("name").get<std::string>();
  c.scope = j.at("scope").get<std::string>();
  c.value = json_get_opt<uint64_t>(j, "value");
  c.running_pct = json_get_opt<double>(j, "running_pct");
  c.threads = json_as<int>(j.at("threads"));
  c.reason = json_get_opt<std::string>(j, "reason").value_or("");
  return c;
}

json to_json(const CpuFigures& c) {
  json thread_shares = json::array();
  for (const auto& pct : c.thread_on_cpu_pct) thread_shares.push_back(json_opt(pct));
  return {{"process_user_s", c.process_user_s},
          {"process_system_s", c.process_system_s},
          {"voluntary_switches", c.voluntary_switches},
          {"involuntary_switches", c.involuntary_switches},
          {"cpus", c.cpus},
          {"system_busy_cpu_s", json_opt(c.system_busy_cpu_s)},
          {"system_busy_pct", json_opt(c.system_busy_pct)},
          {"system_user_pct", json_opt(c.system_user_pct)},
          {"system_kernel_pct", json_opt(c.system_kernel_pct)},
          {"system_irq_pct", json_opt(c.system_irq_pct)},
          {"system_softirq_pct", json_opt(c.system_softirq_pct)},
          {"system_steal_pct", json_opt(c.system_steal_pct)},
          {"system_idle_pct", json_opt(c.system_idle_pct)},
          {"system_reason", json_text(c.system_reason)},
          {"thread_on_cpu_pct", thread_shares},
          {"thread_reason", json_text(c.thread_reason)}};
}

CpuFigures cpu_from_json(const json& j) {
  CpuFigures c;
  c.process_user_s = j.at("process_user_s").get<double>();
  c.process_system_s = j.at("process_system_s").get<double>();
  c.voluntary_switches = json_as<int64_t>(j.at("voluntary_switches"));
  c.involuntary_switches = json_as<int64_t>(j.at("involuntary_switches"));
  c.cpus = json_as<int>(j.at("cpus"));
  c.system_busy_cpu_s = json_get_opt<double>(j, "system_busy_cpu_s");
  c.system_busy_pct = json_get_opt<double>(j, "system_busy_pct");
  c.system_user_pct = json_get_opt<double>(j, "system_user_pct");
  c.system_kernel_pct = json_get_opt<double>(j, "system_kernel_pct");
  c.system_irq_pct = json_get_opt<double>(j, "system_irq_pct");
  c.system_softirq_pct = json_get_opt<double>(j, "system_softirq_pct");
  c.system_steal_pct = json_get_opt<double>(j, "system_steal_pct");
  c.system_idle_pct = json_get_opt<double>(j, "system_idle_pct");
  c.system_reason = json_get_opt<std::string>(j, "system_reason").value_or("");
  if (j.contains("thread_on_cpu_pct"))  // absent in results written before it was measured
    for (const auto& pct : j.at("thread_on_cpu_pct"))
      c.thread_on_cpu_pct.push_back(pct.is_null() ? std::nullopt : std::optional<double>(pct.get<double>()));
  c.thread_reason = json_get_opt<std::string>(j, "thread_reason").value_or("");
  return c;
}

json to_json(const LatencyFigures& l) {
  json buckets = json::array();
  for (const auto& [lower, count] : l.buckets) buckets.push_back({lower, count});
  // Nothing recorded: the summary is unknown, not 0.
  auto value = [&](auto v) { return l.count ? json(v) : json(nullptr); };
  return {{"what", l.what},
          {"unit", "ns"},
          {"count", l.count},
          {"min", value(l.min_ns)},
          {"mean", value(l.mean_ns)},
          {"p50", value(l.p50_ns)},
          {"p90", value(l.p90_ns)},
          {"p99", value(l.p99_ns)},
          {"p99_9", value(l.p999_ns)},
          {"p99_99", value(l.p9999_ns)},
          {"max", value(l.max_ns)},
          {"sum", l.sum_ns},
          {"buckets", buckets},
          {"buckets_are", "[lower bound ns, count]; a bucket spans 1/128 of its power of two"}};
}

LatencyFigures latency_from_json(const json& j) {
  LatencyFigures l;
  l.what = j.at("what").get<std::string>();
  l.count = json_as<uint64_t>(j.at("count"));
  l.min_ns = json_get_opt<uint64_t>(j, "min").value_or(0);
  l.mean_ns = json_get_opt<double>(j, "mean").value_or(0);
  l.p50_ns = json_get_opt<uint64_t>(j, "p50").value_or(0);
  l.p90_ns = json_get_opt<uint64_t>(j, "p90").value_or(0);
  l.p99_ns = json_get_opt<uint64_t>(j, "p99").value_or(0);
  l.p999_ns = json_get_opt<uint64_t>(j, "p99_9").value_or(0);
  l.p9999_ns = json_get_opt<uint64_t>(j, "p99_99").value_or(0);
  l.max_ns = json_get_opt<uint64_t>(j, "max").value_or(0);
  l.sum_ns = json_as<uint64_t>(j.at("sum"));
  for (const auto& b : j.at("buckets")) l.buckets.emplace_back(json_as<uint64_t>(b.at(0)), json_as<uint64_t>(b.at(1)));
  return l;
}

json value_json(const Value& v) {
  return std::visit(
      [](const auto& x) -> json {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) return nullptr;
        else return x;
      },
      v);
}

}  // namespace

json to_json(const IntervalFigures& v) {
  return {{"start_s", v.start_s},
          {"end_s", v.end_s},
          {"bytes", v.bytes},
          {"messages", v.messages},
          {"throughput_gbps", json_opt(v.throughput_gbps)},
          {"retransmits", json_opt(v.retransmits)},
          {"snd_cwnd", json_opt(v.snd_cwnd)},
          {"rtt_us", json_opt(v.rtt_us)}};
}

IntervalFigures interval_from_json(const json& j) {
  IntervalFigures v;
  v.start_s = j.at("start_s").get<double>();
  v.end_s = j.at("end_s").get<double>();
  v.bytes = json_as<uint64_t>(j.at("bytes"));
  v.messages = json_as<uint64_t>(j.at("messages"));
  v.throughput_gbps = json_get_opt<double>(j, "throughput_gbps");
  v.retransmits = json_get_opt<uint64_t>(j, "retransmits");
  v.snd_cwnd = json_get_opt<double>(j, "snd_cwnd");
  v.rtt_us = json_get_opt<double>(j, "rtt_us");
  return v;
}

json to_json(const SideFigures& side) {
  json j = {{"side", side_name(side.side)},
            {"host", side.host},
            {"window_start_s", side.window_ns > 0 ? json(side.window_start_ns / 1e9) : json(nullptr)},
            {"calls_total", side.calls_total},
            {"submissions_total", json_opt(side.submissions_total)}};
  for (const auto& col : side_columns()) j[col.key] = value_json(col.get(side));
  j["window_ns"] = side.window_ns;
  j["role"] = role_name(side.role);
  j["counters"] = json::array();
  for (const auto& c : side.counters) j["counters"].push_back(to_json(c));
  j["counters_reason"] = json_text(side.counters_reason);
  j["counters_counted_pct"] = json_opt(side.counters_counted_pct);
  j["rates_timed_s"] = json_opt(side.rates_timed_s);
  j["cpu"] = side.cpu ? to_json(*side.cpu) : json(nullptr);
  j["latency"] = side.latency ? to_json(*side.latency) : json(nullptr);
  j["latency_reason"] = json_text(side.latency_reason);
  j["profile"] = side.profile ? to_json(*side.profile) : json(nullptr);
  j["profile_reason"] = json_text(side.profile_reason);
  j["tcp_info"] = side.tcp_info ? to_json(*side.tcp_info) : json(nullptr);
  j["tcp_info_reason"] = json_text(side.tcp_info_reason);
  if (side.intervals.empty()) {
    j["intervals"] = nullptr;
    j["intervals_reason"] = json_text(side.intervals_reason);
  } else {
    j["intervals"] = json::array();
    for (const auto& v : side.intervals) j["intervals"].push_back(to_json(v));
    j["intervals_reason"] = nullptr;
  }
  j["rate"] = side.rate ? to_json(*side.rate) : json(nullptr);
  j["rate_reason"] = json_text(side.rate_reason);
  j["socket"] = side.socket ? to_json(*side.socket) : json(nullptr);
  j["socket_reason"] = json_text(side.socket_reason);
  j["streams"] = json::array();
  for (const auto& s : side.streams) j["streams"].push_back(to_json(s));
  return j;
}

SideFigures side_from_json(const json& j) {
  SideFigures s;
  s.side = parse_side(j.at("side").get<std::string>());
  s.host = j.at("host").get<std::string>();
  s.window_start_ns = seconds_to_ns(json_get_opt<double>(j, "window_start_s").value_or(0));
  s.window_ns = json_as<int64_t>(j.at("window_ns"));
  s.wall_ns = seconds_to_ns(json_get_opt<double>(j, "wall_s").value_or(0));
  s.bytes_in_window = json_get_opt<uint64_t>(j, "bytes_in_window").value_or(0);
  s.messages_in_window = json_get_opt<uint64_t>(j, "messages_in_window").value_or(0);
  s.bytes_total = json_as<uint64_t>(j.at("bytes_total"));
  s.messages_total = json_as<uint64_t>(j.at("messages_total"));
  s.calls_total = json_as<uint64_t>(j.at("calls_total"));
  s.throughput_gbps = json_get_opt<double>(j, "throughput_gbps");
  s.messages_per_s = json_get_opt<double>(j, "messages_per_s");
  s.time_per_msg_us = json_get_opt<double>(j, "time_per_msg_us");
  s.calls_per_msg = json_get_opt<double>(j, "calls_per_msg");
  s.submissions_total = json_get_opt<uint64_t>(j, "submissions_total");
  s.zc_mapped_bytes = json_get_opt<uint64_t>(j, "zc_mapped_bytes");
  s.zc_copied_bytes = json_get_opt<uint64_t>(j, "zc_copied_bytes");
  s.zc_mapped_note = json_get_opt<std::string>(j, "zc_mapped_note").value_or("");
  for (const auto& sj : j.at("streams")) s.streams.push_back(stream_from_json(sj));
  s.role = parse_role(j.at("role").get<std::string>());
  for (const auto& cj : j.at("counters")) s.counters.push_back(counter_from_json(cj));
  s.counters_reason = json_get_opt<std::string>(j, "counters_reason").value_or("");
  s.counters_counted_pct = json_get_opt<double>(j, "counters_counted_pct");
  s.rates_timed_s = json_get_opt<double>(j, "rates_timed_s");
  if (!j.at("cpu").is_null()) s.cpu = cpu_from_json(j.at("cpu"));
  if (!j.at("latency").is_null()) s.latency = latency_from_json(j.at("latency"));
  s.latency_reason = json_get_opt<std::string>(j, "latency_reason").value_or("");
  // Absent in results written before --profile existed.
  if (j.contains("profile") && !j.at("profile").is_null()) s.profile = profile_from_json(j.at("profile"));
  s.profile_reason = json_get_opt<std::string>(j, "profile_reason").value_or("");
  // Absent in results written before schema 3.
  if (j.contains("tcp_info") && !j.at("tcp_info").is_null()) s.tcp_info = tcp_from_json(j.at("tcp_info"));
  s.tcp_info_reason = json_get_opt<std::string>(j, "tcp_info_reason").value_or("");
  if (j.contains("intervals") && j.at("intervals").is_array())
    for (const auto& v : j.at("intervals")) s.intervals.push_back(interval_from_json(v));
  // Absent in results written before --rate and the socket knobs.
  if (j.contains("rate") && !j.at("rate").is_null()) s.rate = rate_from_json(j.at("rate"));
  s.rate_reason = json_get_opt<std::string>(j, "rate_reason").value_or("");
  if (j.contains("socket") && !j.at("socket").is_null()) s.socket = grant_from_json(j.at("socket"));
  s.socket_reason = json_get_opt<std::string>(j, "socket_reason").value_or("");
  s.intervals_reason = json_get_opt<std::string>(j, "intervals_reason").value_or("");
  return s;
}

}  // namespace copybench
