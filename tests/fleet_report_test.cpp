// The fleet report on a synthetic fleet folder in a temporary directory: fleet.json, per-pair
// runs.csv and results.json with known medians; the matrices, the outliers, a failed pair with
// its error, a pair whose runs.csv is broken, fleet-summary.csv and the hosts' environments.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "csv_row.h"
#include "report/fleet.h"
#include "report/fleet_matrix.h"
#include "report/gnuplot.h"

using namespace copybench;
using namespace copybench::report;
namespace fs = std::filesystem;

namespace {

const std::string kHeader =
    "run_order,point,rep,topology,seed,status,error,strategy,recv_strategy,mode,direction,message_bytes,"
    "response_bytes,threads,receiver_throughput_gbps,sender_cpu_ns_per_byte,receiver_cpu_ns_per_byte,"
    "receiver_latency_p50_us,receiver_latency_p99_us";

// One row in kHeader's order from name=value pairs; anything not named is an empty cell.
std::string row(const std::map<std::string, std::string>& cells) { return copybench::test::csv_row(kHeader, cells); }

struct PairFigures {
  double gbps, sender_cpu, rr_p50;
};

// Three runs of two-copy 64K stream (throughput median `gbps`) and three of rr 64/64.
std::string pair_runs(const PairFigures& f) {
  std::string out = kHeader + "\n";
  for (int rep = 1; rep <= 3; ++rep) {
    std::map<std::string, std::string> base = {{"run_order", std::to_string(rep)},
                                               {"rep", std::to_string(rep)},
                                               {"topology", "remote"},
                                               {"seed", "7"},
                                               {"status", "ok"},
                                               {"strategy", "two-copy"},
                                               {"recv_strategy", "recv"},
                                               {"direction", "forward"},
                                               {"threads", "1"}};
    auto stream = base;
    stream.insert({{"point", "s"}, {"mode", "stream"}, {"message_bytes", "65536"}});
    stream["receiver_throughput_gbps"] = fmt::format("{}", f.gbps + (rep - 2) * 0.1);
    stream["sender_cpu_ns_per_byte"] = fmt::format("{}", f.sender_cpu);
    stream["receiver_cpu_ns_per_byte"] = "0.25";
    out += row(stream);
    auto rr = base;
    rr.insert({{"point", "r"}, {"mode", "rr"}, {"message_bytes", "64"}, {"response_bytes", "64"}});
    rr["receiver_latency_p50_us"] = fmt::format("{}", f.rr_p50);
    rr["receiver_latency_p99_us"] = fmt::format("{}", 3 * f.rr_p50);
    out += row(rr);
  }
  return out;
}

struct Env {
  std::string hostname, kernel, cpu, mtu, version;
};

nlohmann::json env_json(const Env& e) {
  return {{"hostname", e.hostname},       {"kernel", e.kernel},
          {"cpu_model", e.cpu},           {"cores", 8},
          {"path_mtu", std::stoi(e.mtu)}, {"copybench_version", e.version}};
}

// A sweep's results.json with one run: `client_role` "receiver" (forward) or "sender" (reverse).
std::string results_json(const Env& client, const Env& server, const std::string& client_role) {
  const bool sent = client_role == "sender";
  nlohmann::json result = {
      {"status", "ok"},
      {"roles", {{"client", client_role}, {"server", sent ? "receiver" : "sender"}}},
      {"environment", {{"receiver", env_json(sent ? server : client)}, {"sender", env_json(sent ? client : server)}}}};
  nlohmann::json doc = {
      {"kind", "copybench sweep"},
      {"runs", nlohmann::json::array({{{"run_order", 1}, {"point", "s"}, {"rep", 1}, {"result", result}}})}};
  return doc.dump(1);
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Env h1{"node-a", "6.1.0-h1", "CPU One", "1500", "1.4.0"};
const Env h2{"node-b", "6.8.0-h2", "CPU Two", "1500", "1.4.0"};
const Env h3_jumbo{"node-c", "6.5.0-h3", "CPU Three", "9000", "1.3.9"};
const Env h3_small{"node-c", "6.5.0-h3", "CPU Three", "1500", "1.3.9"};

const char* kFleetJson = R"({"kind": "copybench fleet", "pattern": "all-pairs",
  "hosts": [{"name": "h1", "address": "10.78.0.1"}, {"name": "h2", "address": "10.78.0.2"},
            {"name": "h3", "address": "10.78.0.3"}],
  "pairs": [{"client": "h1", "server": "h2", "status": "ok"}, {"client": "h1", "server": "h3", "status": "ok"},
            {"client": "h2", "server": "h1", "status": "ok"}, {"client": "h2", "server": "h3", "status": "ok"},
            {"client": "h3", "server": "h1", "status": "failed", "error": "ssh: connect to host 10.78.0.3: No route"},
            {"client": "h3", "server": "h2", "status": "ok"}]})";

