// The holes a peer that speaks the protocol correctly can open in a resident server, and the
// server's own robustness: allocation after admission, a hard end for every test, buffers the
// kernel may still read, the shared secret, per-source caps, --once, logging to a closed
// stderr, signals, accept() failing, and version skew. Each test runs the real binary.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <fstream>
#include <iostream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/message.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "session/server.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr int64_t kMs = 1'000'000;

double seconds_since(int64_t t0_ns) { return static_cast<double>(now_ns() - t0_ns) / 1e9; }

// A child's stderr kept in memory (a memfd the child gets as fd 2, so it costs it no extra fd),
// to print when a test fails.
class CapturedStderr {
 public:
  CapturedStderr() : fd_(static_cast<int>(::syscall(SYS_memfd_create, "stderr", 1u /* MFD_CLOEXEC */))) {
    if (fd_ < 0) throw std::runtime_error("memfd_create");
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  ~CapturedStderr() { ::close(fd_); }
  int fd() const { return fd_; }
  std::string text() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    for (off_t at = 0; (n = ::pread(fd_, buf, sizeof buf, at)) > 0; at += n) out.append(buf, static_cast<size_t>(n));
    return out.empty() ? "(nothing)" : out;
  }

 private:
  int fd_;
};

// UBSan's vptr check asks whether the vtable's memory is readable by writing it into a pipe; in
// a process out of file descriptors pipe() fails, and a virtual call it checks is reported as
// "object has invalid vptr", a false report that stops the process (halt_on_error). A server
// started while this lives has those reports suppressed and, where one still comes through, not
// fatal (UBSAN_OPTIONS is read when it starts; harmless in a build without UBSan);
// `other_reports` finds any other UBSan report in its stderr, so none goes unseen.
class VptrChecksOffWithoutFds {
 public:
  VptrChecksOffWithoutFds() {
    char path[] = "/tmp/copybench-ubsan-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) throw std::runtime_error("mkstemp");
    const std::string rule = "vptr:*\n";  // by location: the type itself cannot be read then
    const bool written = ::write(fd, rule.data(), rule.size()) == static_cast<ssize_t>(rule.size());
    ::close(fd);
    path_ = path;
    if (!written) throw std::runtime_error("write " + path_);
    const char* old = std::getenv("UBSAN_OPTIONS");
    if (old) saved_ = old;
    const std::string ours = "halt_on_error=0:suppressions=" + path_;  // the last of a flag wins
    const std::string options = saved_ ? *saved_ + ":" + ours : ours;
    ::setenv("UBSAN_OPTIONS", options.c_str(), 1);
  }
  /// UBSan's reports in `log` other than the invalid-vptr ones (each "runtime error" line whose
  /// next line is not that note), one per line; empty when there are none.
  static std::string other_reports(const std::string& log) {
    std::istringstream in(log);
    std::string line, next, out;
    std::getline(in, line);
    while (std::getline(in, next)) {
      if (line.find("runtime error:") != std::string::npos && next.find("object has invalid vptr") == std::string::npos)
        out += line + "\n";
      line = next;
    }
    if (line.find("runtime error:") != std::string::npos) out += line + "\n";
    return out;
  }
  VptrChecksOffWithoutFds(const VptrChecksOffWithoutFds&) = delete;
  VptrChecksOffWithoutFds& operator=(const VptrChecksOffWithoutFds&) = delete;
  ~VptrChecksOffWithoutFds() {
    if (saved_) ::setenv("UBSAN_OPTIONS", saved_->c_str(), 1);
    else ::unsetenv("UBSAN_OPTIONS");
    ::unlink(path_.c_str());
  }

 private:
  std::string path_;
  std::optional<std::string> saved_;
};

