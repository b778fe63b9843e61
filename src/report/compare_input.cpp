#include "report/compare_input.h"

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/column_keys.h"
#include "core/error.h"
#include "output/writers.h"
#include "report/fleet.h"
#include "results/result.h"
#include "results/result_json.h"

namespace copybench::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot be read", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json parse_json_file(const std::string& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception&) {
    throw UsageError(fmt::format("{}: not JSON", path));
  }
}

void check_schema(int version, const std::string& where) {
  if (version > RunResult::kSchemaVersion)
    throw UsageError(
        fmt::format("{}: schema_version {} is newer than this copybench reads ({}); compare with a newer "
                    "copybench",
                    where, version, RunResult::kSchemaVersion));
}

void add_fact(InputFacts& facts, const std::string& name, std::string value) {
  if (value.empty()) return;
  auto& values = facts[name];
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(std::move(value));
}

// The facts of every ok row, and the schema check of every row.
void add_table_facts(InputFacts& facts, const RunsTable& runs) {
  for (size_t row = 0; row < runs.size(); ++row) {
    if (auto v = runs.count(row, "schema_version")) check_schema(static_cast<int>(*v), runs.where(row));
    if (runs.text(row, key::status) != "ok") continue;
    for (const auto& name : fact_names())
      if (auto text = runs.text(row, name)) add_fact(facts, name, *text);
  }
}

// A sweep's results.json gives the version that measured it (runs.csv does not).
void add_version(InputFacts& facts, const std::string& folder) {
  const std::string file = folder + "/results.json";
  if (!fs::exists(file)) return;
  const json doc = parse_json_file(file);
  if (doc.contains("copybench_version") && doc.at("copybench_version").is_string())
    add_fact(facts, "copybench_version", doc.at("copybench_version").get<std::string>());
}

// What reading an input threw, as a UsageError (exit 2): each Error names its file and line.
template <class Read>
auto as_usage_error(Read read) {
  try {
    return read();
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

RunsTable read_table(const std::string& path) {
  return as_usage_error([&] { return RunsTable::read(path); });
}

// A folder's runs: their facts and the version in its results.json go to `facts`; their cells
// are returned.
Summary cells_of(InputFacts& facts, const RunsTable& runs, const std::string& folder, const KeyMask& mask) {
  add_table_facts(facts, runs);
  add_version(facts, folder);
  return as_usage_error([&] { return summarize(runs, mask); });
}

void read_sweep(CompareInput& in, const std::string& folder, const KeyMask& mask) {
  auto runs = read_table(folder + "/runs.csv");
  if (!runs.torn_row().empty()) in.warnings.push_back(runs.torn_row());
  in.summary = cells_of(in.facts, runs, folder, mask);
}

void read_fleet(CompareInput& in, const std::string& folder, const KeyMask& mask) {
  const FleetSpec spec = as_usage_error([&] { return read_fleet_spec(folder + "/fleet.json"); });
  for (const auto& pair : spec.pairs) {
    const std::string pair_dir = folder + "/" + pair_folder(pair);
    if (!pair.ok() || !fs::exists(pair_dir + "/runs.csv")) {
      in.warnings.push_back(fmt::format("{}: pair {}--{} left out ({})", in.source, pair.client, pair.server,
                                        pair.ok() ? "no runs.csv" : "it failed"));
      continue;
    }
    auto summary = cells_of(in.facts, read_table(pair_dir + "/runs.csv"), pair_dir, mask);
    for (auto& point : summary.points) {
      point.key.topology = pair.client + "--" + pair.server;  // each pair is matched with its own
      in.summary.points.push_back(std::move(point));
    }
    in.summary.runs += summary.runs;
    in.summary.failed_runs += summary.failed_runs;
  }
  std::stable_sort(in.summary.points.begin(), in.summary.points.end(),
                   [](const SummaryPoint& a, const SummaryPoint& b) { return point_before(a.key, b.key); });
}

// One run's JSON as a one-row runs.csv: the sweep's columns first, as a sweep writes them.
void read_run(CompareInput& in, const std::string& file, const KeyMask& mask) {
  const json doc = parse_json_file(file);
  if (!doc.is_object() || !doc.contains("schema_version") || !doc.at("schema_version").is_number_integer())
    throw UsageError(fmt::format("{}: not a copybench result (no schema_version)", file));
  check_schema(doc.at("schema_version").get<int>(), file);
  RunResult result;
  try {
    result = run_result_from_json(doc);
  } catch (const json::exception& e) {
    throw UsageError(fmt::format("{}: not a copybench result ({})", file, e.what()));
  }
  const bool loopback =
      result.server.starts_with("127.") || result.server.starts_with("[::1]") || result.server.starts_with("localhost");
  const std::string text =
      fmt::format("{},{},{},{},{},{}\n1,1,1,{},,{}\n", key::run_order, key::point, key::rep, key::topology, key::seed,
                  csv_header(), loopback ? "loopback" : "remote", csv_row(result));
  auto runs = RunsTable::parse(text, file);
  add_table_facts(in.facts, runs);
  in.summary = as_usage_error([&] { return summarize(runs, mask); });
}

}  // namespace

const char* input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::sweep: return "sweep";
    case InputKind::fleet: return "fleet";
    case InputKind::run: return "run";
  }
  return "?";
}

