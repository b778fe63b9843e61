// The holes a peer that speaks the protocol correctly can open in a resident server, and the
// server's own robustness: a hard end for every test, data connections from another address, per-source caps,
// --max-duration, signals, logging to a closed stderr, accept() failing, version skew, --profile and a host without
// IPv6. Each test runs the real binary; docs/RELIABILITY.md names the fault or attack each proves. The server's memory
// (what it allocates, and buffers the kernel may still read): e2e_hardened_memory_test.cpp; the shared secret:
// e2e_secret_test.cpp.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "session/server.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr int64_t kMs = 1'000'000;

}  // namespace

// Test ids come from getrandom, and a data connection must come from its control connection's
// address.
TEST(Hardened, ADataConnectionFromAnotherAddressIsRefused) {
  ServerProcess server(kHostileServerOptions);
  auto p = stream_params("one-copy", 4096, 500);
  RawTest test(server.port, p);
  auto stranger = connect_from(server.port, "127.0.0.2");
  auto reply = claim_stream(stranger.get(), p, test.id(), 0);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, FrameType::reject);
  EXPECT_NE(reply->payload.find("127.0.0.2"), std::string::npos) << reply->payload;
  EXPECT_NE(reply->payload.find("control connection came from 127.0.0.1"), std::string::npos) << reply->payload;
  test.connect_data(0);  // the slot is still free for the real one
  test.start();
  test.read_some(64 * 1024);
  test.stop();
  auto result = answer(test.control(), 5000);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->type, FrameType::result) << result->payload;
}

// A peer that reads 4 KB now and then after STOP keeps the server's sender blocked in
// send() forever, never timing out. At the test's end its sockets are shut down, so the thread
// returns, and only then is the place free.
TEST(Hardened, ASlowReaderCannotHoldATestPastItsEnd) {
  ServerProcess server({"--max-clients", "1", "--io-timeout-ms", "3000"});
  const auto baseline = warm_baseline(server);
  // 16 MiB messages: the sender looks at STOP only between two, and this reader takes minutes
  // for one, yet each send() moves a little within the 3 s timeout and never fails.
  auto p = stream_params("one-copy", 16u << 20, 300);
  RawTest test(server.port, p);
  test.connect_all_data();
  test.start();
  test.read_some(256 * 1024);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the window
  std::atomic<bool> reading{true};
  std::thread slow([&] {
    std::vector<char> buf(64 * 1024);
    while (reading.load()) {  // 64 KiB a second: the window reopens, the sender moves on a little
      if (::recv(test.data()[0].get(), buf.data(), buf.size(), MSG_DONTWAIT) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    }
  });
  const int64_t t_stop = now_ns();
  test.stop();
  auto end = answer(test.control(), 25'000);
  EXPECT_TRUE(end) << "no RESULT or ABORT within 25 s of STOP";
  EXPECT_LT(seconds_since(t_stop), 12.0) << "the test outlived STOP + 5 s of grace";
  auto now = settle_to(server.pid(), {baseline.fds + 2, baseline.threads}, 5000);  // + our control and data fds
  EXPECT_LE(now.threads, baseline.threads) << "the sender's thread outlived its test";
  reading.store(false);
  slow.join();
  test.vanish();
  expect_serves_and_holds(server, baseline);
}

// SIGTERM while a sender is blocked on a peer that does not read ends the server
// within 5 s, the test's sockets closed.
TEST(Hardened, SigtermDuringAStuckTestExitsWithinFiveSeconds) {
  ServerProcess server({"--max-clients", "1"});  // the real 10 s I/O timeout
  auto p = stream_params("zero-copy", 64 * 1024, 60'000);
  RawTest test(server.port, p);
  test.connect_all_data();
  test.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // its socket buffers fill; send() blocks
  const int64_t t0 = now_ns();
  server.child->signal(SIGTERM);
  auto code = server.child->wait_for(5000);
  ASSERT_TRUE(code) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(seconds_since(t0), 5.0);
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::recv(test.data()[0].get(), buf, sizeof buf, 0)) > 0) {
  }
  EXPECT_LE(n, 0) << "the data connection ends (EOF or reset) once the server is gone";
}

// A server started with SIGHUP ignored (nohup) keeps ignoring it.
TEST(Hardened, ASighupIgnoredAtStartStaysIgnored) {
  HandServer server({"--quiet"}, [] { ::signal(SIGHUP, SIG_IGN); });
  ::kill(server.pid(), SIGHUP);
  EXPECT_EQ(server.wait_for(500), -1) << "SIGHUP ended a server started under nohup";
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);

  HandServer attached({"--quiet"}, [] { ::signal(SIGHUP, SIG_DFL); });  // a terminal's server: SIGHUP ends it cleanly
  ::kill(attached.pid(), SIGHUP);
  EXPECT_EQ(attached.wait_for(5000), 0);
}

