// One pair's folder for the fleet report: its own report rebuilt, its summary and its hosts'
// environments read, and each fault of the folder named instead of thrown.
#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/column_keys.h"
#include "core/error.h"
#include "report/fleet.h"
#include "report/report.h"
#include "report/runs_table.h"

namespace copybench::report {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string as_text(const json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void add_environment(HostEnvironment& host, const json& env) {
  if (!env.is_object()) return;
  for (const auto& [field, label] : environment_fields()) {
    if (!env.contains(field)) continue;
    std::string value = as_text(env.at(field));
    auto& values = host[field];
    if (!value.empty() && std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
}

// Which environment of a run was the client's and which the server's: its "roles" say what
// each host was (results/result_json.cpp); bidir ("both") keeps the receiver's as the client's.
void add_run(std::pair<HostEnvironment, HostEnvironment>& hosts, const json& result) {
  const json& env = result.at("environment");
  const std::string client_role = result.contains("roles") ? as_text(result.at("roles").at("client")) : "receiver";
  const bool client_sent = client_role == "sender";
  add_environment(hosts.first, env.at(client_sent ? "sender" : "receiver"));
  add_environment(hosts.second, env.at(client_sent ? "receiver" : "sender"));
}

// Whether runs.csv could be read (else its fault is named).
bool read_runs(PairOutcome& out, const std::string& path) {
  try {
    auto runs = RunsTable::read(path + "/runs.csv");
    auto summary = summarize(runs);
    if (!out.pair.ok()) return true;  // a failed pair's partial runs stay out of the tables
    if (summary.runs == summary.failed_runs)
      out.problems.push_back(fmt::format("{}/runs.csv holds no ok run", out.folder));
    out.summary = std::move(summary);
    return true;
  } catch (const Error& e) {
    out.problems.push_back(e.what());
    return false;
  }
}

void rebuild_report(PairOutcome& out, const std::string& path) {
  try {
    auto own = write_report(path);
    out.report_written = true;
    if (!own.warning.empty()) out.problems.push_back(own.warning);
  } catch (const Error& e) {
    out.problems.push_back(e.what());  // it names the file
  }
}

void read_environments(PairOutcome& out, const std::string& path) {
  const std::string file = path + "/results.json";
  if (!fs::exists(file)) {
    if (out.pair.ok()) out.problems.push_back(fmt::format("{}/results.json: no such file", out.folder));
    return;
  }
  try {
    out.environments = pair_environments(file);
  } catch (const Error& e) {
    out.problems.push_back(e.what());
  }
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& environment_fields() {
  static const std::vector<std::pair<std::string, std::string>> fields = {
      {"hostname", "hostname"},
      {std::string(key::kernel), "kernel"},
      {std::string(key::cpu_model), "CPU model"},
      {std::string(key::cores), "online CPUs"},
      {std::string(key::path_mtu), "path MTU (bytes)"},
      {"copybench_version", "copybench version"},
  };
  return fields;
}

std::pair<HostEnvironment, HostEnvironment> pair_environments(const std::string& results_json_path) {
  std::ifstream in(results_json_path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot be read", results_json_path));
  try {
    auto doc = json::parse(in);
    std::pair<HostEnvironment, HostEnvironment> hosts;
    for (const auto& run : doc.at("runs"))
      if (run.contains("result") && run.at("result").contains("environment")) add_run(hosts, run.at("result"));
    return hosts;
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: unreadable ({})", results_json_path, e.what()));
  }
}

PairOutcome load_pair(const std::string& fleet_dir, const FleetPair& pair) {
  PairOutcome out{pair, pair_folder(pair), false, std::nullopt, {}, std::nullopt};
  const std::string path = fleet_dir + "/" + out.folder;
  if (!fs::is_directory(path)) {
    if (pair.ok()) out.problems.push_back(fmt::format("{}: no such folder", out.folder));
    return out;
  }
  if (fs::exists(path + "/runs.csv")) {
    if (read_runs(out, path)) rebuild_report(out, path);
  } else if (pair.ok()) {
    out.problems.push_back(fmt::format("{}/runs.csv: no such file", out.folder));
  }
  read_environments(out, path);
  return out;
}

}  // namespace copybench::report
