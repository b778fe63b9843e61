#pragma once
// A hand-driven copybench peer for hostile-input and fault tests: it speaks the wire protocol
// (or breaks it) one step at a time, so a test can stop at any step, stall, or vanish.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "e2e_util.h"
#include "net/socket.h"
#include "params/params.h"
#include "wire/protocol.h"

namespace copybench::test {

/// Sends `bytes` on a new connection and returns the server's first frame; nullopt when the
/// server closed or reset the connection instead, or sent nothing within timeout_ms.
std::optional<Frame> send_and_answer(uint16_t port, const std::string& bytes, int timeout_ms = 5000);

/// The server's next frame on fd; nullopt as above.
std::optional<Frame> answer(int fd, int timeout_ms = 5000);

/// The header bytes as a string, after `edit` has changed whatever the test wants.
std::string header_bytes(const Header& header);

/// A fake server's first step: accepts one connection on listen_fd within 10 s and reads its
/// header into `header`; throws Error when none comes.
Fd accept_with_header(int listen_fd, Header& header);

/// Whether something (a frame, or EOF) waits on fd, without waiting.
bool readable_now(int fd);

/// SO_LINGER {1, 0}, then close: the kernel resets the connection, as for a peer that vanished.
void close_with_rst(Fd& fd);

/// Connects the socket fd (made, and its options set, by the caller) to 127.0.0.1:port; throws
/// std::runtime_error on failure. For a connection whose options must be set before it connects.
void connect_to_loopback(int fd, uint16_t port);

/// A TCP connection to 127.0.0.1:port from the source address `from` (another 127/8 address);
/// throws std::runtime_error on failure.
Fd connect_from(uint16_t port, const char* from);

/// Sends on fd the header of data connection `index` of test `test_id` and returns the server's
/// answer (ACCEPT or REJECT); nullopt as answer's.
std::optional<Frame> claim_stream(int fd, const TestParams& p, uint64_t test_id, int index);

/// Attaches a socket filter that drops every segment before TCP sees it: this end's kernel no
/// longer acknowledges anything, as a host that froze or lost its cable.
void go_silent(int fd);

/// The parameters of a stream test of one connection, without warm-up.
TestParams stream_params(const std::string& strategy, uint64_t size, int64_t duration_ms, bool verify = false);

/// Server options for the hostile tests: one test at once, and short header and I/O limits
/// (hidden options) so that stalls end in a moment instead of 5 s and 10 s.
inline const std::vector<std::string> kHostileServerOptions = {"--max-clients",   "1",   "--header-timeout-ms", "500",
                                                               "--io-timeout-ms", "1000"};

/// `copybench client` arguments for a short verified test against port.
std::string normal_client(uint16_t port, const std::string& duration = "200ms");

/// What the server holds once it has served one normal test and settled: the baseline for
/// expect_serves_and_holds (a sanitizer's runtime starts a thread of its own with the first).
ProcessUsage warm_baseline(const ServerProcess& server);

/// The server outlived what was done to it: after a bounded settle it holds no more fds and
/// threads than `baseline`, it completes a normal test, and it holds no more after that.
void expect_serves_and_holds(const ServerProcess& server, ProcessUsage baseline);

/// SIGTERM ends a resident server: it must join its threads and exit 0 (under the sanitizers, a
/// leak or a race found on the way changes the code).
void expect_clean_exit(ServerProcess& server);

/// A test on the server driven step by step: the constructor does the control handshake.
class RawTest {
 public:
  /// Throws Error with the server's reason when the server refuses the test. A server busy
  /// with another test (--max-clients) is asked again for up to 3 s: a test that has just
  /// ended may still hold its place for a moment.
  RawTest(uint16_t port, const TestParams& params);

  /// Connects data connection `index` and handshakes it; throws on REJECT.
  void connect_data(int index);
  void connect_all_data();
  /// Reads the server's READY (sent once every data connection is in); throws on anything else.
  void await_ready();
  /// START, after READY as a client sends it.
  void start();
  void stop();
  /// Reads from every data connection until each has given at least `bytes` (or EOF).
  void read_some(size_t bytes);
  /// Resets every connection (data and control) at once.
  void vanish();

  int control() const { return control_.get(); }
  std::vector<Fd>& data() { return data_; }
  uint64_t id() const { return id_; }

 private:
  uint16_t port_;
  TestParams params_;
  Fd control_;
  uint64_t id_ = 0;
  bool ready_ = false;
  std::vector<Fd> data_;
};

/// Reads a verified stream (connection 0 of its test) and checks every byte against its
/// message's pattern, counting the corrupt ones.
class StreamChecker {
 public:
  explicit StreamChecker(size_t message_bytes) : size_(message_bytes) {}
  /// Reads until `bytes` more have come, EOF, an error (a reset) or deadline_ms; returns false
  /// when the connection ended (EOF or error).
  bool read(int fd, size_t bytes, int deadline_ms);
  /// Reads at most `chunk` bytes every interval_ms for duration_ms: a receiver slower than the
  /// sender, whose send queue stays full while its sends keep completing.
  void read_paced(int fd, size_t chunk, int interval_ms, int duration_ms);
  uint64_t corrupt_bytes = 0, checked_bytes = 0;
  bool reset = false;  // the connection ended with ECONNRESET

 private:
  void check(const std::byte* p, size_t n);
  size_t size_;
  size_t offset_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace copybench::test
