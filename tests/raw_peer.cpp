#include "raw_peer.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "e2e_util.h"

namespace copybench::test {
namespace {

constexpr int64_t kMs = 1'000'000;

std::string handshake(int fd, const Header& header) {
  auto bytes = header_bytes(header);
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 2000 * kMs, "send header");
  auto reply = answer(fd);
  if (!reply) throw Error("no answer to the header");
  if (reply->type != FrameType::accept)
    throw Error(fmt::format("{}: {}", frame_type_name(reply->type), reply->payload));
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

Fd accept_with_header(int listen_fd, Header& header) {
  Fd fd = accept_within(listen_fd, 10'000);
  if (!fd) throw Error("no connection within 10 s");
  uint8_t bytes[kHeaderBytes];
  if (!recv_exact(fd.get(), bytes, sizeof bytes, now_ns() + 2000 * kMs, "read header")) throw Error("no header");
  header = decode_header(bytes, sizeof bytes);
  return fd;
}

bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void close_with_rst(Fd& fd) {
  linger now{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &now, sizeof now);
  fd.reset();
}

void connect_to_loopback(int fd, uint16_t port) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
}

Fd connect_from(uint16_t port, const char* from) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in src{}, dst{};
  src.sin_family = dst.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &src.sin_addr);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  dst.sin_port = htons(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0)
    throw std::runtime_error(std::string("connect from ") + from + ": " + std::strerror(errno));
  return fd;
}

std::optional<Frame> claim_stream(int fd, const TestParams& p, uint64_t test_id, int index) {
  auto bytes = header_bytes(header_for(p, ConnectionKind::data, test_id, static_cast<uint16_t>(index)));
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 2000 * kMs, "send header");
  return answer(fd, 5000);
}

void go_silent(int fd) {
  sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog prog{1, drop_all};
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), 0) << std::strerror(errno);
}

TestParams stream_params(const std::string& strategy, uint64_t size, int64_t duration_ms, bool verify) {
  TestParams p;
  p.strategy = strategy;
  p.message_bytes = size;
  p.threads = 1;
  p.warmup_ns = 0;
  p.duration_ns = duration_ms * kMs;
  p.verify = verify;
  return p;
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

void RawTest::await_ready() {
  auto frame = answer(control_.get(), 10'000);
  if (!frame) throw Error("no READY from the server within 10 s");
  if (frame->type != FrameType::ready)
    throw Error(fmt::format("{} instead of READY: {}", frame_type_name(frame->type), frame->payload));
  ready_ = true;
}

void RawTest::start() {
  if (!ready_) await_ready();
  write_frame(control_.get(), FrameType::start, "", now_ns() + 2000 * kMs);
}

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

bool StreamChecker::read(int fd, size_t bytes, int deadline_ms) {
  std::vector<std::byte> buf(64 * 1024);
  const int64_t deadline = now_ns() + deadline_ms * kMs;
  size_t got = 0;
  while (got < bytes && now_ns() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      reset = errno == ECONNRESET;
      return false;
    }
    check(buf.data(), static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  return true;
}

void StreamChecker::read_paced(int fd, size_t chunk, int interval_ms, int duration_ms) {
  const int64_t end = now_ns() + duration_ms * kMs;
  while (now_ns() < end && read(fd, chunk, interval_ms))
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
}

void StreamChecker::check(const std::byte* p, size_t n) {
  while (n > 0) {
    const size_t len = std::min(n, size_ - offset_);
    for (size_t i = 0; i < len; i += 64) {  // in runs of 64, to count corrupt bytes roughly
      const size_t run = std::min<size_t>(64, len - i);
      if (!check_pattern({0, sequence_}, offset_ + i, p + i, run)) corrupt_bytes += run;
    }
    checked_bytes += len;
    p += len, n -= len, offset_ += len;
    if (offset_ == size_) offset_ = 0, ++sequence_;
  }
}

}  // namespace copybench::test
