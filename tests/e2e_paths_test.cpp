// Every send strategy with every receive strategy, end to end over loopback with --verify, in
// stream and rr mode: the bytes match, nothing is corrupt, zero-copy sends are balanced by
// their notifications, and each strategy's accounting is reported. sendfile and splice get no
// completion from the kernel, so in stream mode a rewritten pool buffer may change bytes in
// flight: for those two alone, there, corrupt messages are accepted as the finding they are,
// never lost or missing ones; in rr mode (one message in flight) they are held to zero.
// A receive strategy that leaves no byte in user memory (discard, splice) cannot verify: it runs
// without --verify and is held to the byte and message counts. A strategy this kernel cannot run
// (an io_uring opcode missing) is skipped with the reason, as liburing's tests do.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <tuple>

#include "e2e_util.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

std::vector<std::string> send_names() {
  std::vector<std::string> out;
  for (const auto& s : strategies()) out.push_back(s.name);
  return out;
}

std::vector<std::string> recv_names() {
  std::vector<std::string> out;
  for (const auto& r : recv_strategies()) out.push_back(r.name);
  return out;
}

// What both modes check: bytes, verify, calls and the copy accounting of both sides.
void expect_honest_run(const nlohmann::json& j, const std::string& send, const std::string& receive) {
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["recv_strategy"], receive);
  const auto& tx = j["sender"];
  const auto& rx = j["receiver"];
  ASSERT_FALSE(tx.is_null()) << j["sender_missing_reason"];
  EXPECT_GT(rx["bytes_total"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  if (recv_strategy_info(receive).verifiable) {
    EXPECT_EQ(j["verify"]["enabled"], true);
    EXPECT_GT(j["verify"]["messages_checked"].get<uint64_t>(), 0u);
    // rr has one message in flight and rewrites a buffer only after its answer came back: no
    // reuse while bytes fly, so every path, sendfile and splice included, is held to zero there.
    if (strategy_info(send).reuse_hazard && j["parameters"]["mode"] == "stream") {
      EXPECT_LE(j["verify"]["corrupt_messages"].get<uint64_t>(), j["verify"]["messages_checked"].get<uint64_t>());
      if (j["verify"]["corrupt_messages"] != 0)
        std::cout << "[ finding  ] " << send << "+" << receive << ": " << j["verify"]["corrupt_messages"]
                  << " corrupt messages (the path's buffer-reuse hazard)\n";
    } else {
      EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
    }
  } else {
    EXPECT_EQ(j["verify"]["enabled"], false);
    EXPECT_TRUE(j["verify"]["messages_checked"].is_null()) << "nothing reached user memory to check";
  }
  EXPECT_GT(tx["calls_per_msg"].get<double>(), 0.0);
  EXPECT_GT(rx["calls_per_msg"].get<double>(), 0.0);
  EXPECT_GT(tx["bytes_per_call"].get<double>(), 0.0);
  bool uring = send.rfind("uring", 0) == 0;
  EXPECT_EQ(tx["submissions_per_msg"].is_null(), !uring) << "SQEs are counted for io_uring strategies only";
  if (send == "uring" || send == "uring-zc-fixed") {
    EXPECT_DOUBLE_EQ(tx["submissions_per_msg"].get<double>(), 8.0) << "one SEND per field";
  }
  if (send == "sendfile") {
    EXPECT_GE(tx["calls_per_msg"].get<double>(), 1.0) << "one sendfile() per message, more when partial";
  }
  if (send == "splice") {
    EXPECT_GE(tx["calls_per_msg"].get<double>(), 2.0) << "at least a vmsplice() and a splice() per message";
  }
  if (send == "zero-copy" || send == "uring-zc" || send == "uring-zc-fixed") {
    const auto& zc = j["zerocopy"];
    ASSERT_FALSE(zc.is_null());
    EXPECT_GT(zc["sends"].get<uint64_t>(), 0u);
    EXPECT_EQ(zc["completed"], zc["sends"]) << "every zero-copy send needs its notification";
    EXPECT_EQ(zc["balanced"], true);
    ASSERT_FALSE(zc["copied_pct"].is_null());
    EXPECT_DOUBLE_EQ(zc["copied_pct"].get<double>(), 100.0) << "loopback delivers to a local socket: always copied";
  } else {
    EXPECT_TRUE(j["zerocopy"].is_null());
  }
  if (receive == "zerocopy-recv") {
    ASSERT_FALSE(rx["zc_mapped_pct"].is_null());
    // Stream: every received byte; rr: the responses (the requests are sent, not received).
    uint64_t received = j["parameters"]["mode"] == "rr"
                            ? rx["messages_total"].get<uint64_t>() * j["parameters"]["response_bytes"].get<uint64_t>()
                            : rx["bytes_total"].get<uint64_t>();
    EXPECT_EQ(rx["zc_mapped_bytes"].get<uint64_t>() + rx["zc_copied_bytes"].get<uint64_t>(), received)
        << "every received byte was either mapped or copied";
    ASSERT_TRUE(rx["zc_mapped_note"].is_string());
    if (rx["zc_mapped_bytes"] == 0) {
      EXPECT_NE(rx["zc_mapped_note"].get<std::string>().find("mapped no page"), std::string::npos);
    }
  } else {
    EXPECT_TRUE(rx["zc_mapped_pct"].is_null());
  }
}

// --verify where the receiver can check the bytes.
std::string verify_flag(const std::string& receive) {
  return recv_strategy_info(receive).verifiable ? " --verify" : "";
}

}  // namespace

