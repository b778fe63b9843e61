#include "results/result_json.h"

#include "results/figures.h"
#include "results/profile_json.h"
#include "params/param_table.h"

#include <cmath>

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
          {"meminfo", {{"send_queue_start_bytes", json_opt(t.send_queue_start_bytes)},
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
          {"tcp_info", s.tcp_info ? to_json(*s.tcp_info) : json(nullptr)}};
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
  return s;
}

json to_json(const CounterFigure& c) {
  return {{"name", c.name},       {"scope", c.scope},     {"value", json_opt(c.value)},
          {"running_pct", json_opt(c.running_pct)}, {"threads", c.threads},
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
  return {{"what", l.what},          {"unit", "ns"},           {"count", l.count},       {"min", value(l.min_ns)},
          {"mean", value(l.mean_ns)}, {"p50", value(l.p50_ns)}, {"p90", value(l.p90_ns)}, {"p99", value(l.p99_ns)},
          {"p99_9", value(l.p999_ns)}, {"p99_99", value(l.p9999_ns)}, {"max", value(l.max_ns)}, {"sum", l.sum_ns},
          {"buckets", buckets},      {"buckets_are", "[lower bound ns, count]; a bucket spans 1/128 of its power of two"}};
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

json to_json(const LimitFigures& f) {
  return {{"verdict", limit_name(f.verdict)},
          {"why", f.why},
          {"thread_threshold_pct", f.thread_threshold_pct},
          {"idle_threshold_pct", f.idle_threshold_pct},
          {"one_machine", f.one_machine},
          {"tcp_limited_threshold_pct", f.tcp_limited_threshold_pct},
          {"sender", {{"busiest_thread_on_cpu_pct", json_opt(f.sender_thread_pct)}, {"machine_idle_pct", json_opt(f.sender_idle_pct)},
                      {"tcp_busy_pct", json_opt(f.sender_busy_pct)}, {"tcp_rwnd_limited_pct", json_opt(f.sender_rwnd_limited_pct)},
                      {"tcp_sndbuf_limited_pct", json_opt(f.sender_sndbuf_limited_pct)}}},
          {"receiver", {{"busiest_thread_on_cpu_pct", json_opt(f.receiver_thread_pct)}, {"machine_idle_pct", json_opt(f.receiver_idle_pct)}}}};
}

LimitFigures limit_from_json(const json& j) {
  LimitFigures f;
  f.verdict = parse_limit(j.at("verdict").get<std::string>());
  f.why = j.at("why").get<std::string>();
  f.thread_threshold_pct = j.at("thread_threshold_pct").get<double>();
  f.idle_threshold_pct = j.at("idle_threshold_pct").get<double>();
  f.one_machine = j.at("one_machine").get<bool>();
  f.sender_thread_pct = json_get_opt<double>(j.at("sender"), "busiest_thread_on_cpu_pct");
  f.sender_idle_pct = json_get_opt<double>(j.at("sender"), "machine_idle_pct");
  f.tcp_limited_threshold_pct = json_get_opt<double>(j, "tcp_limited_threshold_pct").value_or(0);
  f.sender_busy_pct = json_get_opt<double>(j.at("sender"), "tcp_busy_pct");
  f.sender_rwnd_limited_pct = json_get_opt<double>(j.at("sender"), "tcp_rwnd_limited_pct");
  f.sender_sndbuf_limited_pct = json_get_opt<double>(j.at("sender"), "tcp_sndbuf_limited_pct");
  f.receiver_thread_pct = json_get_opt<double>(j.at("receiver"), "busiest_thread_on_cpu_pct");
  f.receiver_idle_pct = json_get_opt<double>(j.at("receiver"), "machine_idle_pct");
  return f;
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
  json j = {{"side", side_name(side.side)}, {"host", side.host}, {"window_start_s", side.window_ns > 0 ? json(side.window_start_ns / 1e9) : json(nullptr)},
            {"calls_total", side.calls_total}, {"submissions_total", json_opt(side.submissions_total)}};
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
  s.intervals_reason = json_get_opt<std::string>(j, "intervals_reason").value_or("");
  return s;
}

json to_json(const Environment& env) {
  return {{"hostname", env.hostname},   {"kernel", env.kernel},         {"cpu_model", env.cpu_model},
          {"cores", env.cores},         {"path_mtu", json_opt(env.path_mtu)}, {"optmem_max", json_opt(env.optmem_max)},
          {"perf_event_paranoid", json_opt(env.perf_event_paranoid)},
          {"copybench_version", env.copybench_version}};
}

Environment environment_from_json(const json& j) {
  Environment env;
  env.hostname = j.at("hostname").get<std::string>();
  env.kernel = j.at("kernel").get<std::string>();
  env.cpu_model = j.at("cpu_model").get<std::string>();
  env.cores = json_as<int>(j.at("cores"));
  env.path_mtu = json_get_opt<int>(j, "path_mtu");
  env.optmem_max = json_get_opt<long>(j, "optmem_max");
  env.perf_event_paranoid = json_get_opt<int>(j, "perf_event_paranoid");
  env.copybench_version = j.at("copybench_version").get<std::string>();
  return env;
}

json to_json(const ZeroCopyFigures& z) {
  return {{"sends", z.sends},
          {"notifications", z.notifications},
          {"completed", z.completed},
          {"copied", z.copied},
          {"copied_pct", json_opt(z.copied_pct)},
          {"enobufs_retries", z.enobufs_retries},
          {"buffer_waits", z.buffer_waits},
          {"balanced", z.balanced}};
}

ZeroCopyFigures zerocopy_from_json(const json& j) {
  return zerocopy_figures(json_as<uint64_t>(j.at("sends")), json_as<uint64_t>(j.at("notifications")),
                          json_as<uint64_t>(j.at("completed")), json_as<uint64_t>(j.at("copied")),
                          json_as<uint64_t>(j.at("enobufs_retries")), json_as<uint64_t>(j.at("buffer_waits")));
}

json to_json(const RunResult& r) {
  json verify = {{"enabled", r.verify.enabled},
                 {"messages_checked", r.verify.enabled ? json(r.verify.messages_checked) : json(nullptr)},
                 {"corrupt_messages", r.verify.enabled ? json(r.verify.corrupt_messages) : json(nullptr)},
                 {"missing_messages", json_opt(r.verify.missing_messages)},
                 {"bytes_match", json_opt(r.verify.bytes_match)}};
  json definitions = json::object();
  for (const auto& col : run_columns()) definitions[col.key] = {{"unit", col.unit}, {"how", col.how}};
  json directions = json::array();
  for (const auto& part : r.directions) directions.push_back(to_json(part));
  // Which host was which: the figures keep their side's name whichever end measured them.
  const Direction d = r.params.direction;
  json roles = {{"client", d == Direction::bidir ? "both" : d == Direction::reverse ? "sender" : "receiver"},
                {"server", d == Direction::bidir ? "both" : d == Direction::reverse ? "receiver" : "sender"}};
  return {{"schema_version", RunResult::kSchemaVersion},
          {"status", status_name(r.status)},
          {"error", json_text(r.error)},
          {"started_at", r.started_at},
          {"server", r.server},
          {"parameters", params_to_json(r.params)},
          {"roles", roles},
          {"environment", {{"receiver", r.receiver_env.hostname.empty() ? json(nullptr) : to_json(r.receiver_env)},
                           {"sender", r.sender_env ? to_json(*r.sender_env) : json(nullptr)}}},
          {"sender", r.sender ? to_json(*r.sender) : json(nullptr)},
          {"sender_missing_reason", r.sender ? json(nullptr) : json(r.sender_missing_reason)},
          {"receiver", r.receiver ? to_json(*r.receiver) : json(nullptr)},
          {"receiver_missing_reason", r.receiver ? json(nullptr) : json(r.receiver_missing_reason)},
          {"zerocopy", r.zerocopy ? to_json(*r.zerocopy) : json(nullptr)},
          {"verify", verify},
          {"limited_by", r.limited_by ? to_json(*r.limited_by) : json(nullptr)},
          {"limited_by_reason", r.limited_by ? json(nullptr) : json(r.limited_by_reason)},
          {"directions", directions},
          {"definitions", definitions}};
}

RunResult run_result_from_json(const json& j) {
  RunResult r;
  r.status = parse_status(j.at("status").get<std::string>());
  r.error = json_get_opt<std::string>(j, "error").value_or("");
  r.started_at = j.at("started_at").get<std::string>();
  r.server = j.at("server").get<std::string>();
  r.params = params_from_json(j.at("parameters"));
  const auto& env = j.at("environment");
  if (!env.at("receiver").is_null()) r.receiver_env = environment_from_json(env.at("receiver"));
  if (!env.at("sender").is_null()) r.sender_env = environment_from_json(env.at("sender"));
  if (!j.at("sender").is_null()) r.sender = side_from_json(j.at("sender"));
  r.sender_missing_reason = json_get_opt<std::string>(j, "sender_missing_reason").value_or("");
  if (!j.at("receiver").is_null()) r.receiver = side_from_json(j.at("receiver"));
  r.receiver_missing_reason = json_get_opt<std::string>(j, "receiver_missing_reason").value_or("");
  if (!j.at("zerocopy").is_null()) r.zerocopy = zerocopy_from_json(j.at("zerocopy"));
  const auto& v = j.at("verify");
  r.verify.enabled = v.at("enabled").get<bool>();
  r.verify.messages_checked = json_get_opt<uint64_t>(v, "messages_checked").value_or(0);
  r.verify.corrupt_messages = json_get_opt<uint64_t>(v, "corrupt_messages").value_or(0);
  r.verify.missing_messages = json_get_opt<uint64_t>(v, "missing_messages");
  r.verify.bytes_match = json_get_opt<bool>(v, "bytes_match");
  if (j.contains("limited_by") && !j.at("limited_by").is_null()) r.limited_by = limit_from_json(j.at("limited_by"));
  r.limited_by_reason = json_get_opt<std::string>(j, "limited_by_reason").value_or("");
  if (j.contains("directions"))
    for (const auto& part : j.at("directions")) r.directions.push_back(run_result_from_json(part));
  return r;
}

}  // namespace copybench
