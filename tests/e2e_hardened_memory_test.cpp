// The server's memory under a peer that speaks the protocol correctly: buffers made only after
// a data connection is admitted, and buffers the kernel may still read (sendfile's and splice's
// reuse hazard, zero-copy pages still queued after the drain). Each test runs the real binary;
// docs/RELIABILITY.md names the fault or attack each proves.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr int64_t kMs = 1'000'000;

}  // namespace

// 40 data connections that all claim stream 0 of a zero-copy 16 MiB test. Before the fix
// each built its strategy and buffer pool before being turned away (1.4 GiB resident).
TEST(Hardened, DataConnectionsClaimTheirSlotBeforeAnyBufferIsMade) {
  ServerProcess server({"--max-memory", "256M", "--max-clients", "1"});
  const long before_kb = status_kb(server.pid(), "VmHWM");
  RawTest test(server.port, stream_params("zero-copy", 16u << 20, 2000));
  test.connect_data(0);
  // All 40 headers go out before any answer is read, as an attacker sends them: the server
  // handles them at once, each in its own thread.
  const auto p = stream_params("zero-copy", 16u << 20, 2000);
  std::vector<Fd> spray;
  for (int i = 0; i < 40; ++i) {
    spray.push_back(raw_connect(server.port));
    auto bytes = header_bytes(header_for(p, ConnectionKind::data, test.id(), 0));
    send_all(spray.back().get(), bytes.data(), bytes.size(), now_ns() + 2000 * kMs, "send header");
  }
  int refused = 0;
  for (auto& fd : spray) {
    auto reply = answer(fd.get(), 10'000);
    if (reply && reply->type == FrameType::reject) {
      ++refused;
      // Refused as a duplicate, or at once as one more header owed by the same address.
      EXPECT_TRUE(reply->payload.find("already connected") != std::string::npos ||
                  reply->payload.find("still sending their header") != std::string::npos)
          << reply->payload;
    }
  }
  EXPECT_EQ(refused, 40) << "a test has at most one connection per thread";
  const long hwm_kb = status_kb(server.pid(), "VmHWM");
  // The test's own pool (4 x 16 MiB) is within --max-memory; the constant is the binary, its
  // threads' stacks and allocator slack.
  constexpr long kSlackKb = 96 * 1024;
  EXPECT_LE(hwm_kb, before_kb + 256 * 1024 + kSlackKb) << "VmHWM " << hwm_kb << " kB, before the spray " << before_kb;
  test.vanish();
  expect_clean_exit(server);
}

// sendfile and splice hand the kernel references to the pool's pages and get no completion
// back, so a buffer rewritten while bytes from it are still queued changes them. A receiver
// that lets its (forced, 64 MiB) receive queue fill before reading holds more than the 16 MiB
// pool in flight: the pattern check must then find corrupt bytes, and never lose any (the byte
// count still matches message by message). uring-zc-fixed, which rewrites a buffer only after
// its notifications, is the control: not one corrupt byte under the same reader.
TEST(Hardened, SendfileAndSpliceReuseShowsAsCorruptBytesZeroCopyWithNotificationsDoesNot) {
  ServerProcess server({"--max-clients", "1"});
  for (const auto& [strategy, hazard] : {std::pair{"sendfile", true}, {"splice", true}, {"uring-zc-fixed", false}}) {
    SCOPED_TRACE(strategy);
    if (auto missing = strategy_info(strategy).missing(); !missing.empty()) {
      std::cout << "[ skipped  ] " << strategy << ": " << missing << "\n";
      continue;
    }
    auto p = stream_params(strategy, 64 * 1024, 2500, true);
    RawTest test(server.port, p);
    Fd data(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int rcvbuf = 64 << 20;  // beyond net.core.rmem_max: needs CAP_NET_ADMIN
    if (::setsockopt(data.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      GTEST_SKIP() << "SO_RCVBUFFORCE: " << std::strerror(errno) << " (needs root)";
    connect_to_loopback(data.get(), server.port);
    auto accepted = claim_stream(data.get(), p, test.id(), 0);
    ASSERT_TRUE(accepted);
    ASSERT_EQ(accepted->type, FrameType::accept) << accepted->payload;
    test.start();
    StreamChecker checker(p.message_bytes);
    ASSERT_TRUE(checker.read(data.get(), 1 << 20, 5000));          // the window opens as bytes are read
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the queue fills, the pool wraps
    checker.read(data.get(), SIZE_MAX, 1500);
    test.stop();
    while (checker.read(data.get(), SIZE_MAX, 10'000)) {
    }
    auto end = answer(test.control(), 10'000);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->type, FrameType::result) << end->payload;
    EXPECT_FALSE(checker.reset);
    EXPECT_GT(checker.checked_bytes, 32u << 20);
    EXPECT_EQ(checker.checked_bytes % p.message_bytes, 0u) << "whole messages, none lost or cut";
    if (hazard) {
      EXPECT_GT(checker.corrupt_bytes, 0u) << "of " << checker.checked_bytes << " bytes: no reuse hazard seen";
    } else {
      EXPECT_EQ(checker.corrupt_bytes, 0u) << "of " << checker.checked_bytes << " bytes";
    }
    std::cout << "[ finding  ] " << strategy << ": " << checker.corrupt_bytes << " of " << checker.checked_bytes
              << " bytes corrupt\n";
  }
  expect_clean_exit(server);
}

// A peer reads, sends STOP, stops reading for 15 s, then reads again. The server's final
// zero-copy drain times out meanwhile (10 s): the pages the peer has not taken are still
// queued for sending. Freeing the pool then would send freed (reused) memory; the server
// resets the connection and keeps the pool until the kernel lets go. Every byte read passes
// the pattern check, or the connection is reset. (Label slow: 16 s.)
TEST(Hardened, ZeroCopyBuffersAreNeverFreedWhileTheKernelMayStillSendThem) {
  // One malloc arena that never gives memory back: a freed pool is then reused in place by the
  // next test's pool, as happens in any long-lived server, instead of being unmapped by
  // glibc's trimming (which would hide the fault: pinned pages keep their old bytes).
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=4294967295", 1);
  ServerProcess server({"--max-clients", "2"});
  ::unsetenv("GLIBC_TUNABLES");
  auto p = stream_params("zero-copy", 4096, 60'000, true);
  RawTest test(server.port, p);
  // A small receive buffer, set before connecting so the window is small from the start: the
  // window, not the sender, then decides how much is in flight, and the rest waits in the
  // server's send queue, pinned.
  Fd data(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int rcvbuf = 64 * 1024;
  ASSERT_EQ(::setsockopt(data.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf), 0);
  connect_to_loopback(data.get(), server.port);
  auto accepted = claim_stream(data.get(), p, test.id(), 0);
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->type, FrameType::accept) << accepted->payload;
  test.start();
  StreamChecker checker(p.message_bytes);
  ASSERT_TRUE(checker.read(data.get(), 8u << 20, 10'000));
  // Reading slower than the server sends keeps its send queue full of pinned pages while each
  // of its sends still completes; after STOP its loop ends normally, with that queue full.
  checker.read_paced(data.get(), 128 * 1024, 20, 2000);
  test.stop();
  checker.read_paced(data.get(), 128 * 1024, 20, 60);  // its last send completes, then we stop reading
  auto end = answer(test.control(), 30'000);
  ASSERT_TRUE(end);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  // Another verified zero-copy test on the same server meanwhile: it allocates and fills a pool
  // where a freed one would have been.
  auto other = run_copybench(normal_client(server.port, "1s") + " --strategy zero-copy");
  EXPECT_EQ(other.exit_code, 0) << other.output;
  std::this_thread::sleep_for(std::chrono::milliseconds(15'000 - 1000));
  while (checker.read(data.get(), SIZE_MAX, 10'000) && checker.checked_bytes < (1ull << 34)) {
  }
  EXPECT_EQ(checker.corrupt_bytes, 0u) << "of " << checker.checked_bytes << " bytes checked; reset " << checker.reset;
  test.vanish();
  expect_clean_exit(server);
}
