// Receive strategies on real sockets: each hands over every byte, in order, wherever it put
// them; scatter fills the fields of messages laid out as the sender's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/message.h"
#include "net/socket.h"
#include "spec/params.h"
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
  EXPECT_THROW(recv_strategy_info("splice"), UsageError);
}

TEST(RecvStrategies, EveryByteArrivesInOrderOverASocketPair) {
  for (const char* name : {"recv", "scatter"}) {
    for (size_t size : {size_t{1}, size_t{1001}, size_t{64 * 1024}}) {
      // --recv-size: the default rule's, one byte, a read ending inside a field, the message
      for (size_t read : {size_t(default_recv_bytes(size)), size_t{1}, size_t{333}, size}) {
      SCOPED_TRACE(fmt::format("{} size {} read {}", name, size, read));
      int sv[2];
      ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
      Fd a(sv[0]), b(sv[1]);
      auto bytes = stream_of(size, 5);
      std::thread writer([&] {
        send_all(a.get(), bytes.data(), bytes.size(), INT64_MAX, "test");
        a.reset();
      });
      auto r = recv_strategy_info(name).make(stream_context(size, read, -1));
      auto got = drain(*r, b.get(), 3000);  // odd read sizes end inside fields
      writer.join();
      EXPECT_EQ(got, bytes);
      EXPECT_GE(r->accounting().calls, (bytes.size() + read - 1) / read) << "no call asks for more than the read size";
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
