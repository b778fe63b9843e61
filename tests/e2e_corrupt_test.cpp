// --verify shown to catch what it exists to catch: a corrupting peer (corrupting_peer.h) sends
// a stream with one fault in it (a wrong byte, another message's bytes, a short message, two
// messages swapped) to each receive strategy that verifies, on the client (the fake plays the
// server) and on the server in --reverse (the fake plays the client). Each fault must be
// counted as corrupt or missing, named in the table, and end the run as METHODOLOGY.md section
// 15 says: corrupt messages leave the run ok (exit 0) with the count; an incomplete message at
// the end fails it (exit 1).
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "corrupting_peer.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "results/server_report.h"
#include "strategies/recv/recv_strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr uint64_t kAt = 50;  // the message the fault is in
constexpr uint64_t kBytes = 16 * 1024;

std::vector<std::string> verifying_receivers() {
  std::vector<std::string> out;
  for (const auto& r : recv_strategies())
    if (r.verifiable) out.push_back(r.name);
  return out;
}

const Fault kFaults[] = {Fault::wrong_byte, Fault::wrong_sequence, Fault::short_message, Fault::reordered};

// The corrupt messages a fault makes of a stream whose receiver completed `received` messages:
// one for a wrong message, two for a swapped pair, and for a short one every message from it on
// (each later one misaligned).
uint64_t expected_corrupt(Fault fault, uint64_t received) {
  switch (fault) {
    case Fault::wrong_byte:
    case Fault::wrong_sequence: return 1;
    case Fault::reordered: return 2;
    case Fault::short_message: return received - kAt;
  }
  return 0;
}

std::string test_name(const ::testing::TestParamInfo<std::tuple<std::string, Fault>>& info) {
  static const char* names[] = {"WrongByte", "WrongSequence", "ShortMessage", "Reordered"};
  auto name = std::get<0>(info.param) + "_" + names[static_cast<int>(std::get<1>(info.param))];
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}

