// --reverse and --bidir end to end, with the real binary: the client sends and the server
// receives with the named receive strategy; both at once; across two processes (client and
// server); across a veth pair in namespaces (a sweep's directions); and what is refused.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "e2e_util.h"
#include "net/netns.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr const char* kShort = " --size 16K --warmup 100ms --duration 300ms";

void skip_unless_netns() {
  if (!has_netns_privileges() || !ip_command()) GTEST_SKIP() << "needs root and iproute2 to create namespaces";
}

// A data path run reversed: one send strategy with one receive strategy.
using Path = std::tuple<std::string, std::string>;

// Every send strategy into the default receiver, and one-copy into every other receiver: each
// send strategy on the client and each receive strategy on the server (--reverse), and both on
// both ends (--bidir).
std::vector<Path> every_path_once() {
  std::vector<Path> paths;
  for (const auto& s : strategies()) paths.emplace_back(s.name, "recv");
  for (const auto& r : recv_strategies())
    if (r.name != "recv") paths.emplace_back("one-copy", r.name);
  return paths;
}

std::string path_name(const ::testing::TestParamInfo<Path>& info) {
  auto name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}

// --verify where the receiver can check the bytes (discard and splice leave none to check).
std::string path_options(const Path& path) {
  const auto& [send, receive] = path;
  return " --strategy " + send + " --recv " + receive + (recv_strategy_info(receive).verifiable ? " --verify" : "");
}

