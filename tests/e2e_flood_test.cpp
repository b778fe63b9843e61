// A flood of connections against a server with --max-clients 1 that is running a test: the
// test goes on, tests beyond the limit are refused with a reason, and connections that never
// send a header neither become a flood of threads nor outlive their deadline.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "session/server.h"

using namespace copybench;
using namespace copybench::test;

TEST(Flood, BeyondMaxClientsIsRefusedWithAReasonWhileTheRunningTestGoesOn) {
  ServerProcess server(kHostileServerOptions);
  const auto baseline = warm_baseline(server);
  CommandResult running;
  std::thread first([&] { running = run_copybench(normal_client(server.port, "3s")); });
  // The running test holds a control and a data connection, each with its thread.
  auto deadline = now_ns() + 10'000'000'000;
  while (usage_of(server.pid()).threads < baseline.threads + 2 && now_ns() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  auto busy = run_copybench(normal_client(server.port));
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_NE(busy.output.find("server busy"), std::string::npos) << busy.output;
  EXPECT_NE(busy.output.find("--max-clients 1"), std::string::npos) << busy.output;
  EXPECT_EQ(std::count(busy.output.begin(), busy.output.end(), '\n'), 1) << busy.output;

  TestParams p;
  auto control = header_bytes(header_for(p, ConnectionKind::control, 0, 0));
  for (int i = 0; i < 20; ++i) {
    auto reply = send_and_answer(server.port, control);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, FrameType::reject);
    EXPECT_NE(reply->payload.find("server busy"), std::string::npos) << reply->payload;
  }

  // Silent connections: those beyond the bound on headers owed are refused at once.
  ServerOptions options;
  options.max_clients = 1;
  const int limit = max_pending_headers(options), flood = limit + 20;
  std::vector<Fd> silent;
  for (int i = 0; i < flood; ++i) silent.push_back(raw_connect(server.port));
  int refused = 0;
  for (auto& fd : silent) {
    auto reply = answer(fd.get(), 100);
    if (reply && reply->payload.find("still sending their header") != std::string::npos) ++refused;
  }
  EXPECT_GE(refused, flood - limit);
  EXPECT_LE(usage_of(server.pid()).threads, baseline.threads + 2 + limit) << "one thread per owed header at most";

  first.join();
  EXPECT_EQ(running.exit_code, 0) << "the running test is not disturbed:\n" << running.output;
  silent.clear();
  expect_serves_and_holds(server, baseline);
  expect_clean_exit(server);
}

// zero-copy keeps a pool of 4 MiB of 4 KiB messages per connection; one-copy one message.
TEST(Flood, TestsBeyondMaxMemoryAreRefusedBeforeAnyBufferIsAllocated) {
  ServerProcess server({"--max-memory", "6M"});
  auto big = run_copybench(normal_client(server.port) + " --strategy zero-copy --threads 2");
  EXPECT_EQ(big.exit_code, 1) << big.output;
  EXPECT_NE(big.output.find("needs 8 MiB of message buffers on the server (2 connection(s) x 4 MiB)"),
            std::string::npos)
      << big.output;
  EXPECT_NE(big.output.find("--max-memory 6 MiB"), std::string::npos) << big.output;
  const auto baseline = warm_baseline(server);

  // While one test holds 4 MiB a second like it does not fit; once the first ends, it does.
  CommandResult running;
  std::thread first([&] { running = run_copybench(normal_client(server.port, "3s") + " --strategy zero-copy"); });
  auto deadline = now_ns() + 10'000'000'000;
  while (usage_of(server.pid()).threads < baseline.threads + 2 && now_ns() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto second = run_copybench(normal_client(server.port) + " --strategy zero-copy");
  first.join();
  EXPECT_EQ(running.exit_code, 0) << running.output;
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("of which running tests hold 4 MiB"), std::string::npos) << second.output;
  auto after = run_copybench(normal_client(server.port) + " --strategy zero-copy");
  EXPECT_EQ(after.exit_code, 0) << "the ended test's buffers count no more: " << after.output;
  EXPECT_EQ(run_copybench(normal_client(server.port) + " --threads 8").exit_code, 0);
  expect_clean_exit(server);
}
