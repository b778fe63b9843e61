// Receive strategies on real sockets: each hands over every byte, in order, wherever it put
// them; scatter fills the fields of messages laid out as the sender's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/message.h"
#include "net/socket.h"
#include "params/params.h"
#include "strategies/recv/recv_strategy.h"

using namespace copybench;

namespace {

// The bytes of `messages` patterned messages of `size`, one after the other.
std::vector<std::byte> stream_of(size_t size, int messages) {
  std::vector<std::byte> out(size * messages);
  for (int m = 0; m < messages; ++m) fill_pattern({7, static_cast<uint64_t>(m)}, 0, out.data() + m * size, size);
  return out;
}

// Receives everything from `fd` with `r`, at most `max_read` per call, joining the chunks.
std::vector<std::byte> drain(RecvStrategy& r, int fd, size_t max_read) {
  std::vector<std::byte> got;
  for (;;) {
    ssize_t n = r.receive(fd, max_read);
    if (n < 0) ADD_FAILURE() << "receive: " << errno_text(errno) << " instead of EOF";
    if (n <= 0) break;
    size_t sum = 0;
    for (const auto& c : r.chunks()) {
      auto* p = static_cast<const std::byte*>(c.iov_base);
      got.insert(got.end(), p, p + c.iov_len);
      sum += c.iov_len;
    }
    EXPECT_EQ(sum, static_cast<size_t>(n)) << "the chunks hold exactly what receive() returned";
  }
  return got;
}

// A connected TCP pair over loopback: {sender, receiver}.
std::pair<Fd, Fd> tcp_pair() {
  auto listener = listen_tcp("127.0.0.1", 0);
  Fd sender = connect_tcp("127.0.0.1", listener.port, 2000);
  Fd receiver = accept_within(listener.fd.get(), 2000);
  EXPECT_TRUE(receiver);
  set_io_timeouts(receiver.get(), 10'000, 10'000);
  return {std::move(sender), std::move(receiver)};
}

// A connected stream pair: AF_UNIX, or TCP over loopback for uring. (A multishot receive
// re-armed on an AF_UNIX socket whose EOF is already queued was seen never to complete on 6.18;
// copybench receives from TCP only, where it completes: EofQueuedBehindTheDataEndsTheStream.)
std::pair<Fd, Fd> stream_pair(bool tcp) {
  if (tcp) return tcp_pair();
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  return {Fd(sv[0]), Fd(sv[1])};
}

}  // namespace

