// The hostile-input battery against the real server binary: each attack on its own, then all of
// them against one server. After each, the server must complete a normal test and hold no more
// fds or threads than before. A short header deadline and I/O timeout (hidden options) keep
// the tests quick; the defaults are 5 s and 10 s.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <random>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "results/server_report.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

void expect_reject(const std::optional<Frame>& reply, const std::string& needle, const std::string& what) {
  ASSERT_TRUE(reply) << what << ": no answer";
  EXPECT_EQ(reply->type, FrameType::reject) << what << ": " << reply->payload;
  EXPECT_NE(reply->payload.find(needle), std::string::npos) << what << ": " << reply->payload;
}

// A 200 ms stream test of 64 KiB messages on one connection.
TestParams small_test(const std::string& strategy = "one-copy") { return stream_params(strategy, 64 * 1024, 200); }

void attack_with_garbage(uint16_t port) {
  expect_reject(send_and_answer(port, std::string(kHeaderBytes, 'G')), "magic", "a header of garbage");
  std::string noise(1 << 20, '\0');  // refused after its first 6 (the magic); the rest is never read
  std::mt19937 rng(7);
  for (auto& c : noise) c = static_cast<char>(rng());
  send_and_answer(port, noise);  // an answer or a reset: either is fine, the server lives on
  auto header = header_bytes(header_for(small_test(), ConnectionKind::control, 0, 0));
  for (int version : {kProtocolVersion - 1, kProtocolVersion + 1, 0xffff}) {
    auto bytes = header;
    bytes[4] = static_cast<char>(version >> 8);
    bytes[5] = static_cast<char>(version);
    expect_reject(send_and_answer(port, bytes), fmt::format("protocol version {} is not supported", version),
                  "version");
  }
  auto wrong_kind = header;
  wrong_kind[6] = 9;
  expect_reject(send_and_answer(port, wrong_kind), "unknown connection kind 9", "kind");

  auto fd = raw_connect(port);  // a truncated header, then the end of what this peer sends
  send_all(fd.get(), header.data(), 10, now_ns() + 1'000'000'000, "send");
  ::shutdown(fd.get(), SHUT_WR);
  expect_reject(answer(fd.get()), fmt::format("closed after 10 of {} bytes", kHeaderBytes), "truncated header");
  raw_connect(port);  // connects and leaves at once
}

void attack_with_stalled_headers(uint16_t port) {
  auto header = header_bytes(header_for(small_test(), ConnectionKind::control, 0, 0));
  auto stalled = raw_connect(port);
  send_all(stalled.get(), header.data(), 10, now_ns() + 1'000'000'000, "send");
  expect_reject(answer(stalled.get(), 5000), "read header: timed out", "a header that stalls");

  // Slowloris: a byte every 100 ms. The deadline is for the whole header, not per byte.
  auto dribble = raw_connect(port);
  for (size_t i = 0; i < header.size() && !peer_closed(dribble.get()); ++i) {
    pollfd p{dribble.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) break;  // the answer is there
    if (::send(dribble.get(), &header[i], 1, MSG_NOSIGNAL) != 1) break;
  }
  expect_reject(answer(dribble.get()), "read header: timed out", "a header sent a byte at a time");
}

void attack_with_absurd_parameters(uint16_t port) {
  struct Case {
    const char* what;
    void (*edit)(Header&);
    const char* needle;
  };
  const Case cases[] = {
      {"size 0", [](Header& h) { h.message_bytes = 0; }, "message size"},
      {"size 4 GiB", [](Header& h) { h.message_bytes = 0xffffffff; }, "message size"},
      {"0 threads", [](Header& h) { h.threads = 0; }, "thread count 0 is out of range"},
      {"65535 threads", [](Header& h) { h.threads = 0xffff; }, "thread count 65535 is out of range"},
      {"duration 0", [](Header& h) { h.duration_ms = 0; }, "duration"},
      {"duration 49 days", [](Header& h) { h.duration_ms = 0xffffffff; }, "duration"},
      {"warm-up 49 days", [](Header& h) { h.warmup_ms = 0xffffffff; }, "warm-up"},
      {"strategy 0", [](Header& h) { h.strategy_id = 0; }, "unknown strategy id 0"},
      {"strategy 255", [](Header& h) { h.strategy_id = 255; }, "unknown strategy id 255"},
      {"mode 9", [](Header& h) { h.mode = 9; }, "unknown test mode 9"},
      {"response 4 GiB", [](Header& h) { h.mode = 2, h.response_bytes = 0xffffffff; }, "response size"},
      {"response in stream mode", [](Header& h) { h.response_bytes = 100; }, "needs --mode rr"},
  };
  for (const auto& c : cases) {
    auto header = header_for(small_test(), ConnectionKind::control, 0, 0);
    c.edit(header);
    expect_reject(send_and_answer(port, header_bytes(header)), c.needle, c.what);
  }
  // Data connections that do not fit the test they name.
  RawTest test(port, small_test());
  auto data = [&](void (*edit)(Header&)) {
    auto header = header_for(small_test(), ConnectionKind::data, test.id(), 0);
    edit(header);
    return send_and_answer(port, header_bytes(header));
  };
  expect_reject(data([](Header& h) { h.test_id ^= 1; }), "unknown test id", "another test id");
  expect_reject(data([](Header& h) { h.stream_index = 7; }), "stream 7 is out of range", "index beyond the test");
  expect_reject(data([](Header& h) { h.message_bytes = 4096; }), "differ from its test's", "another size");
  test.connect_data(0);
  expect_reject(data([](Header&) {}), "stream 0 is already connected", "the same index twice");
}

// Frames the control conversation does not expect: the server ends that test with ABORT.
void attack_with_bad_frames(uint16_t port) {
  const std::pair<std::string, const char*> cases[] = {
      {encode_frame(FrameType::start, "").substr(0, 4) + std::string("\xff\xff\xff\xff", 4), "too large"},
      {std::string("\0\0\0\x63\0\0\0\0", 8), "unknown frame type 99"},
      {encode_frame(FrameType::stop, ""), "expected START"},
      {encode_frame(FrameType::start, "") + encode_frame(FrameType::accept, "x"), "unexpected ACCEPT frame"},
  };
  for (const auto& [bytes, needle] : cases) {
    RawTest test(port, small_test());
    test.connect_all_data();
    test.await_ready();
    send_all(test.control(), bytes.data(), bytes.size(), now_ns() + 1'000'000'000, "send frame");
    auto reply = answer(test.control());
    ASSERT_TRUE(reply) << needle;
    EXPECT_EQ(reply->type, FrameType::abort) << reply->payload;
    EXPECT_NE(reply->payload.find(needle), std::string::npos) << reply->payload;
  }
  // A client that leaves after ACCEPT, before its data connections, frees its place then, not
  // when the 10 s for data connections have passed (--max-clients 1: busy until then).
  // RawTest waits up to 3 s for a busy server.
  { RawTest leaves(port, small_test()); }
  EXPECT_NO_THROW(RawTest next(port, small_test())) << "the place of a test whose client left is still taken";
}

// Senders blocked by a receiver that reads nothing time out; zero-copy still gets every
// completion back before its buffers are freed (balanced), because the failed connection is
// reset first and the kernel lets go of the queued pages.
void attack_by_never_reading(uint16_t port, const std::string& strategy) {
  auto params = small_test(strategy);
  params.message_bytes = 1 << 20;
  RawTest test(port, params);
  test.connect_all_data();
  test.start();
  // The sender's blocked send times out and it resets the connection: STOP only then, or the
  // sender could end cleanly at STOP whenever a whole message happened to fit the buffers.
  auto deadline = now_ns() + 20'000'000'000;
  while (!peer_closed(test.data()[0].get()) && now_ns() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(peer_closed(test.data()[0].get())) << "the server's send never timed out";
  test.stop();
  auto reply = answer(test.control(), 20'000);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->type, FrameType::result) << reply->payload;
  auto report = decode_server_report(reply->payload, 1);
  ASSERT_TRUE(report.side.streams[0].error);
  EXPECT_NE(report.side.streams[0].error->find("timed out: the receiver stopped reading"), std::string::npos)
      << *report.side.streams[0].error;
  if (strategy == "zero-copy" || strategy == "uring-zc-fixed") {
    ASSERT_TRUE(report.zerocopy);
    EXPECT_GT(report.zerocopy->sends, 0u);
    EXPECT_EQ(report.zerocopy->completed, report.zerocopy->sends);
    EXPECT_TRUE(report.zerocopy->balanced) << "a buffer was freed with its completion outstanding";
  }
}

void attack_by_vanishing(uint16_t port) {
  auto params = small_test("zero-copy");
  params.threads = 2;
  params.duration_ns = 5'000'000'000;
  RawTest test(port, params);
  test.connect_all_data();
  test.start();
  test.read_some(1 << 20);
  test.vanish();  // RST on every connection, mid-run
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { baseline_ = warm_baseline(server_); }
  void TearDown() override { expect_clean_exit(server_); }
  void expect_still_serves() { expect_serves_and_holds(server_, baseline_); }

  ServerProcess server_{kHostileServerOptions};
  ProcessUsage baseline_;
};

}  // namespace

TEST_F(Hostile, GarbageWrongMagicOrVersionAndTruncatedHeaders) {
  attack_with_garbage(server_.port);
  expect_still_serves();
}

TEST_F(Hostile, StalledHeadersAreDroppedAtTheirDeadline) {
  attack_with_stalled_headers(server_.port);
  expect_still_serves();
}

TEST_F(Hostile, AbsurdSizesDurationsAndThreadCountsAreRefusedWithAReason) {
  attack_with_absurd_parameters(server_.port);
  expect_still_serves();
}

TEST_F(Hostile, UnexpectedControlFramesEndOnlyThatTest) {
  attack_with_bad_frames(server_.port);
  expect_still_serves();
}

TEST_F(Hostile, SendsToAClientThatNeverReadsTimeOut) {
  attack_by_never_reading(server_.port, "one-copy");
  expect_still_serves();
}

TEST_F(Hostile, ZeroCopyToAReceiverThatStopsReadingDrainsEveryCompletion) {
  attack_by_never_reading(server_.port, "zero-copy");
  expect_still_serves();
}

// Registered buffers: the timed-out chain is cancelled and every notification still comes back
// before the pool is unmapped and the buffers unregistered.
TEST_F(Hostile, UringZcFixedToAReceiverThatStopsReadingDrainsEveryNotification) {
  if (auto missing = strategy_info("uring-zc-fixed").missing(); !missing.empty()) GTEST_SKIP() << missing;
  attack_by_never_reading(server_.port, "uring-zc-fixed");
  expect_still_serves();
}

TEST_F(Hostile, AClientThatVanishesMidRunFreesItsTest) {
  attack_by_vanishing(server_.port);
  expect_still_serves();
}

TEST_F(Hostile, WholeBatteryThenANormalTest) {
  attack_with_garbage(server_.port);
  attack_with_stalled_headers(server_.port);
  attack_with_absurd_parameters(server_.port);
  attack_with_bad_frames(server_.port);
  attack_by_never_reading(server_.port, "zero-copy");
  attack_by_vanishing(server_.port);
  expect_still_serves();
}
