// A resident server facing hostile input keeps serving real tests.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "wire/protocol.h"

using namespace copybench;
using namespace copybench::test;

namespace {

std::string client_args(uint16_t port, const std::string& rest = "", const std::string& duration = "200ms") {
  return "client --host 127.0.0.1 --port " + std::to_string(port) + " --size 4K --warmup 0 --duration " + duration +
         " " + rest;
}

// Reads the server's answer to a header: (type, payload), or nullopt if it just closed.
std::optional<Frame> answer(int fd) { return read_frame(fd, now_ns() + 5'000'000'000); }

}  // namespace

TEST(Server, SurvivesGarbageAndStillServesATest) {
  ServerProcess server;
  {
    auto fd = raw_connect(server.port);
    std::string garbage(kHeaderBytes, 'G');
    send_all(fd.get(), garbage.data(), garbage.size(), now_ns() + 1'000'000'000, "send garbage");
    auto reply = answer(fd.get());
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, FrameType::reject);
    EXPECT_NE(reply->payload.find("magic"), std::string::npos) << reply->payload;
  }
  {
    auto fd = raw_connect(server.port);  // a truncated header, then gone
    send_all(fd.get(), "CPYB", 4, now_ns() + 1'000'000'000, "send partial header");
  }
  auto r = run_copybench(client_args(server.port, "--verify"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 corrupt"), std::string::npos) << r.output;
}

TEST(Server, RefusesOutOfRangeRequestsWithAReason) {
  ServerProcess server;
  TestParams p;
  auto header = header_for(p, ConnectionKind::control, 0, 0);
  header.message_bytes = 32u << 20;
  auto fd = raw_connect(server.port);
  auto bytes = encode_header(header);
  send_all(fd.get(), bytes.data(), bytes.size(), now_ns() + 1'000'000'000, "send header");
  auto reply = answer(fd.get());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, FrameType::reject);
  EXPECT_NE(reply->payload.find("out of range"), std::string::npos) << reply->payload;

  header = header_for(p, ConnectionKind::data, 12345, 0);  // joins a test that does not exist
  auto fd2 = raw_connect(server.port);
  bytes = encode_header(header);
  send_all(fd2.get(), bytes.data(), bytes.size(), now_ns() + 1'000'000'000, "send header");
  reply = answer(fd2.get());
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->payload.find("unknown test id"), std::string::npos) << reply->payload;

  EXPECT_EQ(run_copybench(client_args(server.port)).exit_code, 0);
}

TEST(Server, ServesSeveralTestsInARow) {
  ServerProcess server;
  for (const char* s : {"a1", "a2", "a3"}) {
    auto r = run_copybench(client_args(server.port, std::string("-P 2 -s ") + s));
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

TEST(Client, ReportsAServerKilledMidRunAndWritesWhatItMeasured) {
  ServerProcess server;
  TempDir dir;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    server.child->signal(SIGKILL);
  });
  auto start = now_ns();
  auto r = run_copybench(client_args(server.port, "--json " + dir.file("r.json"), "5s"));
  killer.join();
  EXPECT_LT(now_ns() - start, 30'000'000'000) << "the client must give up in bounded time";
  EXPECT_NE(r.exit_code, 0) << r.output;
  auto j = read_json(dir.file("r.json"));
  EXPECT_EQ(j["status"], "failed");
  EXPECT_TRUE(j["sender"].is_null());
  EXPECT_FALSE(j["sender_missing_reason"].get<std::string>().empty());
  ASSERT_FALSE(j["receiver"].is_null()) << "what the receiver measured is still written";
  EXPECT_GT(j["receiver"]["bytes_total"].get<uint64_t>(), 0u);
}