const std::vector<std::string>& fact_names() {
  static const std::vector<std::string> names = {"copybench_version",
                                                 "schema_version",
                                                 std::string(key::kernel),
                                                 std::string(key::cpu_model),
                                                 std::string(key::cores),
                                                 std::string(key::path_mtu),
                                                 "sender_optmem_max",
                                                 std::string(key::topology),
                                                 std::string(key::receiver_host),
                                                 std::string(key::sender_host),
                                                 std::string(key::warmup_s),
                                                 std::string(key::duration_s),
                                                 "duration_auto",
                                                 "interval_s",
                                                 "pin",
                                                 "verify",
                                                 "profile",
                                                 "pacing",
                                                 "cport",
                                                 std::string(key::title),
                                                 std::string(key::mode),
                                                 std::string(key::direction),
                                                 std::string(key::strategy),
                                                 std::string(key::recv_strategy),
                                                 std::string(key::recv_size_auto),
                                                 std::string(key::recv_size_bytes),
                                                 std::string(key::message_bytes),
                                                 std::string(key::response_bytes),
                                                 std::string(key::threads),
                                                 std::string(key::rate_bps),
                                                 std::string(key::window_bytes),
                                                 std::string(key::congestion),
                                                 std::string(key::mss_bytes),
                                                 std::string(key::nodelay)};
  return names;
}

CompareInput read_compare_input(const std::string& path, const KeyMask& given) {
  CompareInput in;
  in.source = path;
  const auto normal = fs::path(path).lexically_normal();
  in.name = normal.has_filename() ? normal.filename().string() : normal.parent_path().filename().string();
  if (in.name.empty() || in.name == ".") in.name = path;
  KeyMask mask = given;
  mask.topology = true;  // a fact, listed among the differences; a fleet's pair is the cell's topology
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path + "/fleet.json")) {
      in.kind = InputKind::fleet;
      read_fleet(in, path, mask);
    } else if (fs::exists(path + "/runs.csv")) {
      in.kind = InputKind::sweep;
      read_sweep(in, path, mask);
    } else {
      throw UsageError(
          fmt::format("{}: neither a sweep folder (no runs.csv) nor a fleet folder (no fleet.json)", path));
    }
  } else if (fs::exists(path, ec)) {
    in.kind = InputKind::run;
    read_run(in, path, mask);
  } else {
    throw UsageError(fmt::format("{}: no such file or folder", path));
  }
  for (auto& [name, values] : in.facts) std::sort(values.begin(), values.end());
  if (in.summary.points.empty() || in.summary.runs == in.summary.failed_runs)
    throw UsageError(fmt::format("{}: no run that ended ok, nothing to compare", path));
  return in;
}

}  // namespace copybench::report
