// A hostile server against the real client binary: a fake server speaks the protocol (through
// encode_frame/decode_header, so it follows the protocol's version) up to STOP and then
// misbehaves (or, before that, takes its time to be READY). Each time the client must end
// within its bound with one error line, exit 1, and still write the JSON with what it measured.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "e2e_util.h"
#include "net/socket.h"
#include "raw_peer.h"
#include "results/server_report.h"
#include "wire/protocol.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr int64_t kMs = 1'000'000;

enum class AfterStop {
  result_then_stream,     // (a) sends RESULT, then keeps streaming on the data connections
  silence,                // (b) never answers STOP: ends its streams, sends nothing more
  stream_without_result,  // (c) keeps streaming and never sends RESULT
};

// A RESULT the client accepts: one stream figure per connection, numbered in order.
std::string result_payload(int threads) {
  ServerReport r;
  r.side.side = Side::sender;
  r.side.role = Role::sender;
  r.side.host = "fake";
  for (int i = 0; i < threads; ++i) {
    StreamFigures s;
    s.index = i;
    r.side.streams.push_back(s);
  }
  r.environment.hostname = "fake";
  return encode_server_report(r);
}

// One test, served by a thread of its own until the client leaves or the test ends.
class FakeServer {
 public:
  /// ready_after_ms: how long it takes, once the data connections are in, to send READY (as a
  /// server slow to open its meter would).
  explicit FakeServer(AfterStop after_stop, int ready_after_ms = 0)
      : listener_(listen_tcp("127.0.0.1", 0)),
        after_stop_(after_stop),
        ready_after_ms_(ready_after_ms),
        thread_([this] { serve(); }) {}
  ~FakeServer() {
    quit_.store(true);
    thread_.join();
  }
  uint16_t port() const { return listener_.port; }
  /// What went wrong on the server's side before STOP ("" when it got that far).
  const std::string& error() const { return error_; }
  /// Whether the client wrote on the control connection before READY went out.
  bool spoke_before_ready() const { return spoke_before_ready_.load(); }

