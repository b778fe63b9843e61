// Two-host mode on one host: what a resident server promises its clients. --once, IPv6, and
// several tests at once, each client's connections tied together by its test id.
#include <gtest/gtest.h>
#include <future>
#include <thread>

#include <thread>

#include "e2e_util.h"
#include "raw_peer.h"

using namespace copybench;
using namespace copybench::test;

TEST(TwoHosts, OnceServesOneTestThenExits) {
  ServerProcess served({"--once"});
  send_and_answer(served.port, std::string(kHeaderBytes, 'G'));  // not a test: does not count
  auto r = run_copybench(normal_client(served.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(served.child->wait_for(5000), 0) << "a --once server exits after its test";

  // A stranger's refused test (threads = 0) while the --once server waits for its client, or
  // runs its test, does not end it: the real client's test still runs, then the server exits.
  ServerProcess refused({"--once"});
  TestParams p;
  auto header = header_for(p, ConnectionKind::control, 0, 0);
  header.threads = 0;
  auto reply = send_and_answer(refused.port, header_bytes(header));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, FrameType::reject);
  EXPECT_FALSE(refused.child->wait_for(300)) << "a refused stranger ended the --once server";
  auto during = std::async(std::launch::async, [&] { return run_copybench(normal_client(refused.port, "1s")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  reply = send_and_answer(refused.port, header_bytes(header));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, FrameType::reject);
  auto real = during.get();
  EXPECT_EQ(real.exit_code, 0) << "the real client's test was cut short by a stranger:\n" << real.output;
  EXPECT_EQ(refused.child->wait_for(5000), 0) << "a --once server exits after the test it ran";
}

TEST(TwoHosts, ServesOverIpv6) {
  try {
    listen_tcp("::1", 0);
  } catch (const Error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  ServerProcess server({"--bind", "::1"});
  auto r = run_copybench("client --host ::1 --port " + std::to_string(server.port) +
                         " --size 4K --warmup 0 --duration 200ms --json - --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = parse_json(r.output);
  EXPECT_EQ(j["server"], "[::1]:" + std::to_string(server.port));
  EXPECT_FALSE(j["sender"].is_null());
  expect_clean_exit(server);
}

TEST(TwoHosts, SeveralTestsAtOnceEachWithItsOwnId) {
  ServerProcess server({"--max-clients", "3"});
  const auto baseline = warm_baseline(server);
  std::vector<CommandResult> results(3);
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&, i] {
      results[i] = run_copybench(normal_client(server.port, "1s") + " --threads " + std::to_string(i + 1));
    });
  for (auto& t : clients) t.join();
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_serves_and_holds(server, baseline);
  expect_clean_exit(server);
}