// Four pairs measured: throughput 10, 10.2, 9.8 and 4 (h2 -> h3, the outlier: the fleet median
// is 9.9), sender CPU 0.5 but 1.0 for h2 -> h3. h3 -> h1 failed and has no folder; h3 -> h2 is
// ok but its runs.csv lacks the required columns.
class FleetReport : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "copybench_fleet_XXXXXX").string();
    ASSERT_TRUE(::mkdtemp(pattern.data())) << "mkdtemp";
    dir_ = pattern;
    write("fleet.json", kFleetJson);
    add_pair("h1--h2", {10, 0.5, 20}, results_json(h1, h2, "receiver"));
    add_pair("h1--h3", {10.2, 0.5, 21}, results_json(h1, h3_jumbo, "receiver"));
    add_pair("h2--h1", {9.8, 0.5, 20}, results_json(h2, h1, "sender"));
    add_pair("h2--h3", {4, 1.0, 20}, results_json(h2, h3_small, "receiver"));
    fs::create_directories(dir_ / "pairs/h3--h2");
    write("pairs/h3--h2/runs.csv", "run_order,point\n1,");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name, std::ios::binary) << text; }
  void add_pair(const std::string& folder, const PairFigures& f, const std::string& results) {
    fs::create_directories(dir_ / "pairs" / folder);
    write("pairs/" + folder + "/runs.csv", pair_runs(f));
    write("pairs/" + folder + "/results.json", results);
  }
  FleetOutcome run() { return write_fleet_report(dir_.string()); }
  fs::path dir_;
};

}  // namespace