 private:
  void serve() {
    try {
      Fd control = accept_with_header();
      Header test = header_;
      write_frame(control.get(), FrameType::accept, "1", now_ns() + 2000 * kMs);
      for (int i = 0; i < test.threads; ++i) {
        data_.push_back(accept_with_header());
        write_frame(data_.back().get(), FrameType::accept, "", now_ns() + 2000 * kMs);
      }
      const int64_t ready_at = now_ns() + ready_after_ms_ * kMs;
      while (now_ns() < ready_at && !spoke_before_ready_.load()) {
        spoke_before_ready_.store(readable_now(control.get()));
        ::usleep(1000);
      }
      write_frame(control.get(), FrameType::ready, "", now_ns() + 2000 * kMs);
      expect_frame(control.get(), FrameType::start);
      stream_until([&] { return readable_now(control.get()); });
      expect_frame(control.get(), FrameType::stop);
      misbehave(control.get(), test.threads);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void misbehave(int control, int threads) {
    auto client_left = [&] { return quit_.load() || peer_closed(control); };
    switch (after_stop_) {
      case AfterStop::result_then_stream:
        write_frame(control, FrameType::result, result_payload(threads), now_ns() + 2000 * kMs);
        stream_until(client_left);
        break;
      case AfterStop::silence:
        for (auto& fd : data_) ::shutdown(fd.get(), SHUT_WR);
        while (!client_left()) ::usleep(10'000);
        break;
      case AfterStop::stream_without_result: stream_until(client_left); break;
    }
  }

  Fd accept_with_header() { return test::accept_with_header(listener_.fd.get(), header_); }

  void expect_frame(int control, FrameType type) {
    auto frame = read_frame(control, now_ns() + 10'000 * kMs);
    if (!frame || frame->type != type) throw Error(std::string("expected ") + frame_type_name(type));
  }

  // Sends whatever each data connection takes (never blocking) until `stop` says so or every
  // connection has failed (the client shut it down).
  template <typename Stop>
  void stream_until(Stop stop) {
    std::vector<char> buf(64 * 1024, 'x');
    std::vector<bool> failed(data_.size(), false);
    while (!stop() && std::find(failed.begin(), failed.end(), false) != failed.end()) {
      for (size_t i = 0; i < data_.size(); ++i) {
        if (failed[i]) continue;
        ssize_t n = ::send(data_[i].get(), buf.data(), buf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN) failed[i] = true;
      }
      ::usleep(1000);
    }
  }

  Listener listener_;
  AfterStop after_stop_;
  int ready_after_ms_;
  std::atomic<bool> spoke_before_ready_{false};
  Header header_;
  std::vector<Fd> data_;
  std::atomic<bool> quit_{false};
  std::string error_;
  std::thread thread_;  // last: starts once everything it uses is there
};

struct Outcome {
  int exit_code = -1;
  double seconds = 0;
  std::string stderr_text;
  nlohmann::json json;
};

// The real client against the fake server: a short test with a 1.5 s RESULT wait after STOP
// (the hidden --result-timeout-ms; the default is 60 s + 1 s per connection).
Outcome run_client_against(FakeServer& server, TempDir& dir, int threads = 2) {
  const int64_t t0 = now_ns();
  auto r = run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port()) + " --size 4K --threads " +
                             std::to_string(threads) +
                             " --warmup 0 --duration 300ms --no-counters --result-timeout-ms 1500 --json " +
                             dir.file("r.json") + " 2>" + dir.file("err"),
                         30);
  Outcome out{r.exit_code, static_cast<double>(now_ns() - t0) / 1e9, read_text(dir.file("err")), {}};
  EXPECT_EQ(server.error(), "") << "the fake server did not get to STOP";
  EXPECT_NE(out.exit_code, 124) << "the client hung: timeout(1) ended it";
  try {
    out.json = read_json(dir.file("r.json"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "no JSON written: " << e.what();
  }
  return out;
}

void expect_one_error_line(const Outcome& out, const std::string& error) {
  EXPECT_EQ(out.exit_code, 1) << out.stderr_text;
  EXPECT_EQ(out.stderr_text, "copybench: error: " + error + "\n");
  ASSERT_TRUE(out.json.is_object());
  EXPECT_EQ(out.json["status"], "failed");
  EXPECT_EQ(out.json["error"], error);
  ASSERT_TRUE(out.json["receiver"].is_object()) << "the receiver's figures are kept";
  EXPECT_GT(out.json["receiver"]["bytes_total"].get<uint64_t>(), 0u);
}

}  // namespace

// Bound: 5 s after RESULT for the data connections to end, then they are shut down.
TEST(HostileServer, ResultThenStreamingEndsTheClientFiveSecondsAfterResult) {
  FakeServer server(AfterStop::result_then_stream);
  TempDir dir;
  auto out = run_client_against(server, dir);
  expect_one_error_line(out, "the server kept sending on its data connections 5 s after its figures (RESULT)");
  EXPECT_GE(out.seconds, 5.0);
  EXPECT_LT(out.seconds, 12.0) << "300 ms window + 5 s, and the start of two processes";
  EXPECT_TRUE(out.json["sender"].is_object()) << "the sender's figures arrived and are kept";
}

// Bound: the RESULT wait after STOP (here 1.5 s).
TEST(HostileServer, NoAnswerToStopEndsTheClientAtTheResultDeadline) {
  FakeServer server(AfterStop::silence);
  TempDir dir;
  auto out = run_client_against(server, dir);
  expect_one_error_line(out, "no figures (RESULT) from the server within 1.500 s of STOP");
  EXPECT_GE(out.seconds, 1.5);
  EXPECT_LT(out.seconds, 8.0);
  EXPECT_TRUE(out.json["sender"].is_null());
  EXPECT_EQ(out.json["sender_missing_reason"], "no figures (RESULT) from the server within 1.500 s of STOP");
}

TEST(HostileServer, StreamingWithoutResultEndsTheClientAtTheResultDeadline) {
  FakeServer server(AfterStop::stream_without_result);
  TempDir dir;
  auto out = run_client_against(server, dir);
  expect_one_error_line(out, "no figures (RESULT) from the server within 1.500 s of STOP");
  EXPECT_GE(out.seconds, 1.5);
  EXPECT_LT(out.seconds, 8.0);
}

// START only after READY: a server that takes 1.5 s to open its meter, far past the client's
// 300 ms window, still gets START after it is ready and times a window with the traffic in it.
TEST(HostileServer, TheClientSendsStartOnlyOnceTheServerIsReady) {
  FakeServer server(AfterStop::silence, 1500);
  TempDir dir;
  auto out = run_client_against(server, dir);
  EXPECT_FALSE(server.spoke_before_ready()) << "START went out before READY";
  EXPECT_GE(out.seconds, 1.5);
  expect_one_error_line(out, "no figures (RESULT) from the server within 1.500 s of STOP");
}