// --max-duration: a longer test is refused in one line naming the limit; 0 s is refused at start.
TEST(Hardened, TestsLongerThanMaxDurationAreRefusedWithAReason) {
  ServerProcess server({"--max-duration", "2s"});
  auto r =
      run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port) + " --warmup 500ms --duration 2s");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("at most 2 s (--max-duration)"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  auto ok = run_copybench(normal_client(server.port));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  auto bad = run_copybench("server --max-duration 0s");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

// One peer's silent sockets take at most its own share of the places for headers.
TEST(Hardened, SilentSocketsFromOnePeerDoNotLockOutTheOthers) {
  ServerProcess server({"--max-clients", "1"});  // the real 5 s header deadline
  std::vector<Fd> silent;
  int refused = 0;
  for (int i = 0; i < 64; ++i) {
    silent.push_back(connect_from(server.port, "127.0.0.2"));
    auto reply = answer(silent.back().get(), 20);
    if (reply && reply->payload.find("at most from one address") != std::string::npos) ++refused;
  }
  ServerOptions defaults;
  defaults.max_clients = 1;
  EXPECT_GE(refused, 64 - max_pending_headers_per_source(defaults));
  auto r = run_copybench(normal_client(server.port));  // from 127.0.0.1
  EXPECT_EQ(r.exit_code, 0) << "locked out by another address's silent sockets:\n" << r.output;
}

// A control connection whose peer went silent (no FIN, no RST) frees its place within
// the I/O timeout, though its window would last a minute.
TEST(Hardened, ASilentControlConnectionFreesItsPlaceWithinTheIoTimeout) {
  ServerProcess server({"--max-clients", "1", "--io-timeout-ms", "2000"});
  auto p = stream_params("one-copy", 16 * 1024, 60'000);
  RawTest test(server.port, p);
  test.connect_all_data();
  test.start();
  test.read_some(64 * 1024);
  go_silent(test.control());
  go_silent(test.data()[0].get());
  const int64_t t0 = now_ns();
  CommandResult r;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    r = run_copybench(normal_client(server.port));
  } while (r.exit_code != 0 && seconds_since(t0) < 20);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LT(seconds_since(t0), 10.0) << "the silent test held its place";
}

// fmt's print throws on a closed pipe; the server's log lines must not.
TEST(Hardened, AServerWhoseStderrIsAClosedPipeServesOn) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  HandServer server(
      {"--max-clients", "1", "--header-timeout-ms", "500"}, [] {}, pipe_fds[1]);
  ::close(pipe_fds[1]);
  ::close(pipe_fds[0]);  // every write to its stderr now fails with EPIPE
  auto garbage = send_and_answer(server.port, std::string(kHeaderBytes, 'G'));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->type, FrameType::reject);
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(server.wait_for(100), -1) << "the server ended on a log line";
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);
}

