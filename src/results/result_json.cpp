// JSON of a whole result (the output document, --json) and of its parts above a side: the
// environments, zero-copy, limited_by. A side's figures are side_json.cpp's.
#include "results/result_json.h"

#include "params/param_table.h"
#include "results/figures.h"

namespace copybench {
namespace {

using nlohmann::json;

json to_json(const LimitFigures& f) {
  return {{"verdict", limit_name(f.verdict)},
          {"why", f.why},
          {"thread_threshold_pct", f.thread_threshold_pct},
          {"idle_threshold_pct", f.idle_threshold_pct},
          {"one_machine", f.one_machine},
          {"tcp_limited_threshold_pct", f.tcp_limited_threshold_pct},
          {"sender",
           {{"busiest_thread_on_cpu_pct", json_opt(f.sender_thread_pct)},
            {"machine_idle_pct", json_opt(f.sender_idle_pct)},
            {"tcp_busy_pct", json_opt(f.sender_busy_pct)},
            {"tcp_rwnd_limited_pct", json_opt(f.sender_rwnd_limited_pct)},
            {"tcp_sndbuf_limited_pct", json_opt(f.sender_sndbuf_limited_pct)}}},
          {"receiver",
           {{"busiest_thread_on_cpu_pct", json_opt(f.receiver_thread_pct)},
            {"machine_idle_pct", json_opt(f.receiver_idle_pct)}}}};
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

}  // namespace

json to_json(const Environment& env) {
  return {{"hostname", env.hostname},
          {"kernel", env.kernel},
          {"cpu_model", env.cpu_model},
          {"cores", env.cores},
          {"path_mtu", json_opt(env.path_mtu)},
          {"optmem_max", json_opt(env.optmem_max)},
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
  json roles = {{"client", d == Direction::bidir     ? "both"
                           : d == Direction::reverse ? "sender"
                                                     : "receiver"},
                {"server", d == Direction::bidir     ? "both"
                           : d == Direction::reverse ? "receiver"
                                                     : "sender"}};
  return {{"schema_version", RunResult::kSchemaVersion},
          {"status", status_name(r.status)},
          {"error", json_text(r.error)},
          {"started_at", r.started_at},
          {"server", r.server},
          {"parameters", params_to_json(r.params)},
          {"roles", roles},
          {"environment",
           {{"receiver", r.receiver_env.hostname.empty() ? json(nullptr) : to_json(r.receiver_env)},
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
