#pragma once
// `copybench report DIR` on a fleet folder: DIR/fleet.json names the hosts and the pairs that
// measured each other (each pair's sweep, topology remote, in DIR/pairs/CLIENT--SERVER/); the
// fleet report puts the pairs side by side: DIR/fleet-summary.csv, DIR/report.md with a
// host x host matrix per data path, point and metric, the outlier pairs and the hosts'
// environments, and DIR/plots/fleet-*.png heatmaps. Each pair's own report is rebuilt first.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

struct FleetHost {
  std::string name, address;
};

/// A pair's status in fleet.json: "ok" (its sweep ran) or "failed".
enum class PairStatus { ok, failed };
const char* pair_status_name(PairStatus status);

struct FleetPair {
  std::string client, server;  // host names of fleet.json's hosts
  PairStatus status = PairStatus::failed;
  std::string error;  // why it failed, one line; "" when none was given
  bool ok() const { return status == PairStatus::ok; }
};

/// fleet.json as the playbook writes it.
struct FleetSpec {
  std::string pattern;  // "all-pairs"
  std::vector<FleetHost> hosts;
  std::vector<FleetPair> pairs;
};

/// fleet.json's "kind", which makes a folder a fleet folder.
inline constexpr std::string_view kFleetKind = "copybench fleet";

/// fleet-summary.csv's own leading columns (the rest are summary.csv's).
inline constexpr std::string_view kClientHostColumn = "client_host";
inline constexpr std::string_view kServerHostColumn = "server_host";

/// Parses fleet.json's text. Throws Error starting with `source` when it is not JSON, its
/// kind is not kFleetKind, a host name is empty, repeated or holds other than letters, digits,
/// '.', '_' and '-' (it names a folder), or a pair names a host not in "hosts".
FleetSpec parse_fleet_spec(std::string_view text, const std::string& source);

/// Reads and parses DIR/fleet.json (parse_fleet_spec's errors, or "PATH: cannot be read").
FleetSpec read_fleet_spec(const std::string& path);

/// "pairs/CLIENT--SERVER": a pair's sweep folder, relative to the fleet folder.
std::string pair_folder(const FleetPair& pair);

/// One host's facts from the results of the pairs it was in: each field's distinct values.
using HostEnvironment = std::map<std::string, std::vector<std::string>, std::less<>>;

/// The environment fields of the hosts table, in its order: {results.json key, label}.
const std::vector<std::pair<std::string, std::string>>& environment_fields();

/// A pair sweep's results.json: the client's and the server's environment, from each run's
/// result (its "roles" say which side each host was). Throws Error naming the file.
std::pair<HostEnvironment, HostEnvironment> pair_environments(const std::string& results_json_path);

/// What one pair's folder gave the fleet report.
struct PairOutcome {
  FleetPair pair;
  std::string folder;                 // pair_folder(pair)
  bool report_written = false;        // its report.md was rebuilt
  std::optional<Summary> summary;     // set for an ok pair whose runs.csv was read: it is in the tables
  std::vector<std::string> problems;  // faults of its folder, one line each
  std::optional<std::pair<HostEnvironment, HostEnvironment>> environments;  // client's, server's
};

/// Rebuilds the pair's own report (write_report) when its folder has a runs.csv and reads its
/// summary and environments. Never throws for a fault of the folder: it goes in `problems`.
PairOutcome load_pair(const std::string& fleet_dir, const FleetPair& pair);

/// fleet-summary.csv: summary.csv's rows of each measured pair, in fleet.json's pair order,
/// after the columns client_host and server_host.
std::string fleet_summary_csv(const std::vector<PairOutcome>& pairs);

struct FleetOutcome {
  std::vector<std::string> files_written;  // DIR/... in the order written, the pairs' reports' first
  std::vector<std::string> warnings;       // one line per fault of a pair's folder
  std::string note;                        // gnuplot missing or failing; "" when none
  int pairs = 0, pairs_failed = 0, pairs_measured = 0;
  int pairs_faulty = 0;  // ok in fleet.json, with a fault in their folder
};

/// Whether DIR holds a fleet.json (then `copybench report DIR` writes the fleet report).
bool is_fleet_folder(const std::string& dir);

/// The fleet report of DIR. Throws Error for a fleet.json that cannot be read or is not a
/// fleet's (read_fleet_spec) and for a fleet file that cannot be written; a fault in one
/// pair's folder is named in the report and in `warnings`, and the rest goes on.
FleetOutcome write_fleet_report(const std::string& dir);

}  // namespace copybench::report