// accept() failing with EMFILE: the queued connection stays readable, so a loop that
// retries at once spins. The server pauses instead (a CPU share far below a spin's ~100%).
TEST(Hardened, AcceptFailingWithEmfileDoesNotSpin) {
  CapturedStderr log;  // not --quiet: when this fails, what the server said (and any sanitizer report) shows
  VptrChecksOffWithoutFds ubsan;
  HandServer server(
      {"--header-timeout-ms", "5000"},
      [] {
        // Below what the per-address cap on pending headers (16) holds, so that accept() does fail;
        // the hard limit too: the server lifts the soft one to it.
        rlimit few{16, 16};
        ::setrlimit(RLIMIT_NOFILE, &few);
      },
      log.fd());
  std::vector<Fd> conns;
  for (int i = 0; i < 40; ++i) conns.push_back(raw_connect(server.port));  // the backlog takes them
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double cpu0 = cpu_seconds(server.pid());
  const int64_t t0 = now_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  const double share = (cpu_seconds(server.pid()) - cpu0) / seconds_since(t0);
  EXPECT_LT(share, 0.5) << "the accept loop spins on EMFILE";
  EXPECT_NE(log.text().find("accept() fails: Too many open files"), std::string::npos)
      << "accept() never failed: the test does not test EMFILE\n"
      << log.text();
  conns.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(5500));  // the accepted ones' header deadline
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << "serves again once fds are free:\n"
                            << r.output << "\nthe server's stderr:\n"
                            << log.text();
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0) << "the server's stderr:\n" << log.text();
  EXPECT_EQ(VptrChecksOffWithoutFds::other_reports(log.text()), "") << log.text();
}

// A header from a newer copybench (reserved bytes or unknown flags set) is refused, so
// version skew is seen; so is a header of another protocol version, naming both versions.
TEST(Hardened, HeadersFromANewerCopybenchAreRefusedNamingWhy) {
  ServerProcess server(kHostileServerOptions);
  TestParams p;
  auto bytes = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  auto reserved = bytes;
  reserved[kHeaderBytes - 1] = 1;
  auto reply = send_and_answer(server.port, std::string(reserved.begin(), reserved.end()));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, FrameType::reject);
  EXPECT_NE(reply->payload.find("from a newer copybench?"), std::string::npos) << reply->payload;
  auto flags = header_for(p, ConnectionKind::control, 0, 0);
  flags.flags |= 0x80000000u;
  reply = send_and_answer(server.port, header_bytes(flags));
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->payload.find("unknown flag bits 0x80000000"), std::string::npos) << reply->payload;
  auto older = bytes;
  older[5] = static_cast<uint8_t>(kProtocolVersion - 1);  // the version's low byte
  reply = send_and_answer(server.port, std::string(older.begin(), older.end()));
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->payload.find(fmt::format("protocol version {} is not supported (this copybench speaks version {})",
                                            kProtocolVersion - 1, kProtocolVersion)),
            std::string::npos)
      << reply->payload;
}

// --profile samples the whole machine's kernel: a resident server allows it only when
// started with --allow-profile (`run` starts its own server with it).
TEST(Hardened, ProfileNeedsAServerThatAllowsIt) {
  ServerProcess closed;
  auto r = run_copybench("client --host 127.0.0.1 --port " + std::to_string(closed.port) +
                         " --size 4K --warmup 0 --duration 200ms --profile");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--allow-profile"), std::string::npos) << r.output;
  ServerProcess open({"--allow-profile"});
  auto ok = run_copybench("client --host 127.0.0.1 --port " + std::to_string(open.port) +
                          " --size 4K --warmup 0 --duration 300ms --profile");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// A host without IPv6 (ipv6.disable=1, or a sandbox such as systemd's
// RestrictAddressFamilies= that refuses AF_INET6): the server's "all addresses" falls back to
// 0.0.0.0. The sandbox here is a seccomp filter that fails socket(AF_INET6, ...) with
// EAFNOSUPPORT, as such a kernel does.
TEST(Hardened, WithoutIpv6AllAddressesFallsBackToIpv4) {
  HandServer server(
      {"--quiet"},
      [] {
        sock_filter no_inet6[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog prog{static_cast<unsigned short>(sizeof no_inet6 / sizeof no_inet6[0]), no_inet6};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
          ::_exit(126);
      },
      -1, false);
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);
}
