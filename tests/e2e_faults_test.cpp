// Faults during a run: a client killed mid-run, zero-copy starved of optmem inside a
// namespace, and a client with no route to its server. (A server killed mid-run is in
// e2e_server_test.cpp, Ctrl-C on `run` in e2e_run_test.cpp and on `sweep` in
// e2e_sweep_test.cpp, busy ports and unavailable addresses in e2e_errors_test.cpp.)
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "net/netns.h"
#include "raw_peer.h"

using namespace copybench;
using namespace copybench::test;

namespace {

bool netns_allowed() { return has_netns_privileges() && ip_command().has_value(); }

// copybench namespaces whose owner is gone: what a finished run left behind. Those of a live
// process (another test running beside this one) are not ours to judge.
std::vector<std::string> left_behind() {
  std::vector<std::string> names;
  for (const auto& name : list_copybench_namespaces())
    if (!alive(std::stoi(name.substr(std::string("copybench-").size())))) names.push_back(name);
  return names;
}

}  // namespace

TEST(Faults, ClientKilledMidRunFreesItsTestAndTheServerServesTheNext) {
  ServerProcess server(kHostileServerOptions);
  const auto baseline = warm_baseline(server);
  for (const char* strategy : {"one-copy", "zero-copy"}) {
    Child client({COPYBENCH_BIN, "client", "--host", "127.0.0.1", "--port", std::to_string(server.port), "--strategy",
                  strategy, "--threads", "2", "--warmup", "0", "--duration", "10s", "--quiet"});
    auto deadline = now_ns() + 10'000'000'000;  // running: control and two data threads
    while (usage_of(server.pid()).threads < baseline.threads + 3 && now_ns() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // mid-window
    client.signal(SIGKILL);
    EXPECT_EQ(client.wait_for(5000), 128 + SIGKILL);
    // --max-clients 1: the next test is accepted only once the killed one's place is free.
    expect_serves_and_holds(server, baseline);
  }
  expect_clean_exit(server);
}

TEST(Faults, ZeroCopyBacksOffFromEnobufsAndFinishesCountingRetries) {
  if (!netns_allowed()) GTEST_SKIP() << "needs root and iproute2: optmem_max is set inside a namespace";
  TempDir dir;
  // 1 KiB of optmem holds about one pending notification: nearly every send meets ENOBUFS.
  auto r = run_copybench(
      "sweep --topology netns --optmem-max 1024 --strategies zero-copy --sizes 64K --threads 1 "
      "--reps 1 --duration 300ms --warmup 0 --seed 1 --quiet --out " +
      dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto run = read_json(dir.file("out/results.json"))["runs"].at(0)["result"];
  EXPECT_EQ(run["status"], "ok") << run["error"];
  EXPECT_EQ(run["environment"]["sender"]["optmem_max"], 1024);
  auto zc = run["zerocopy"];
  EXPECT_GT(zc["enobufs_retries"].get<uint64_t>(), 0u) << zc;
  EXPECT_GT(zc["sends"].get<uint64_t>(), 0u) << zc;
  EXPECT_EQ(zc["balanced"], true) << zc;
  EXPECT_TRUE(left_behind().empty());
}

TEST(Faults, NoRouteToTheServerIsOneClearLine) {
  if (!netns_allowed()) GTEST_SKIP() << "needs root and iproute2: the unroutable address is tried inside a namespace";
  auto pair = NetnsPair::create();  // routes only 10.77.0.0/30
  auto r = run_copybench_with(*ip_command() + " netns exec " + pair->client_ns(),
                              "client --host 10.99.0.1 --port 7470 --duration 100ms", 30);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("connect to 10.99.0.1:7470: Network is unreachable"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

// RLIMIT_MEMLOCK bounds the memory io_uring and zero-copy sends may lock; root's CAP_IPC_LOCK
// lifts it, so these children run without that capability.
std::string with_no_locked_memory() {
  return ::geteuid() == 0 ? "ulimit -l 0 && setpriv --bounding-set=-ipc_lock" : "ulimit -l 0 &&";
}

const char* kShortRun = " --duration 200ms --warmup 0 --no-counters --quiet";

TEST(Faults, IoUringWithTooLittleLockedMemoryIsOneClearLine) {
  auto plain = run_copybench(std::string("run --strategy uring") + kShortRun, 30);
  if (plain.exit_code != 0) GTEST_SKIP() << "io_uring does not run here: " << plain.output;
  auto r = run_copybench_with(with_no_locked_memory(), std::string("run --strategy uring") + kShortRun, 30);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("out of locked memory (RLIMIT_MEMLOCK is 0 KiB"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

// Every send meets ENOBUFS; the sender backs off for its 10 s, then names both limits, and its
// error comes first (the receiver only sees the reset that follows).
TEST(Faults, ZeroCopyWithTooLittleLockedMemoryNamesTheLimit) {
  auto r = run_copybench_with(with_no_locked_memory(), std::string("run --strategy zero-copy") + kShortRun, 60);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("sender connection 0: sendmsg(MSG_ZEROCOPY): ENOBUFS for 10 s"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("RLIMIT_MEMLOCK too small?"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}