// One direction's result: every byte checked on the side that received it (where it can be),
// both sides' names. sendfile and splice in stream mode may rewrite a buffer in flight: their
// corrupt messages are the path's finding (e2e_paths_test.cpp), never missing ones.
void expect_verified(const nlohmann::json& j, const std::string& direction, const Path& path = {"one-copy", "recv"}) {
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["direction"], direction);
  ASSERT_TRUE(j["sender"].is_object()) << j["sender_missing_reason"];
  ASSERT_TRUE(j["receiver"].is_object()) << j["receiver_missing_reason"];
  EXPECT_EQ(j["sender"]["side"], "sender");
  EXPECT_EQ(j["receiver"]["side"], "receiver");
  EXPECT_EQ(j["parameters"]["strategy"], std::get<0>(path));
  EXPECT_EQ(j["parameters"]["recv_strategy"], std::get<1>(path));
  if (recv_strategy_info(std::get<1>(path)).verifiable) {
    EXPECT_GT(j["verify"]["messages_checked"].get<uint64_t>(), 0u);
    if (strategy_info(std::get<0>(path)).reuse_hazard) {
      EXPECT_LE(j["verify"]["corrupt_messages"].get<uint64_t>(), j["verify"]["messages_checked"].get<uint64_t>());
    } else {
      EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
    }
  } else {
    EXPECT_TRUE(j["verify"]["messages_checked"].is_null()) << "nothing reached user memory to check";
  }
  EXPECT_GT(j["receiver"]["messages_total"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  // The sender times its send calls, wherever it runs; the receiver times nothing.
  EXPECT_EQ(j["sender"]["latency_what"], "send_call");
  EXPECT_TRUE(j["receiver"]["latency"].is_null());
}

class Reverse : public ::testing::TestWithParam<Path> {
 protected:
  void SetUp() override {
    if (auto missing = strategy_info(std::get<0>(GetParam())).missing(); !missing.empty()) GTEST_SKIP() << missing;
    if (auto missing = recv_strategy_info(std::get<1>(GetParam())).missing(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

TEST_P(Reverse, TheClientSendsAndTheServerChecksEveryByte) {
  TempDir dir;
  auto j = run_json("run --reverse" + path_options(GetParam()) + kShort, dir);
  expect_verified(j, "reverse", GetParam());
  EXPECT_EQ(j["roles"]["client"], "sender");
  EXPECT_EQ(j["roles"]["server"], "receiver");
  EXPECT_EQ(j["environment"]["sender"]["hostname"], j["sender"]["host"]);
  const auto& send = std::get<0>(GetParam());
  if (send == "zero-copy" || send == "uring-zc" || send == "uring-zc-fixed") {  // the client's own accounting
    ASSERT_TRUE(j["zerocopy"].is_object());
    EXPECT_GT(j["zerocopy"]["sends"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["zerocopy"]["balanced"], true);
  } else {
    EXPECT_TRUE(j["zerocopy"].is_null());
  }
}

class Bidir : public Reverse {};

TEST_P(Bidir, BothDirectionsAtOnceEachReportedAndSummed) {
  TempDir dir;
  std::string out;
  auto j = run_json("run --bidir --threads 2" + path_options(GetParam()) + kShort, dir, &out);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["direction"], "bidir");
  ASSERT_EQ(j["directions"].size(), 2u);
  expect_verified(j["directions"][0], "forward", GetParam());
  expect_verified(j["directions"][1], "reverse", GetParam());
  double sum = 0;
  uint64_t received = 0;
  for (const auto& part : j["directions"]) {
    sum += part["receiver"]["throughput_gbps"].get<double>();
    received += part["receiver"]["messages_total"].get<uint64_t>();
  }
  EXPECT_NEAR(j["receiver"]["throughput_gbps"].get<double>(), sum, 1e-9);
  EXPECT_EQ(j["receiver"]["messages_total"].get<uint64_t>(), received);
  EXPECT_EQ(j["receiver"]["streams"].size(), 4u) << "2 connections each way";
  // The two windows overlap: both tests sent START together.
  const auto& f = j["directions"][0]["receiver"];
  const auto& r = j["directions"][1]["sender"];  // both measured by the client, on one clock
  const double f_start = f["window_start_s"].get<double>(), r_start = r["window_start_s"].get<double>();
  EXPECT_LT(std::abs(f_start - r_start), f["window_s"].get<double>() / 2) << "the windows did not overlap";
  EXPECT_NE(out.find("both directions together (summed)"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(EveryPath, Reverse, ::testing::ValuesIn(every_path_once()), path_name);
INSTANTIATE_TEST_SUITE_P(EveryPath, Bidir, ::testing::ValuesIn(every_path_once()), path_name);

TEST(Direction, TheServerReceivesWithTheNamedStrategyAndSize) {
  // 64 KiB messages read 1 KiB at a time take 64 calls each; the default (256 KiB) under one.
  TempDir dir;
  auto small = run_json("run --reverse --size 64K --recv-size 1K --warmup 0 --duration 300ms", dir);
  ASSERT_EQ(small["status"], "ok") << small["error"];
  EXPECT_GE(small["receiver"]["calls_per_msg"].get<double>(), 60.0);
  EXPECT_EQ(small["parameters"]["recv_size_bytes"], 1024);
  auto whole = run_json("run --reverse --size 64K --warmup 0 --duration 300ms", dir);
  ASSERT_EQ(whole["status"], "ok") << whole["error"];
  EXPECT_LT(whole["receiver"]["calls_per_msg"].get<double>(), 10.0);
  auto scatter = run_json("run --reverse --recv scatter --verify --size 4K --warmup 0 --duration 300ms", dir);
  expect_verified(scatter, "reverse", {"one-copy", "scatter"});
  EXPECT_EQ(scatter["parameters"]["recv_strategy"], "scatter");
  // Only the server's zerocopy-recv reports mapped and copied bytes: the name travelled.
  auto mapped = run_json("run --reverse --recv zerocopy-recv --verify --size 64K --warmup 0 --duration 300ms", dir);
  expect_verified(mapped, "reverse", {"one-copy", "zerocopy-recv"});
  EXPECT_TRUE(mapped["receiver"]["zc_copied_bytes"].is_number()) << mapped["receiver"];
  EXPECT_GT(
      mapped["receiver"]["zc_copied_bytes"].get<uint64_t>() + mapped["receiver"]["zc_mapped_bytes"].get<uint64_t>(),
      0u);
}

TEST(Direction, ClientAndServerProcessesBothWays) {
  ServerProcess server;
  const std::string client = "client --port " + std::to_string(server.port) + " --verify --json - --quiet" + kShort;
  for (const char* way : {" --reverse", " --bidir"}) {
    auto r = run_copybench(client + way);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = parse_json(r.output);
    EXPECT_EQ(j["status"], "ok") << j["error"];
    EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
    EXPECT_EQ(j["verify"]["bytes_match"], true) << way;
  }
}

TEST(Direction, AOnceServerServesBothTestsOfABidirClient) {
  ServerProcess served({"--once"});
  auto r = run_copybench("client --bidir --port " + std::to_string(served.port) + " --json - --quiet" + kShort);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = parse_json(r.output);
  EXPECT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(served.child->wait_for(5000), 0) << "a --once server exits after both tests";
}

TEST(Direction, ReverseWhenTheServerCannotReceiveSaysWhyAndNamesTheMissingSide) {
  // The server's receive buffers count against its --max-memory like its send buffers.
  ServerProcess server({"--max-memory", "64K"});
  auto r = run_copybench("client --reverse --port " + std::to_string(server.port) +
                         " --size 1M --warmup 0 --duration 200ms --json - --quiet");
  EXPECT_NE(r.exit_code, 0);
  auto j = parse_json(r.output.substr(r.output.find('{')));
  EXPECT_EQ(j["status"], "failed");
  EXPECT_NE(j["error"].get<std::string>().find("--max-memory"), std::string::npos) << j["error"];
  EXPECT_TRUE(j["receiver"].is_null());
  EXPECT_FALSE(j["receiver_missing_reason"].get<std::string>().empty());
}

TEST(Direction, RefusedWhereItMeansNothingOrConflicts) {
  for (const char* args : {"run --reverse --mode rr", "run --bidir --mode rr", "run --reverse --bidir",
                           "run --direction sideways", "run --reverse --direction bidir"}) {
    auto r = run_copybench(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << args << ": one line, got " << r.output;
    EXPECT_EQ(r.output.rfind("copybench: error: ", 0), 0u) << r.output;
  }
  EXPECT_NE(run_copybench("run --reverse --mode rr").output.find("needs --mode stream"), std::string::npos);
}

TEST(Direction, NetnsSweepMeasuresEachDirectionAsItsOwnPath) {
  skip_unless_netns();
  TempDir dir;
  auto r = run_copybench(
      "sweep --topology netns --directions forward,reverse,bidir --modes stream,rr --verify "
      "--strategies one-copy --sizes 16K --threads 1 --reps 1 --duration 300ms --warmup 0 "
      "--quiet --out " +
      dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto results = read_json(dir.file("out/results.json"));
  std::set<std::string> seen;
  for (const auto& entry : results["runs"]) {
    const auto& run = entry["result"];
    ASSERT_EQ(run["status"], "ok") << run["error"];
    EXPECT_EQ(run["verify"]["corrupt_messages"], 0);
    EXPECT_EQ(run["server"].get<std::string>().rfind("10.77.0.1:", 0), 0u) << "across the veth pair";
    const auto& d = run["parameters"]["direction"];
    seen.insert(d.is_null() ? "rr" : d.get<std::string>());
  }
  EXPECT_EQ(seen, (std::set<std::string>{"forward", "reverse", "bidir", "rr"})) << "rr is measured once";
  auto summary = read_text(dir.file("out/summary.csv"));
  EXPECT_NE(summary.find("one-copy@reverse"), std::string::npos) << summary;
  EXPECT_NE(summary.find("one-copy@bidir"), std::string::npos) << summary;
  EXPECT_NE(read_text(dir.file("out/report.md")).find("| directions (stream) |"), std::string::npos);
  EXPECT_TRUE(orphaned_copybench_namespaces().empty());
}

}  // namespace