// A server started by hand, for what ServerProcess does not do: a setup step in the child
// before exec (an fd limit, SIGHUP ignored) and stderr where the test wants it.
class HandServer {
 public:
  HandServer(std::vector<std::string> args, const std::function<void()>& in_child, int stderr_fd = -1,
             bool on_loopback = true) {
    int ready[2];
    if (::pipe(ready) != 0) throw std::runtime_error("pipe");
    args.insert(args.begin(), {COPYBENCH_BIN, "server", "--port", "0", "--ready-fd", std::to_string(ready[1])});
    if (on_loopback) args.insert(args.end(), {"--bind", "127.0.0.1"});
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(stderr_fd >= 0 ? stderr_fd : null, 2);
      in_child();
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(ready[1]);
    char buf[32] = {};
    pollfd p{ready[0], POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0 || ::read(ready[0], buf, sizeof buf - 1) <= 0) {
      ::close(ready[0]);
      throw std::runtime_error("the server did not report its port");
    }
    ::close(ready[0]);
    port = static_cast<uint16_t>(std::stoul(buf));
  }
  ~HandServer() {
    if (exited_) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  /// The exit code within timeout_ms (128 + signal when killed), or -1.
  int wait_for(int timeout_ms) {
    const int64_t deadline = now_ns() + timeout_ms * kMs;
    while (now_ns() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
  pid_t pid() const { return pid_; }
  uint16_t port = 0;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

// A field of /proc/PID/status in kB ("VmHWM").
long status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

// CPU time (user + system) the process has used, in seconds, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A TCP connection to 127.0.0.1:port from the source address `from` (another 127/8 address).
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

// The header of data connection `index` of `test`, sent on fd; the server's answer.
std::optional<Frame> claim_stream(int fd, const TestParams& p, uint64_t test_id, int index) {
  auto bytes = header_bytes(header_for(p, ConnectionKind::data, test_id, static_cast<uint16_t>(index)));
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 2000 * kMs, "send header");
  return answer(fd, 5000);
}

// A socket filter that drops every segment before TCP sees it: the peer's kernel no longer
// acknowledges anything, as a host that froze or lost its cable.
void go_silent(int fd) {
  sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog prog{1, drop_all};
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), 0) << std::strerror(errno);
}

TestParams stream_params(const std::string& strategy, uint64_t size, int64_t duration_ms, bool verify = false) {
  TestParams p;
  p.strategy = strategy;
  p.message_bytes = size;
  p.threads = 1;
  p.warmup_ns = 0;
  p.duration_ns = duration_ms * kMs;
  p.verify = verify;
  return p;
}

std::string write_secret(TempDir& dir, const std::string& name, const std::string& secret) {
  auto path = dir.file(name);
  std::ofstream(path) << secret << "\n";
  return path;
}

}  // namespace

// Item 1: 40 data connections that all claim stream 0 of a zero-copy 16 MiB test. Before the
// fix each built its strategy and buffer pool before being turned away (1.4 GiB resident).
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

