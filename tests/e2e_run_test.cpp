// `copybench run` end to end over loopback, for every strategy, with --verify.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <csignal>
#include <thread>

#include "e2e_util.h"

using namespace copybench::test;

class RunEachStrategy : public ::testing::TestWithParam<const char*> {};

TEST_P(RunEachStrategy, VerifiedBytesArriveAndBothSidesReport) {
  TempDir dir;
  auto r =
      run_copybench(std::string("run --strategy ") + GetParam() +
                    " --size 4K --threads 2 --duration 300ms --warmup 100ms --verify --json " + dir.file("r.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "ok");
  const auto& tx = j["sender"];
  const auto& rx = j["receiver"];
  ASSERT_FALSE(tx.is_null()) << j["sender_missing_reason"];
  EXPECT_GT(rx["bytes_total"].get<uint64_t>(), 0u);
  EXPECT_EQ(rx["bytes_total"], tx["bytes_total"]) << "receiver must get every sent byte after the drain";
  EXPECT_EQ(rx["messages_total"], tx["messages_total"]);
  EXPECT_GT(rx["throughput_gbps"].get<double>(), 0.0);
  EXPECT_GT(tx["throughput_gbps"].get<double>(), 0.0);
  EXPECT_EQ(rx["streams"].size(), 2u);
  EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  EXPECT_EQ(j["verify"]["messages_checked"], rx["messages_total"]);
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  EXPECT_NE(r.output.find("throughput_gbps"), std::string::npos) << r.output;
  if (std::string(GetParam()) == "zero-copy") {
    const auto& zc = j["zerocopy"];
    ASSERT_FALSE(zc.is_null());
    EXPECT_GT(zc["sends"].get<uint64_t>(), 0u);
    EXPECT_EQ(zc["completed"], zc["sends"]) << "every zero-copy send needs its completion";
    EXPECT_EQ(zc["balanced"], true);
    ASSERT_FALSE(zc["copied_pct"].is_null());
    // Loopback delivers to a local socket: the kernel copies every time.
    EXPECT_DOUBLE_EQ(zc["copied_pct"].get<double>(), 100.0);
    EXPECT_NE(r.output.find("The kernel copied"), std::string::npos) << r.output;
  } else {
    EXPECT_TRUE(j["zerocopy"].is_null());
  }
  double calls = tx["calls_per_msg"].get<double>();
  if (std::string(GetParam()) == "two-copy") EXPECT_GE(calls, 8.0);
  else EXPECT_GE(calls, 1.0);
}

INSTANTIATE_TEST_SUITE_P(Strategies, RunEachStrategy, ::testing::Values("two-copy", "one-copy", "zero-copy"));

TEST(Run, OddSizesSplitAcrossFieldsStayIntact) {
  TempDir dir;
  for (const char* size : {"1", "8", "1001", "1M"}) {
    auto r = run_copybench(std::string("run -s a1 --size ") + size + " --duration 200ms --warmup 0 --verify --json " +
                           dir.file("r.json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = read_json(dir.file("r.json"));
    EXPECT_EQ(j["verify"]["corrupt_messages"], 0) << size;
    EXPECT_EQ(j["verify"]["bytes_match"], true) << size;
  }
}

TEST(Run, CsvAppendsRowsUnderOneHeaderAndAgreesWithJson) {
  TempDir dir;
  auto csv = dir.file("runs.csv");
  for (int i = 0; i < 2; ++i) {
    auto r = run_copybench("run --strategy one-copy --size 1K --duration 200ms --warmup 0 --csv " + csv + " --json " +
                           dir.file("r.json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  auto text = read_text(csv);
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_EQ(lines[0].rfind("schema_version,", 0), 0u);
  // The last row and the last JSON describe the same run.
  auto j = read_json(dir.file("r.json"));
  auto bytes = std::to_string(j["receiver"]["bytes_in_window"].get<uint64_t>());
  EXPECT_NE(lines[2].find("," + bytes + ","), std::string::npos) << lines[2];
}

TEST(Run, JsonToStdoutKeepsTheTableOnStderr) {
  auto r = run_copybench("run --size 1K --duration 100ms --warmup 0 --json - 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = parse_json(r.output);
  EXPECT_EQ(j["schema_version"], 3);
  EXPECT_EQ(j["parameters"]["message_bytes"], 1024);
  EXPECT_FALSE(j["environment"]["sender"]["kernel"].get<std::string>().empty());
}

TEST(Run, InterruptedDuringWarmupStillReportsBothSidesWithUnknownRates) {
  TempDir dir;
  // A warm-up far longer than a sanitizer build's start: the interrupt comes inside it, once the
  // client (the receiver) has taken in data, by the kernel's count, not after a guessed time.
  copybench::Child run(
      {COPYBENCH_BIN, "run", "--size", "4K", "--warmup", "60s", "--duration", "1s", "--json", dir.file("r.json")});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<pid_t> children;
  while (std::chrono::steady_clock::now() < deadline) {
    children = children_of(run.pid());
    bool moving = false;
    for (pid_t child : children) moving = moving || tcp_bytes_received_by(child) > (1u << 20);
    if (children.size() == 2 && moving) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(children.size(), 2u) << "a server and a client";
  run.signal(SIGINT);
  auto code = run.wait_for(30'000);
  ASSERT_TRUE(code.has_value()) << "run must end promptly after SIGINT";
  EXPECT_EQ(*code, 130);
  for (pid_t child : children) EXPECT_FALSE(alive(child)) << "child " << child << " outlived `run`";
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_EQ(j["error"], "interrupted before the window's end");
  ASSERT_FALSE(j["sender"].is_null()) << j["sender_missing_reason"];
  for (const char* side : {"sender", "receiver"}) {
    EXPECT_TRUE(j[side]["throughput_gbps"].is_null()) << side << ": no window, so no rate (never 0)";
    EXPECT_TRUE(j[side]["bytes_in_window"].is_null()) << side;
    EXPECT_GT(j[side]["bytes_total"].get<uint64_t>(), 0u) << side;
  }
  EXPECT_EQ(j["receiver"]["bytes_total"], j["sender"]["bytes_total"]);
}

// An interrupt that comes before the client's main() has installed its handlers (here, before
// it even runs: right after fork) is held until they are in, never lethal: the client still
// writes its result, interrupted, and exits 130 by its own hand.
TEST(Run, AnInterruptBeforeTheHandlersAreInIsHeldNotLethal) {
  TempDir dir;
  copybench::Child client(
      {COPYBENCH_BIN, "client", "--port", "1", "--duration", "1s", "--quiet", "--json", dir.file("r.json")});
  client.signal(SIGINT);
  auto code = client.wait_for(30'000);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 130);
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "interrupted") << j.dump();
}

TEST(Run, EveryReceiveSizeDeliversVerifiedBytesAndIsWrittenDown) {
  TempDir dir;
  struct Case {
    const char* recv;
    const char* size;
    const char* read;
    uint64_t read_bytes;
  };
  // Reads of one byte, reads ending inside a field, and reads of many messages at once.
  for (const Case& c : {Case{"recv", "1001", "1", 1}, Case{"recv", "1001", "333", 333},
                        Case{"recv", "4K", "1M", 1 << 20}, Case{"scatter", "1001", "333", 333},
                        Case{"scatter", "4K", "64K", 64 << 10}, Case{"zerocopy-recv", "64K", "16K", 16 << 10}}) {
    SCOPED_TRACE(std::string(c.recv) + " " + c.size + " read " + c.read);
    auto r = run_copybench(std::string("run -s zero-copy --recv ") + c.recv + " --size " + c.size + " --recv-size " +
                           c.read + " --duration 200ms --warmup 0 --verify --json " + dir.file("r.json") + " --csv " +
                           dir.file("r.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = read_json(dir.file("r.json"));
    EXPECT_EQ(j["parameters"]["recv_size_bytes"], c.read_bytes);
    EXPECT_EQ(j["parameters"]["recv_size_auto"], false);
    EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
    EXPECT_EQ(j["verify"]["bytes_match"], true);
    EXPECT_GT(j["receiver"]["messages_total"].get<uint64_t>(), 0u);
  }
  auto csv = read_text(dir.file("r.csv"));
  EXPECT_NE(csv.find(",recv_size_bytes,"), std::string::npos) << csv.substr(0, 400);
}

TEST(Run, BadReceiveSizesAreRefusedWithOneLine) {
  for (const char* args : {"--recv-size 0", "--recv-size 17M", "--recv-size 4Q", "--mode rr --recv-size 4K"}) {
    auto r = run_copybench(std::string("run --duration 100ms --warmup 0 ") + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << ": " << r.output;
  }
  auto r = run_copybench("run --mode rr --recv-size 4K --duration 100ms --warmup 0");
  EXPECT_NE(r.output.find("--recv-size needs --mode stream"), std::string::npos) << r.output;
}