// STOP, the end of the one data connection's stream, then the server's RESULT for its side
// (`side`); throws Error when none comes within 10 s.
ServerReport stop_and_read_report(RawTest& test, Side side) {
  test.stop();
  ::shutdown(test.data()[0].get(), SHUT_WR);
  std::optional<Frame> frame;
  while ((frame = answer(test.control(), 10'000)) && frame->type != FrameType::result) {
  }
  if (!frame) throw Error("no RESULT from the server within 10 s");
  return decode_server_report(frame->payload, 1, side);
}

class ClientVerify : public ::testing::TestWithParam<std::tuple<std::string, Fault>> {
 protected:
  void SetUp() override {
    if (auto missing = recv_strategy_info(std::get<0>(GetParam())).missing(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

class ServerVerify : public ClientVerify {};

}  // namespace

// The client receives (forward): the fake server's faults reach the client's receiver.
TEST_P(ClientVerify, TheClientsReceiverCountsTheFault) {
  const auto& [receive, fault] = GetParam();
  CorruptingServer server(fault, kAt);
  TempDir dir;
  auto r = run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port()) + " --size " +
                             std::to_string(kBytes) + " --recv " + receive +
                             " --warmup 0 --duration 300ms --no-counters --verify --json " + dir.file("r.json"),
                         30);
  EXPECT_EQ(server.error(), "") << r.output;
  auto j = read_json(dir.file("r.json"));
  const auto& verify = j["verify"];
  const uint64_t received = j["receiver"]["messages_total"].get<uint64_t>();
  EXPECT_EQ(received, fault == Fault::short_message ? server.sent().messages - 1 : server.sent().messages);
  EXPECT_EQ(verify["messages_checked"], received);
  EXPECT_EQ(verify["corrupt_messages"], expected_corrupt(fault, received)) << fault_name(fault) << "\n" << r.output;
  const std::string corrupt_line = std::to_string(expected_corrupt(fault, received)) + " corrupt";
  EXPECT_NE(r.output.find(corrupt_line), std::string::npos) << "the table names the count: " << r.output;
  if (fault == Fault::short_message) {
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(j["status"], "failed");
    EXPECT_EQ(verify["missing_messages"], 1) << "the short message did not arrive whole";
    EXPECT_NE(j["error"].get<std::string>().find("bytes of an incomplete message arrived at the end"),
              std::string::npos)
        << j["error"];
  } else {
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(j["status"], "ok") << j["error"];
    EXPECT_EQ(verify["missing_messages"], 0);
    EXPECT_EQ(verify["bytes_match"], true);
    EXPECT_NE(r.output.find("corrupt messages: bytes off the pattern"), std::string::npos) << r.output;
  }
}

// The server receives (--reverse): the fake client's faults reach the server's receiver, which
// reports them in its RESULT.
TEST_P(ServerVerify, TheServersReceiverCountsTheFault) {
  const auto& [receive, fault] = GetParam();
  ServerProcess server;
  auto p = stream_params("one-copy", kBytes, 300, true);
  p.direction = Direction::reverse;
  p.recv_strategy = receive;
  RawTest test(server.port, p);
  test.connect_all_data();
  test.start();
  const int64_t end = now_ns() + 300'000'000;
  const auto sent = send_faulty_stream(test.data()[0].get(), 0, kBytes, fault, kAt, [&] { return now_ns() > end; });
  const auto report = stop_and_read_report(test, Side::receiver);
  const uint64_t received = report.side.streams.at(0).messages_total;
  EXPECT_EQ(received, fault == Fault::short_message ? sent.messages - 1 : sent.messages);
  EXPECT_EQ(report.side.streams.at(0).bytes_total, sent.bytes);
  EXPECT_EQ(report.messages_checked, received);
  EXPECT_EQ(report.corrupt_messages, expected_corrupt(fault, received)) << fault_name(fault);
  EXPECT_EQ(report.trailing_bytes, fault == Fault::short_message ? kBytes - kShortBy : 0u);
}

INSTANTIATE_TEST_SUITE_P(EveryVerifyingReceiver, ClientVerify,
                         ::testing::Combine(::testing::ValuesIn(verifying_receivers()), ::testing::ValuesIn(kFaults)),
                         test_name);
INSTANTIATE_TEST_SUITE_P(EveryVerifyingReceiver, ServerVerify,
                         ::testing::Combine(::testing::ValuesIn(verifying_receivers()), ::testing::ValuesIn(kFaults)),
                         test_name);

// rr: the server's responder checks each request whole (session/roles/whole_message.h) with the
// transaction's pattern: one wrong byte in one request of 200 is one corrupt message.
TEST(ServerVerify, TheRespondersCheckCountsAWrongRequest) {
  ServerProcess server;
  auto p = stream_params("one-copy", 1024, 300, true);
  p.mode = TestMode::rr;
  RawTest test(server.port, p);
  test.connect_all_data();
  test.start();
  const int fd = test.data()[0].get();
  std::vector<std::byte> request(1024), response(p.response_size());
  constexpr uint64_t kTransactions = 200;
  for (uint64_t n = 0; n < kTransactions; ++n) {
    fill_pattern({0, n}, 0, request.data(), request.size());
    if (n == kAt) request[7] ^= std::byte{1};
    send_all(fd, request.data(), request.size(), now_ns() + 5'000'000'000, "send a request");
    ASSERT_TRUE(recv_exact(fd, response.data(), response.size(), now_ns() + 5'000'000'000, "read a response"));
    EXPECT_TRUE(check_pattern({0, n}, 0, response.data(), response.size())) << "response " << n;
  }
  const auto report = stop_and_read_report(test, Side::sender);
  EXPECT_EQ(report.messages_checked, kTransactions) << "every request checked";
  EXPECT_EQ(report.corrupt_messages, 1u);
}
