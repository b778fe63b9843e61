// The receive strategies that keep the bytes out of user memory (discard, splice) and io_uring's
// multishot receive (uring), end to end: over loopback and between two network namespaces, in
// stream and rr mode; --verify refused where no byte can be checked; a kernel that cannot run
// io_uring refused in one line; and a sender that stalls or vanishes mid-run ends a uring
// receiver with one clear error instead of a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "net/netns.h"
#include "strategies/recv/recv_strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

const char* kShort = " --size 64K --duration 300ms --warmup 0 --no-counters";

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

void skip_unless_runs(const std::string& receive) {
  if (auto missing = recv_strategy_info(receive).missing(); !missing.empty()) GTEST_SKIP() << missing;
}

// The stream run's counts: every message the sender sent arrived whole, and the receiver's
// calls (and, for uring, nothing more than its calls) are reported.
void expect_counted(const nlohmann::json& j, const std::string& receive) {
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["recv_strategy"], receive);
  ASSERT_FALSE(j["sender"].is_null()) << j["sender_missing_reason"];
  EXPECT_GT(j["receiver"]["bytes_total"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["receiver"]["bytes_total"], j["sender"]["bytes_total"]);
  EXPECT_EQ(j["receiver"]["messages_total"], j["sender"]["messages_total"]);
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  EXPECT_GT(j["receiver"]["calls_per_msg"].get<double>(), 0.0);
}

}  // namespace

class ReceivePaths : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { skip_unless_runs(GetParam()); }
  std::string verify() const { return recv_strategy_info(GetParam()).verifiable ? " --verify" : ""; }
};

TEST_P(ReceivePaths, StreamOverLoopbackCountsEveryMessage) {
  TempDir dir;
  for (const char* strategy : {"one-copy", "zero-copy"}) {
    SCOPED_TRACE(strategy);
    auto j = run_json(std::string("run --strategy ") + strategy + " --recv " + GetParam() + kShort + verify(), dir);
    expect_counted(j, GetParam());
    EXPECT_EQ(j["verify"]["enabled"], !verify().empty());
    if (!verify().empty()) {
      EXPECT_GT(j["verify"]["messages_checked"].get<uint64_t>(), 0u);
      EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
    }
  }
}

TEST_P(ReceivePaths, RequestResponseReadsEveryResponse) {
  TempDir dir;
  auto j = run_json("run --mode rr --recv " + GetParam() +
                        " --size 3001 --response-size 16K --duration 300ms --warmup 0 "
                        "--no-counters" +
                        verify(),
                    dir);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_GT(j["receiver"]["messages_total"].get<uint64_t>(), 10u);
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  if (!verify().empty()) {
    EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
  }
}

// Two namespaces joined by a veth pair: a sweep over the three, each a row of runs.csv.
TEST(ReceivePathsInNetns, EachRunsBetweenTwoNamespaces) {
  if (!has_netns_privileges() || !ip_command()) GTEST_SKIP() << "needs root and iproute2 to create namespaces";
  std::string receives;
  for (const char* r : {"discard", "splice", "uring"})
    if (recv_strategy_info(r).missing().empty()) receives += (receives.empty() ? "" : ",") + std::string(r);
  TempDir dir;
  auto out = dir.file("out");
  auto r = run_copybench("sweep --topology netns --strategies one-copy --recvs " + receives +
                             " --sizes 64K --threads 1 --reps 1 "
                             "--duration 300ms --warmup 0 --no-counters --seed 3 --quiet --out " +
                             out,
                         300);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto runs = read_text(out + "/runs.csv");
  EXPECT_EQ(runs.find(",failed,"), std::string::npos) << runs;
  EXPECT_NE(runs.find("netns"), std::string::npos) << runs;
  auto results = read_json(out + "/results.json");
  size_t seen = 0;
  for (const auto& run : results["runs"]) {
    const auto& result = run.contains("result") ? run["result"] : run;
    if (!result.contains("parameters")) continue;
    ++seen;
    expect_counted(result, result["parameters"]["recv_strategy"].get<std::string>());
  }
  EXPECT_EQ(seen, static_cast<size_t>(std::count(receives.begin(), receives.end(), ',') + 1))
      << results.dump().substr(0, 2000);
}

INSTANTIATE_TEST_SUITE_P(DiscardSpliceUring, ReceivePaths, ::testing::Values("discard", "splice", "uring"));

TEST(ReceivePathRefusals, VerifyWithoutTheBytesInUserMemoryIsOneLine) {
  for (const char* receive : {"discard", "splice"}) {
    auto r = run_copybench(std::string("run --verify --recv ") + receive + " --duration 100ms");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--verify needs the bytes in user memory; --recv " + std::string(receive)),
              std::string::npos)
        << r.output;
    EXPECT_EQ(lines(r.output), 1u) << r.output;
  }
  auto r = run_copybench("run --verify --recv discard --duration 100ms");
  EXPECT_NE(r.output.find("drops them in the kernel"), std::string::npos) << r.output;
}