// Item 4: test ids come from getrandom and a data connection must come from its control
// connection's address.
TEST(Hardened, ADataConnectionFromAnotherAddressIsRefused) {
  ServerProcess server({"--max-clients", "1", "--header-timeout-ms", "500", "--io-timeout-ms", "1000"});
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

// Item 4: --secret-file. Without it, with the wrong one, or against a server that does not ask:
// one line each. The secret is in no argv, no JSON and no log line.
TEST(Hardened, TheSharedSecretAdmitsOnlyItsHolders) {
  TempDir dir;
  const std::string secret = "s3cr3t-d0-not-print-" + std::to_string(::getpid());
  auto good = write_secret(dir, "good", secret), bad = write_secret(dir, "bad", "another-secret");
  auto log_path = dir.file("server.log");
  Fd log_fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  HandServer server({"--secret-file", good}, [] {}, log_fd.get());
  const std::string to = "client --host 127.0.0.1 --port " + std::to_string(server.port) +
                         " --size 4K --warmup 0 --duration 200ms --verify";

  auto none = run_copybench(to);
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("requires a shared secret"), std::string::npos) << none.output;
  EXPECT_EQ(std::count(none.output.begin(), none.output.end(), '\n'), 1) << none.output;

  auto wrong = run_copybench(to + " --secret-file " + bad);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("authentication failed"), std::string::npos) << wrong.output;
  EXPECT_EQ(std::count(wrong.output.begin(), wrong.output.end(), '\n'), 1) << wrong.output;

  auto right = run_copybench(to + " --secret-file " + good + " --json " + dir.file("r.json"));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("0 corrupt"), std::string::npos) << right.output;

  // A raw control header answered with a wrong AUTH, and one answered with nothing.
  TestParams p;
  auto fd = raw_connect(server.port);
  auto header = header_bytes(header_for(p, ConnectionKind::control, 0, 0));
  send_all(fd.get(), header.data(), header.size(), now_ns() + 2000 * kMs, "send");
  auto challenge = answer(fd.get());
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->type, FrameType::challenge);
  EXPECT_EQ(challenge->payload.size(), 32u);
  write_frame(fd.get(), FrameType::auth, std::string(32, 'x'), now_ns() + 2000 * kMs);
  auto refused = answer(fd.get());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, FrameType::reject);

  ServerProcess open_server;  // no secret: a client that holds one refuses it
  auto unasked = run_copybench("client --host 127.0.0.1 --port " + std::to_string(open_server.port) +
                               " --size 4K --warmup 0 --duration 200ms --secret-file " + good);
  EXPECT_EQ(unasked.exit_code, 1) << unasked.output;
  EXPECT_NE(unasked.output.find("did not ask for the shared secret"), std::string::npos) << unasked.output;

  std::ifstream cmdline("/proc/" + std::to_string(server.pid()) + "/cmdline");
  std::string argv((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  EXPECT_EQ(argv.find(secret), std::string::npos);
  EXPECT_EQ(read_text(dir.file("r.json")).find(secret), std::string::npos);
  for (const auto* out : {&none.output, &wrong.output, &right.output, &unasked.output})
    EXPECT_EQ(out->find(secret), std::string::npos) << *out;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);
  auto log = read_text(log_path);
  EXPECT_NE(log.find("authentication failed"), std::string::npos) << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;

  auto empty = write_secret(dir, "empty", "");
  auto no_secret = run_copybench("server --port 0 --bind 127.0.0.1 --secret-file " + empty);
  EXPECT_EQ(no_secret.exit_code, 1) << no_secret.output;
  EXPECT_NE(no_secret.output.find("is empty"), std::string::npos) << no_secret.output;
}

// Item 2: a peer that reads 4 KB now and then after STOP keeps the server's sender blocked in
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

// Items 2 and 8: SIGTERM while a sender is blocked on a peer that does not read ends the server
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

// Item 8: a server started with SIGHUP ignored (nohup) keeps ignoring it.
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

// Item 5: --max-duration.
TEST(Hardened, TestsLongerThanMaxDurationAreRefusedWithAReason) {
  ServerProcess server({"--max-duration", "2s"});
  auto r = run_copybench("client --host 127.0.0.1 --port " + std::to_string(server.port) +
                         " --warmup 500ms --duration 2s");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("at most 2 s (--max-duration)"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  auto ok = run_copybench(normal_client(server.port));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  auto bad = run_copybench("server --max-duration 0s");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

// Item 5: one peer's silent sockets take at most its own share of the places for headers.
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

// Item 5: a control connection whose peer went silent (no FIN, no RST) frees its place within
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

// Item 7: fmt's print throws on a closed pipe; the server's log lines must not.
TEST(Hardened, AServerWhoseStderrIsAClosedPipeServesOn) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  HandServer server({"--max-clients", "1", "--header-timeout-ms", "500"}, [] {}, pipe_fds[1]);
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

// Item 12: accept() failing with EMFILE: the queued connection stays readable, so a loop that
// retries at once spins. The server pauses instead (a CPU share far below a spin's ~100%).
TEST(Hardened, AcceptFailingWithEmfileDoesNotSpin) {
  CapturedStderr log;  // not --quiet: when this fails, what the server said (and any sanitizer report) shows
  VptrChecksOffWithoutFds ubsan;
  HandServer server({"--header-timeout-ms", "5000"}, [] {
    // Below what the per-address cap on pending headers (16) holds, so that accept() does fail;
    // the hard limit too: the server lifts the soft one to it.
    rlimit few{16, 16};
    ::setrlimit(RLIMIT_NOFILE, &few);
  }, log.fd());
  std::vector<Fd> conns;
  for (int i = 0; i < 40; ++i) conns.push_back(raw_connect(server.port));  // the backlog takes them
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double cpu0 = cpu_seconds(server.pid());
  const int64_t t0 = now_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  const double share = (cpu_seconds(server.pid()) - cpu0) / seconds_since(t0);
  EXPECT_LT(share, 0.5) << "the accept loop spins on EMFILE";
  EXPECT_NE(log.text().find("accept() fails: Too many open files"), std::string::npos)
      << "accept() never failed: the test does not test EMFILE\n" << log.text();
  conns.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(5500));  // the accepted ones' header deadline
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << "serves again once fds are free:\n" << r.output << "\nthe server's stderr:\n" << log.text();
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0) << "the server's stderr:\n" << log.text();
  EXPECT_EQ(VptrChecksOffWithoutFds::other_reports(log.text()), "") << log.text();
}

