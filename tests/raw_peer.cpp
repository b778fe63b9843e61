#include "raw_peer.h"

#include <cerrno>
#include <csignal>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "e2e_util.h"

namespace copybench::test {
namespace {

constexpr int64_t kMs = 1'000'000;

std::string handshake(int fd, const Header& header) {
  auto bytes = header_bytes(header);
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 2000 * kMs, "send header");
  auto reply = answer(fd);
  if (!reply) throw Error("no answer to the header");
  if (reply->type != FrameType::accept) throw Error(fmt::format("{}: {}", frame_type_name(reply->type), reply->payload));
  return reply->payload;
}

}  // namespace

std::optional<Frame> answer(int fd, int timeout_ms) {
  try {
    return read_frame(fd, now_ns() + timeout_ms * kMs);
  } catch (const Error&) {
    return std::nullopt;  // reset, timed out, or not a frame
  }
}

std::optional<Frame> send_and_answer(uint16_t port, const std::string& bytes, int timeout_ms) {
  auto fd = raw_connect(port);
  try {
    send_all(fd.get(), bytes.data(), bytes.size(), now_ns() + timeout_ms * kMs, "send");
  } catch (const Error&) {
    // The server may answer and close before taking everything.
  }
  return answer(fd.get(), timeout_ms);
}

std::string header_bytes(const Header& header) {
  auto bytes = encode_header(header);
  return std::string(bytes.begin(), bytes.end());
}

void close_with_rst(Fd& fd) {
  linger now{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &now, sizeof now);
  fd.reset();
}

std::string normal_client(uint16_t port, const std::string& duration) {
  return "client --host 127.0.0.1 --port " + std::to_string(port) + " --size 4K --warmup 0 --duration " + duration +
         " --verify";
}

ProcessUsage warm_baseline(const ServerProcess& server) {
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto last = usage_of(server.pid());
  for (int i = 0; i < 50; ++i) {  // settled: the same twice, 100 ms apart (5 s at most)
    ::usleep(100'000);
    auto now = usage_of(server.pid());
    if (now.fds == last.fds && now.threads == last.threads) break;
    last = now;
  }
  return last;
}

void expect_serves_and_holds(const ServerProcess& server, ProcessUsage baseline) {
  auto now = settle_to(server.pid(), baseline);
  EXPECT_EQ(now.threads, baseline.threads) << "threads leaked";
  EXPECT_EQ(now.fds, baseline.fds) << "fds leaked";
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 corrupt"), std::string::npos) << r.output;
  now = settle_to(server.pid(), baseline);
  EXPECT_EQ(now.threads, baseline.threads) << "threads left after a normal test";
  EXPECT_EQ(now.fds, baseline.fds) << "fds left after a normal test";
  EXPECT_TRUE(alive(server.pid()));
}

void expect_clean_exit(ServerProcess& server) {
  server.child->signal(SIGTERM);
  EXPECT_EQ(server.child->wait_for(10'000), 0) << "the server's exit after SIGTERM";
}

RawTest::RawTest(uint16_t port, const TestParams& params) : port_(port), params_(params) {
  const int64_t deadline = now_ns() + 3000 * kMs;
  for (;;) {
    control_ = raw_connect(port);
    try {
      id_ = std::stoull(handshake(control_.get(), header_for(params_, ConnectionKind::control, 0, 0)));
      return;
    } catch (const Error& e) {
      if (std::string_view(e.what()).find("server busy") == std::string_view::npos || now_ns() > deadline) throw;
    }
    ::usleep(20'000);
  }
}

void RawTest::connect_data(int index) {
  auto fd = raw_connect(port_);
  handshake(fd.get(), header_for(params_, ConnectionKind::data, id_, static_cast<uint16_t>(index)));
  data_.push_back(std::move(fd));
}

void RawTest::connect_all_data() {
  for (int i = 0; i < params_.threads; ++i) connect_data(i);
}

void RawTest::start() { write_frame(control_.get(), FrameType::start, "", now_ns() + 2000 * kMs); }

void RawTest::stop() { write_frame(control_.get(), FrameType::stop, "", now_ns() + 2000 * kMs); }

void RawTest::read_some(size_t bytes) {
  std::vector<char> buf(64 * 1024);
  for (auto& fd : data_) {
    size_t got = 0;
    int64_t deadline = now_ns() + 5000 * kMs;
    while (got < bytes && now_ns() < deadline) {
      ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (n == 0) break;
      if (n > 0) got += static_cast<size_t>(n);
      else if (errno == EAGAIN) ::usleep(1000);
      else break;
    }
  }
}

void RawTest::vanish() {
  for (auto& fd : data_) close_with_rst(fd);
  close_with_rst(control_);
}

}  // namespace copybench::test