TEST(RecvRegistry, NamesAndDidYouMean) {
  EXPECT_EQ(recv_strategy_info("SCATTER").name, "scatter");
  EXPECT_EQ(recv_strategies().front().name, kDefaultRecvStrategy);
  try {
    recv_strategy_info("zerocopy-rcv");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'zerocopy-recv'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(recv_strategy_info("sendfile"), UsageError);
  try {
    recv_strategy_info("splise");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'splice'"), std::string::npos) << e.what();
  }
}

TEST(RecvStrategies, EveryByteArrivesInOrderOverASocketPair) {
  for (const char* name : {"recv", "scatter", "uring"}) {
    if (auto missing = recv_strategy_info(name).missing(); !missing.empty()) {
      std::printf("skipping %s: %s\n", name, missing.c_str());  // as UringReceive's tests skip
      continue;
    }
    for (size_t size : {size_t{1}, size_t{1001}, size_t{64 * 1024}}) {
      // --recv-size: the default rule's, one byte, a read ending inside a field, the message
      for (size_t read : {size_t(default_recv_bytes(size)), size_t{1}, size_t{333}, size}) {
        SCOPED_TRACE(fmt::format("{} size {} read {}", name, size, read));
        auto [a, b] = stream_pair(std::string_view(name) == "uring");
        auto bytes = stream_of(size, 5);
        std::thread writer([&] {
          send_all(a.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
          a.reset();
        });
        auto r = recv_strategy_info(name).make(stream_context(size, read, -1));
        auto got = drain(*r, b.get(), 3000);  // odd read sizes end inside fields
        writer.join();
        EXPECT_EQ(got, bytes);
        if (std::string_view(name) != "uring") {  // uring counts io_uring_enter, not reads (UringReceive below)
          EXPECT_GE(r->accounting().calls, (bytes.size() + read - 1) / read)
              << "no call asks for more than the read size";
        }
      }
    }
  }
}

TEST(RecvStrategies, ScatterPutsEachByteInItsField) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  Fd a(sv[0]), b(sv[1]);
  const size_t size = 1001;  // fields of 125 B, the last 126 B
  auto bytes = stream_of(size, 1);
  send_all(a.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
  auto r = make_scatter_recv(rr_context(size, -1));
  ASSERT_EQ(r->receive(b.get(), size), static_cast<ssize_t>(size));
  auto lengths = field_lengths(size);
  ASSERT_EQ(r->chunks().size(), static_cast<size_t>(kFieldCount)) << "one range per field";
  for (int i = 0; i < kFieldCount; ++i) EXPECT_EQ(r->chunks()[i].iov_len, lengths[i]);
}

TEST(RecvStrategies, ZeroCopyReceiveCountsEveryByteMappedOrCopiedOverLoopback) {
  auto listener = listen_tcp("127.0.0.1", 0);
  auto r = make_zerocopy_recv(stream_context(64 * 1024, 64 * 1024, 65536));
  Fd client = connect_tcp("127.0.0.1", listener.port, 2000, [&](int s) { r->before_connect(s); });
  Fd server = accept_within(listener.fd.get(), 2000);
  ASSERT_TRUE(server);
  r->prepare(client.get());
  auto bytes = stream_of(64 * 1024, 16);
  std::thread writer([&] {
    send_all(server.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
    ::shutdown(server.get(), SHUT_WR);
  });
  auto got = drain(*r, client.get(), SIZE_MAX);
  writer.join();
  EXPECT_EQ(got, bytes);
  const auto& a = r->accounting();
  EXPECT_TRUE(a.zerocopy);
  EXPECT_EQ(a.bytes_mapped + a.bytes_copied, bytes.size());
  EXPECT_NE(a.setup.find("TCP_MAXSEG"), std::string::npos) << a.setup;
}

namespace {

// Sends `bytes` from a thread, then half-closes; receives with r at most max_read per call
// until EOF. Returns the byte count receive() reported and how many calls returned bytes.
std::pair<size_t, size_t> count_through(RecvStrategy& r, const std::vector<std::byte>& bytes, size_t max_read) {
  auto [sender, receiver] = tcp_pair();
  std::thread writer([&, fd = sender.get()] {
    send_all(fd, bytes.data(), bytes.size(), INT64_MAX, "test");
    ::shutdown(fd, SHUT_WR);
  });
  size_t total = 0, reads = 0;
  for (;;) {
    ssize_t n = r.receive(receiver.get(), max_read);
    if (n <= 0) {
      EXPECT_EQ(n, 0) << errno_text(errno);
      break;
    }
    EXPECT_TRUE(r.chunks().empty()) << "no byte reaches user memory";
    EXPECT_LE(static_cast<size_t>(n), max_read);
    total += static_cast<size_t>(n);
    ++reads;
  }
  writer.join();
  return {total, reads};
}

}  // namespace

// Every registry row says truthfully whether its bytes reach user memory (what --verify needs).
TEST(RecvRegistry, VerifiableMatchesWhereTheBytesGo) {
  for (const auto& info : recv_strategies()) {
    if (!info.missing().empty()) continue;
    auto r = info.make(stream_context(4096, 4096, -1));
    EXPECT_EQ(r->bytes_in_user_memory(), info.verifiable) << info.name;
  }
  EXPECT_FALSE(recv_strategy_info("discard").verifiable);
  EXPECT_FALSE(recv_strategy_info("splice").verifiable);
  EXPECT_TRUE(recv_strategy_info("uring").verifiable);
}

TEST(RecvStrategies, DiscardCountsEveryByteAndDropsItInTheKernel) {
  ASSERT_EQ(discard_recv_unavailable(), "") << "recv(MSG_TRUNC) discards on TCP since Linux 2.4";
  auto bytes = stream_of(64 * 1024, 16);
  for (size_t read : {size_t{1000}, size_t{256 * 1024}}) {
    auto r = make_discard_recv(stream_context(64 * 1024, read, -1));
    auto [total, reads] = count_through(*r, bytes, SIZE_MAX);
    EXPECT_EQ(total, bytes.size()) << "read size " << read;
    EXPECT_EQ(r->accounting().calls, reads) << "one recv per read";
    EXPECT_GE(reads, bytes.size() / read);
    EXPECT_FALSE(r->accounting().uring);
  }
}

TEST(RecvStrategies, SpliceCountsEveryByteThroughAPipeIntoDevNull) {
  ASSERT_EQ(splice_recv_unavailable(), "");
  auto bytes = stream_of(64 * 1024, 16);
  for (size_t read : {size_t{1000}, size_t{256 * 1024}}) {
    auto r = make_splice_recv(stream_context(64 * 1024, read, -1));
    auto [total, reads] = count_through(*r, bytes, SIZE_MAX);
    EXPECT_EQ(total, bytes.size()) << "read size " << read;
    EXPECT_GE(r->accounting().calls, 2 * reads) << "socket -> pipe, then pipe -> /dev/null";
    EXPECT_GE(reads, bytes.size() / read);
  }
  // rr reads one response: never more than asked, even with more queued.
  auto r = make_splice_recv(rr_context(3001, -1));
  auto [total, reads] = count_through(*r, stream_of(3001, 4), 3001);
  EXPECT_EQ(total, 4u * 3001);
}

class UringReceive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = uring_recv_unavailable(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

// One multishot submission serves every completion while its buffers last (64 of 64 KiB here:
// 1 MiB never fills them), each byte in order, and the SQE and io_uring_enter are counted.
TEST_F(UringReceive, OneSubmissionManyCompletionsEveryByteInOrder) {
  auto [sender, receiver] = tcp_pair();
  auto bytes = stream_of(64 * 1024, 16);
  std::thread writer([&, fd = sender.get()] {
    for (size_t at = 0; at < bytes.size(); at += 16 * 1024) {
      send_all(fd, bytes.data() + at, 16 * 1024, INT64_MAX, "test");
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // many separate arrivals
    }
    ::shutdown(fd, SHUT_WR);
  });
  auto r = make_uring_recv(stream_context(64 * 1024, 64 * 1024, -1));
  std::vector<std::byte> got;
  size_t completions = 0;
  for (ssize_t n; (n = r->receive(receiver.get(), SIZE_MAX)) > 0; ++completions)
    for (const auto& c : r->chunks())
      got.insert(got.end(), static_cast<const std::byte*>(c.iov_base),
                 static_cast<const std::byte*>(c.iov_base) + c.iov_len);
  writer.join();
  EXPECT_EQ(got, bytes);
  const auto& a = r->accounting();
  EXPECT_TRUE(a.uring);
  EXPECT_EQ(a.submissions, 1u) << "multishot: one SQE for the whole stream";
  EXPECT_GT(completions, 4u);
  EXPECT_GE(a.calls, 1u);
  EXPECT_LE(a.calls, completions + 1) << "at most one io_uring_enter per completion";
}

// --recv-size 1K: 64 buffers of 1 KiB. 256 KiB queued before the first receive fill every one;
// the kernel ends the multishot with -ENOBUFS, and the receiver arms it again once its buffers
// are back: nothing is lost, and each re-arm is a submission.
TEST_F(UringReceive, ReArmsWhenEveryBufferIsFull) {
  auto [sender, receiver] = tcp_pair();
  auto bytes = stream_of(4096, 256);                                    // 1 MiB: more than 64 buffers of 1 KiB
  send_all(sender.get(), bytes.data(), 256 * 1024, INT64_MAX, "test");  // queued before the first receive
  std::thread writer([&, fd = sender.get()] {
    send_all(fd, bytes.data() + 256 * 1024, bytes.size() - 256 * 1024, INT64_MAX, "test");
    ::shutdown(fd, SHUT_WR);
  });
  auto r = make_uring_recv(stream_context(4096, 1024, -1));
  auto got = drain(*r, receiver.get(), SIZE_MAX);
  writer.join();
  EXPECT_EQ(got, bytes);
  EXPECT_GT(r->accounting().submissions, 1u) << "64 buffers of 1 KiB cannot hold 256 KiB: re-armed";
}

// A peer that sends nothing: io_uring does not honour SO_RCVTIMEO, so the strategy bounds the
// wait itself and says EAGAIN after 10 s (the receiver's "no data from the sender for 10 s").
TEST_F(UringReceive, ASilentPeerEndsInEagainAfterTenSeconds) {
  auto [sender, receiver] = tcp_pair();
  auto r = make_uring_recv(stream_context(4096, 4096, -1));
  auto start = std::chrono::steady_clock::now();
  errno = 0;
  EXPECT_EQ(r->receive(receiver.get(), SIZE_MAX), -1);
  EXPECT_EQ(errno, EAGAIN);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(9900));
  EXPECT_LT(waited, std::chrono::seconds(12));
}

// A peer that resets the connection mid-stream: the error comes back as errno, at once.
TEST_F(UringReceive, AResetIsAnErrorNotAHang) {
  auto [sender, receiver] = tcp_pair();
  auto r = make_uring_recv(stream_context(4096, 4096, -1));
  auto bytes = stream_of(4096, 1);
  send_all(sender.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
  EXPECT_EQ(r->receive(receiver.get(), SIZE_MAX), 4096);
  linger l{1, 0};
  ::setsockopt(sender.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  sender.reset();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(r->receive(receiver.get(), SIZE_MAX), -1);
  EXPECT_EQ(errno, ECONNRESET) << errno_text(errno);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// Everything, EOF included, is queued before the first receive, and 1 KiB buffers run out again
// and again: the last re-arm must still see the EOF (the end of every stream run whose
// receiver is behind when the sender closes).
TEST_F(UringReceive, EofQueuedBehindTheDataEndsTheStream) {
  auto [sender, receiver] = tcp_pair();
  auto bytes = stream_of(4096, 32);  // 128 KiB: two fills of 64 buffers of 1 KiB
  send_all(sender.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
  ::shutdown(sender.get(), SHUT_WR);
  auto r = make_uring_recv(stream_context(4096, 1024, -1));
  auto start = std::chrono::steady_clock::now();
  auto got = drain(*r, receiver.get(), SIZE_MAX);
  EXPECT_EQ(got, bytes);
  EXPECT_GT(r->accounting().submissions, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "no wait for an EOF already queued";
}