TEST_F(FleetReport, MatricesHoldEachPairsMedianWithAnEmptyCellWhereNotMeasured) {
  run();
  const auto md = read(dir_ / "report.md");
  EXPECT_NE(md.find("### two-copy, 64K, 1 thread, stream\n"), std::string::npos) << md;
  EXPECT_NE(md.find("**receiver throughput (Gbit/s)** (`receiver_throughput_gbps`): fleet median 9.9 over 4 pairs.\n\n"
                    "| client \\ server | h1 | h2 | h3 |\n|---|---|---|---|\n"
                    "| h1 | — | 10 | 10.2 |\n| h2 | 9.8 | — | **4** |\n| h3 | — | — | — |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| h2 | 0.5 | — | **1** |\n"), std::string::npos) << md;  // sender CPU per byte
  EXPECT_NE(md.find("**receiver CPU time per byte (ns/B)**"), std::string::npos) << md;
  EXPECT_NE(md.find("### two-copy, 64/64, 1 thread, rr\n"), std::string::npos) << md;
  EXPECT_NE(md.find("**rr round trip p99 (us)** (`receiver_latency_p99_us`): fleet median 60 over 4 pairs."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| h1 | — | 20 | 21 |\n"), std::string::npos) << md;  // rr p50
}

TEST_F(FleetReport, OutliersAreListedWithTheirFigureAndTheFleetMedian) {
  run();
  const auto md = read(dir_ / "report.md");
  EXPECT_NE(md.find("below 0.8× the fleet median"), std::string::npos) << md;
  EXPECT_NE(md.find("above 1.25× it"), std::string::npos) << md;
  EXPECT_NE(md.find("| two-copy, 64K, 1 thread, stream | receiver throughput (Gbit/s) | h2 | h3 | 4 | 9.9 | 0.40 |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(
      md.find("| two-copy, 64K, 1 thread, stream | sender CPU time per byte (ns/B) | h2 | h3 | 1 | 0.5 | 2.00 |\n"),
      std::string::npos)
      << md;
  // 10.2 is above the median and 9.8 within 0.8x of it; the rr latencies are all within 1.25x.
  EXPECT_EQ(md.find("| h1 | h3 | 10.2 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| rr round trip"), std::string::npos) << md;
}

TEST_F(FleetReport, NamesAFailedPairWithItsErrorAndABrokenFolderAndGoesOn) {
  auto outcome = run();
  EXPECT_EQ(outcome.pairs, 6);
  EXPECT_EQ(outcome.pairs_failed, 1);
  EXPECT_EQ(outcome.pairs_measured, 4);
  EXPECT_EQ(outcome.pairs_faulty, 1);
  const auto md = read(dir_ / "report.md");
  EXPECT_NE(md.find("| h3 | h1 | failed | no | — | ssh: connect to host 10.78.0.3: No route |\n"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| h1 | h2 | ok | yes | [pairs/h1--h2/report.md](pairs/h1--h2/report.md) |  |\n"),
            std::string::npos)
      << md;
  auto broken = md.find("| h3 | h2 | ok | no | — | ");
  ASSERT_NE(broken, std::string::npos) << md;
  EXPECT_NE(md.find("h3--h2/runs.csv", broken), std::string::npos) << md;
  ASSERT_EQ(outcome.warnings.size(), 2u);  // its runs.csv, and it has no results.json
  EXPECT_NE(outcome.warnings[0].find("h3--h2/runs.csv"), std::string::npos) << outcome.warnings[0];
  EXPECT_EQ(outcome.warnings[1], "pairs/h3--h2/results.json: no such file");
  // Each measured pair's own report was rebuilt.
  for (const char* pair : {"h1--h2", "h1--h3", "h2--h1", "h2--h3"}) {
    EXPECT_TRUE(fs::exists(dir_ / "pairs" / pair / "summary.csv")) << pair;
    EXPECT_NE(read(dir_ / "pairs" / pair / "report.md").find("# copybench sweep report"), std::string::npos) << pair;
  }
}

TEST_F(FleetReport, ATornRowOrAMissingFolderIsNamedAndTheRestGoesOn) {
  std::ofstream(dir_ / "pairs/h1--h3/runs.csv", std::ios::app) << "7,s,4,remote,7,ok";  // no line end: torn
  fs::remove_all(dir_ / "pairs/h2--h1");
  auto outcome = run();
  EXPECT_EQ(outcome.pairs_measured, 3);
  const auto md = read(dir_ / "report.md");
  auto torn = md.find("| h1 | h3 | ok | yes | [pairs/h1--h3/report.md](pairs/h1--h3/report.md) | ");
  ASSERT_NE(torn, std::string::npos) << md;
  EXPECT_NE(md.find("torn last row", torn), std::string::npos) << md;
  EXPECT_NE(md.find("| h2 | h1 | ok | no | — | pairs/h2--h1: no such folder |\n"), std::string::npos) << md;
  // The fleet median is now that of 10, 10.2 and 4; h2 -> h1 is empty.
  EXPECT_NE(md.find("fleet median 10 over 3 pairs.\n\n| client \\ server | h1 | h2 | h3 |\n|---|---|---|---|\n"
                    "| h1 | — | 10 | 10.2 |\n| h2 | — | — | **4** |\n"),
            std::string::npos)
      << md;
}

TEST_F(FleetReport, FleetSummaryHasTheHostColumnsFirstAndTheSummaryRows) {
  run();
  const auto csv = read(dir_ / "fleet-summary.csv");
  EXPECT_EQ(
      csv.rfind("client_host,server_host,topology,mode,strategy,message_bytes,response_bytes,threads,rate_bps,runs_ok,",
                0),
      0u)
      << csv;
  EXPECT_NE(csv.find("\nh2,h3,remote,stream,two-copy,65536,,1,,3,0,3,4,3.9,4.1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nh1,h2,remote,rr,two-copy,64,64,1,,3,0,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("\nh3,"), std::string::npos) << csv;  // failed and broken pairs: no rows
  size_t lines = 0;
  for (char c : csv) lines += c == '\n';
  EXPECT_EQ(lines, 1u + 4 * 2);
}

TEST_F(FleetReport, HostsEnvironmentsSideBySideFromThePairsRoles) {
  run();
  const auto md = read(dir_ / "report.md");
  EXPECT_NE(md.find("| | h1 | h2 | h3 |\n|---|---|---|---|\n| address | 10.78.0.1 | 10.78.0.2 | 10.78.0.3 |\n"),
            std::string::npos)
      << md;
  // h2 -> h1 ran reverse: its client's environment is the sender's; the roles keep h1 and h2 apart.
  EXPECT_NE(md.find("| hostname | node-a | node-b | node-c |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| kernel | 6.1.0-h1 | 6.8.0-h2 | 6.5.0-h3 |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| CPU model | CPU One | CPU Two | CPU Three |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| path MTU (bytes) | 1500 | 1500 | 9000, 1500 |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| copybench version | 1.4.0 | 1.4.0 | 1.3.9 |\n"), std::string::npos) << md;
}

TEST_F(FleetReport, HeatmapsAreWrittenFromTheMatricesAndLinked) {
  auto outcome = run();
  const auto stem = dir_ / "plots/fleet-throughput-two-copy-64K-1t-stream";
  const auto data = read(stem.string() + ".dat");
  EXPECT_NE(data.find("\n1 2 4\n"), std::string::npos) << data;  // h2 (1) -> h3 (2)
  EXPECT_NE(data.find("\n0 1 10\n"), std::string::npos) << data;
  EXPECT_TRUE(fs::exists(dir_ / "plots/fleet-sender-cpu-two-copy-64K-1t-stream.gp"));
  EXPECT_TRUE(fs::exists(dir_ / "plots/fleet-rr-p99-two-copy-64-64-1t-rr.gp"));
  EXPECT_FALSE(fs::exists(dir_ / "plots/fleet-rr-p50-two-copy-64K-1t-stream.gp"));  // no latency in stream
  const auto md = read(dir_ / "report.md");
  if (find_gnuplot().empty()) {
    EXPECT_NE(md.find("Heatmap `fleet-throughput-two-copy-64K-1t-stream` not drawn: gnuplot is not installed"),
              std::string::npos)
        << md;
    EXPECT_NE(outcome.note.find("gnuplot"), std::string::npos);
    return;
  }
  EXPECT_TRUE(fs::exists(stem.string() + ".png"));
  EXPECT_NE(md.find("(plots/fleet-throughput-two-copy-64K-1t-stream.png)"), std::string::npos) << md;
}

TEST_F(FleetReport, IsAFleetFolderByItsFleetJson) {
  EXPECT_TRUE(is_fleet_folder(dir_.string()));
  EXPECT_FALSE(is_fleet_folder((dir_ / "pairs/h1--h2").string()));
}

TEST(FleetSpec, ReadsHostsAndPairs) {
  auto spec = parse_fleet_spec(kFleetJson, "fleet.json");
  EXPECT_EQ(spec.pattern, "all-pairs");
  ASSERT_EQ(spec.hosts.size(), 3u);
  EXPECT_EQ(spec.hosts[2].address, "10.78.0.3");
  ASSERT_EQ(spec.pairs.size(), 6u);
  EXPECT_FALSE(spec.pairs[4].ok());
  EXPECT_EQ(spec.pairs[4].error, "ssh: connect to host 10.78.0.3: No route");
  EXPECT_EQ(pair_folder(spec.pairs[4]), "pairs/h3--h1");
}

TEST(FleetSpec, RefusesWhatIsNotAFleetInOneLine) {
  auto message = [](const std::string& text) {
    try {
      parse_fleet_spec(text, "D/fleet.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto not_json = message("{\"kind\": ");
  EXPECT_EQ(not_json.rfind("D/fleet.json: not valid JSON", 0), 0u) << not_json;
  EXPECT_EQ(not_json.find('\n'), std::string::npos) << not_json;
  EXPECT_EQ(message(R"({"kind": "copybench sweep", "hosts": [], "pairs": []})"),
            "D/fleet.json: not a fleet's: its \"kind\" is not \"copybench fleet\"");
  EXPECT_EQ(message("[1, 2]").rfind("D/fleet.json: not a fleet's", 0), 0u);
  EXPECT_EQ(message(R"({"kind": "copybench fleet", "hosts": [{"name": "a"}],
                        "pairs": [{"client": "a", "server": "b", "status": "ok"}]})"),
            "D/fleet.json: pair a--b names \"b\", not one of the hosts");
  EXPECT_NE(message(R"({"kind": "copybench fleet", "hosts": [{"name": "../a"}], "pairs": []})").find("host name"),
            std::string::npos);
  EXPECT_NE(message(R"({"kind": "copybench fleet", "hosts": [{"name": "a"}, {"name": "a"}], "pairs": []})")
                .find("listed twice"),
            std::string::npos);
  EXPECT_EQ(message(R"({"kind": "copybench fleet", "hosts": [{"name": "a"}, {"name": "b"}],
                        "pairs": [{"client": "a", "server": "b", "status": "done"}]})"),
            "D/fleet.json: a pair's status is \"done\", not \"ok\" or \"failed\"");
}

TEST(FleetReportErrors, ABadFleetJsonStopsTheReport) {
  std::string pattern = (fs::temp_directory_path() / "copybench_fleet_bad_XXXXXX").string();
  ASSERT_TRUE(::mkdtemp(pattern.data()));
  std::ofstream(pattern + "/fleet.json") << "not json";
  EXPECT_THROW(write_fleet_report(pattern), Error);
  EXPECT_FALSE(fs::exists(pattern + "/report.md"));
  fs::remove_all(pattern);
}

TEST(FleetOutliers, NeedThreePairsAndGoTheWorseWay) {
  FleetMetric throughput{.column = "t", .slug = "t", .title = "t", .higher_is_better = true};
  FleetMetric cost{.column = "c", .slug = "c", .title = "c"};
  FleetMatrix m{{"remote", "stream", "two-copy", 65536, std::nullopt, 1}, &throughput, {}, 10};
  m.cells = {{{"a", "b"}, 10}, {{"b", "a"}, 7}};
  EXPECT_FALSE(is_outlier(m, 7));  // two pairs: no judgement
  m.cells[{"a", "c"}] = 12;
  EXPECT_TRUE(is_outlier(m, 7.99));
  EXPECT_FALSE(is_outlier(m, 8));
  EXPECT_FALSE(is_outlier(m, 20));  // better, not an outlier
  m.metric = &cost;
  EXPECT_TRUE(is_outlier(m, 12.51));
  EXPECT_FALSE(is_outlier(m, 12.5));
  EXPECT_FALSE(is_outlier(m, 1));
}