// A sweep over every receiver with --verify measures those that can verify and says which it left
// out; naming one that cannot is refused as `run` refuses it.
TEST(ReceivePathRefusals, SweepOfAllReceiversWithVerifyLeavesOutThoseThatCannotVerify) {
  TempDir dir;
  auto out = dir.file("out");
  auto r = run_copybench(
      "sweep --strategies one-copy --recvs all --verify --sizes 1K --threads 1 --reps 1 "
      "--duration 100ms --warmup 0 --no-counters --seed 3 --out " +
          out,
      120);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--recvs all with --verify leaves out discard, splice"), std::string::npos) << r.output;
  auto results = read_json(out + "/results.json");
  size_t seen = 0;
  for (const auto& run : results["runs"]) {
    const auto& result = run.contains("result") ? run["result"] : run;
    if (!result.contains("parameters")) continue;
    ++seen;
    auto receive = result["parameters"]["recv_strategy"].get<std::string>();
    EXPECT_TRUE(recv_strategy_info(receive).verifiable) << receive;
    EXPECT_EQ(result["verify"]["enabled"], true) << receive;
  }
  size_t verifiable = 0;
  for (const auto& info : recv_strategies_available()) verifiable += info.verifiable;
  EXPECT_EQ(seen, verifiable);
  auto named = run_copybench(
      "sweep --strategies one-copy --recvs recv,discard --verify --sizes 1K --threads 1 --reps 1 "
      "--duration 100ms --out " +
      dir.file("named"));
  EXPECT_EQ(named.exit_code, 2) << named.output;
  EXPECT_NE(named.output.find("--recv discard"), std::string::npos) << named.output;
  EXPECT_EQ(lines(named.output), 1u) << named.output;
}

// Without locked memory (and without root's CAP_IPC_LOCK) io_uring cannot be set up: the uring
// receiver refuses in one line naming the limit, as the uring send strategy does.
TEST(ReceivePathRefusals, UringWhereIoUringCannotBeSetUpIsOneLine) {
  skip_unless_runs("uring");
  std::string prefix = ::geteuid() == 0 ? "ulimit -l 0 && setpriv --bounding-set=-ipc_lock" : "ulimit -l 0 &&";
  auto r = run_copybench_with(prefix, "run --recv uring --duration 200ms --warmup 0 --no-counters --quiet", 30);
  if (r.exit_code == 0) GTEST_SKIP() << "io_uring needs no locked memory on this kernel";
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--recv uring: io_uring_setup: out of locked memory"), std::string::npos) << r.output;
  EXPECT_EQ(lines(r.output), 1u) << r.output;
}

// The sender's process is stopped mid-run (SIGSTOP: its connections stay open and silent) for
// 12 s. io_uring waits are not bounded by SO_RCVTIMEO; the receiver's own 10 s bound ends the
// window with the reason, and once the server runs again it answers STOP.
TEST(ReceivePathFaults, UringReceiverOfAStalledSenderGivesUpWithTheReason) {
  skip_unless_runs("uring");
  ServerProcess server;
  TempDir dir;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    server.child->signal(SIGSTOP);
    std::this_thread::sleep_for(std::chrono::seconds(12));
    server.child->signal(SIGCONT);
  });
  auto start = now_ns();
  auto r =
      run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port) +
                        " --recv uring --size 64K --warmup 0 --duration 30s --no-counters --json " + dir.file("r.json"),
                    90);
  stopper.join();
  EXPECT_LT(now_ns() - start, 25'000'000'000) << "ended by the receiver's bound, not the 30 s window: " << r.output;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "failed");
  EXPECT_NE(j.dump().find("no data from the sender for 10 s"), std::string::npos) << r.output;
}

// The sender's process is killed mid-run: the uring receiver sees the end (reset or EOF) at once.
TEST(ReceivePathFaults, UringReceiverOfAKilledSenderEndsWithOneError) {
  skip_unless_runs("uring");
  ServerProcess server;
  TempDir dir;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    server.child->signal(SIGKILL);
  });
  auto start = now_ns();
  auto r = run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port) +
                             " --recv uring --verify --size 64K --warmup 0 --duration 5s --no-counters --json " +
                             dir.file("r.json"),
                         60);
  killer.join();
  EXPECT_LT(now_ns() - start, 30'000'000'000) << "the client must give up in bounded time";
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "failed");
  ASSERT_FALSE(j["receiver"].is_null());
  EXPECT_GT(j["receiver"]["bytes_total"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["verify"]["corrupt_messages"], 0) << "what arrived before the end was checked and whole";
}