class DataPath : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    if (auto missing = strategy_info(std::get<0>(GetParam())).missing(); !missing.empty()) GTEST_SKIP() << missing;
    if (auto missing = recv_strategy_info(std::get<1>(GetParam())).missing(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

TEST_P(DataPath, StreamVerifiedAndAccounted) {
  const auto& [send, receive] = GetParam();
  TempDir dir;
  auto r = run_copybench("run --strategy " + send + " --recv " + receive + " --size 64K --duration 200ms --warmup 0" +
                         verify_flag(receive) + " --no-counters --json " + dir.file("r.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = read_json(dir.file("r.json"));
  expect_honest_run(j, send, receive);
  EXPECT_EQ(j["receiver"]["messages_total"], j["sender"]["messages_total"]);
}

TEST_P(DataPath, RequestResponseVerifiedAndAccounted) {
  const auto& [send, receive] = GetParam();
  TempDir dir;
  // 3 KiB requests and 16 KiB responses: odd field splits one way, pages to map the other.
  auto r = run_copybench("run --mode rr --strategy " + send + " --recv " + receive +
                         " --size 3001 --response-size 16K --duration 200ms --warmup 0" + verify_flag(receive) +
                         " --no-counters --json " + dir.file("r.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_honest_run(read_json(dir.file("r.json")), send, receive);
}

INSTANTIATE_TEST_SUITE_P(EverySendWithEveryReceive, DataPath,
                         ::testing::Combine(::testing::ValuesIn(send_names()), ::testing::ValuesIn(recv_names())),
                         [](const auto& test) {
                           auto name = std::get<0>(test.param) + "_" + std::get<1>(test.param);
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(ReceiveStrategyCli, UnknownNameIsOneLineWithASuggestion) {
  auto r = run_copybench("run --recv scater --duration 100ms");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean 'scatter'"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

// `sweep --strategies all`: every strategy this kernel runs, each with two receive strategies,
// side by side in runs.csv, summary.csv, the plots and report.md, with the copied and mapped
// percentages.
TEST(SweepAll, EveryDataPathSideBySideInTheReport) {
  TempDir dir;
  auto out = dir.file("out");
  auto r = run_copybench(
      "sweep --topology loopback --strategies all --recvs recv,zerocopy-recv --sizes 64K --threads 1 "
      "--reps 1 --duration 200ms --warmup 0 --no-counters --seed 5 --quiet --out " +
          out,
      300);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto runs = read_text(out + "/runs.csv");
  auto summary = read_text(out + "/summary.csv");
  auto report = read_text(out + "/report.md");
  EXPECT_EQ(runs.find(",failed,"), std::string::npos) << runs;
  EXPECT_NE(summary.find("receiver_zc_mapped_pct_median"), std::string::npos);
  EXPECT_NE(summary.find("sender_submissions_per_msg_median"), std::string::npos);
  for (const auto& s : strategies()) {
    if (!s.missing().empty()) continue;  // `all` means all that run here
    EXPECT_NE(runs.find("," + s.name + ",recv,"), std::string::npos) << s.name << "\n" << runs;
    EXPECT_NE(summary.find("," + s.name + ",65536,"), std::string::npos) << s.name;
    EXPECT_NE(summary.find("," + s.name + "+zerocopy-recv,65536,"), std::string::npos) << s.name;
    EXPECT_NE(report.find(s.name + "+zerocopy-recv"), std::string::npos) << s.name;
  }
  EXPECT_NE(report.find("zc_mapped_vs_size"), std::string::npos) << "the mapped-percentage figure is listed";
  EXPECT_NE(report.find("zc_copied_vs_size"), std::string::npos);
}