// Item 12: a header from a newer copybench (reserved bytes or unknown flags set) is refused, so
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

// Item 12: --profile samples the whole machine's kernel: a resident server allows it only when
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

namespace {

// Reads a verified stream (connection 0) and checks every byte against its message's pattern.
class StreamChecker {
 public:
  explicit StreamChecker(size_t message_bytes) : size_(message_bytes) {}
  /// Reads until `bytes` more have come, EOF, an error (a reset) or deadline_ms; returns false
  /// when the connection ended (EOF or error).
  bool read(int fd, size_t bytes, int deadline_ms) {
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
  /// Reads at most `chunk` bytes every interval_ms for duration_ms: a receiver slower than the
  /// sender, whose send queue stays full while its sends keep completing.
  void read_paced(int fd, size_t chunk, int interval_ms, int duration_ms) {
    const int64_t end = now_ns() + duration_ms * kMs;
    while (now_ns() < end && read(fd, chunk, interval_ms))
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  uint64_t corrupt_bytes = 0, checked_bytes = 0;
  bool reset = false;

 private:
  void check(const std::byte* p, size_t n) {
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
  size_t size_;
  size_t offset_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace

// Issue 17: sendfile and splice hand the kernel references to the pool's pages and get no
// completion back, so a buffer rewritten while bytes from it are still queued changes them. A
// receiver that lets its (forced, 64 MiB) receive queue fill before reading holds more than the
// 16 MiB pool in flight: the pattern check must then find corrupt bytes, and never lose any (the
// byte count still matches message by message). uring-zc-fixed, which rewrites a buffer only
// after its notifications, is the control: not one corrupt byte under the same reader.
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
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(server.port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ASSERT_EQ(::connect(data.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << std::strerror(errno);
    auto accepted = claim_stream(data.get(), p, test.id(), 0);
    ASSERT_TRUE(accepted);
    ASSERT_EQ(accepted->type, FrameType::accept) << accepted->payload;
    test.start();
    StreamChecker checker(p.message_bytes);
    ASSERT_TRUE(checker.read(data.get(), 1 << 20, 5000));  // the window opens as bytes are read
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

// Item 3: a peer reads, sends STOP, stops reading for 15 s, then reads again. The server's
// final zero-copy drain times out meanwhile (10 s): the pages the peer has not taken are
// still queued for sending. Freeing the pool then would send freed (reused) memory; the server
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
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(::connect(data.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << std::strerror(errno);
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
  EXPECT_EQ(checker.corrupt_bytes, 0u) << "of " << checker.checked_bytes << " bytes checked; reset "
                                       << checker.reset;
  test.vanish();
  expect_clean_exit(server);
}

// Item 12: a host without IPv6 (ipv6.disable=1, or a sandbox such as systemd's
// RestrictAddressFamilies= that refuses AF_INET6): the server's "all addresses" falls back to
// 0.0.0.0. The sandbox here is a seccomp filter that fails socket(AF_INET6, ...) with
// EAFNOSUPPORT, as such a kernel does.
TEST(Hardened, WithoutIpv6AllAddressesFallsBackToIpv4) {
  HandServer server({"--quiet"}, [] {
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
  }, -1, false);
  auto r = run_copybench(normal_client(server.port));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);
}
