#pragma once
// The resident server: accepts connections, one thread per connection, as in the study. A
// control connection creates a test; its data connections join it by test id and run in the
// role the test gives the server (session/roles/roles.h).
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/socket.h"
#include "params/params.h"
#include "session/test_session.h"
#include "wire/auth.h"

namespace copybench {

struct ServerOptions {
  std::string bind;  // empty: all addresses
  int family = 0;    // AF_UNSPEC; AF_INET or AF_INET6 for -4, -6 (listen_tcp)
  uint16_t port = 7470;
  bool once = false;  // serve one test (--bidir: its two), then return
  bool quiet = false;
  int max_clients = 4;            // tests at once; one more is refused "busy" (iperf3 allows 1)
  uint64_t max_memory_bytes = 0;  // message buffers of all running tests together; 0: default_max_memory()
  int header_timeout_ms = 5'000;  // a connection must send its whole header within this
  int io_timeout_ms = 10'000;     // SO_SNDTIMEO/SO_RCVTIMEO of the data connections; a silent control connection's end
  int64_t max_duration_ns = 300'000'000'000;  // warm-up + window a test may ask for (--max-duration)
  bool allow_profile = false;            // --profile samples the whole machine's kernel: only where its owner allows it
  std::shared_ptr<const Secret> secret;  // --secret-file: control connections must prove they hold it
};

/// Connections still owing their header, at most; beyond it a connection is refused at once.
int max_pending_headers(const ServerOptions& options);

/// Of those, from one source address: so one peer's silent sockets cannot lock out the others.
int max_pending_headers_per_source(const ServerOptions& options);

/// --max-memory's default: a quarter of the machine's physical memory.
uint64_t default_max_memory();

/// The message buffers a test makes the server allocate: per connection, what its role's
/// strategies allocate (connection_buffer_bytes): the send strategy's buffers for what the
/// server sends, the receive strategy's (--reverse) or the buffer rr's requests are read into.
uint64_t server_buffer_bytes(const TestParams& params);

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  uint16_t port() const { return listener_.port; }
  const std::string& address() const { return listener_.address; }
  uint64_t max_memory_bytes() const { return options_.max_memory_bytes; }  // the default resolved

  /// Serves until `stop` becomes true (or, with once, a test has ended and no other runs). Joins every
  /// connection thread before returning.
  void serve(const std::atomic<bool>& stop);

 private:
  void accept_one();
  void spawn(Fd fd, std::string peer);
  void handle(Fd fd, const std::string& peer);
  void handle_control(Fd fd, const std::string& peer, const struct Header& header, const HeaderBytes& bytes);
  void handle_data(Fd fd, const std::string& peer, const struct Header& header);
  /// Keeps a connection's buffers that the kernel may still read, counted against --max-memory.
  void hold(const TestSession& session, int index, HeldBuffers held);
  /// With a secret: CHALLENGE, then the client's AUTH must match; throws ProtocolError if not.
  void authenticate(int fd, const HeaderBytes& header);
  /// Registers the test, or returns why not (--max-clients, --max-memory or --max-duration).
  std::string admit(const std::shared_ptr<TestSession>& session);
  void release(TestSession& session);
  /// Never throws: a closed stderr must not end the server (fmt's print throws on EPIPE).
  void log(const std::string& line) const;
  void reap_finished();
  /// Counts a connection owing its header (and its source's); false, counting nothing, when
  /// either limit is reached.
  bool claim_pending(const std::string& source, int fd);
  void release_pending(const std::string& source, int fd);
  /// Shuts down every connection still owing its header: serve() is ending.
  void shut_down_pending();

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  ServerOptions options_;
  Listener listener_;
  std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<TestSession>> sessions_;
  uint64_t held_bytes_ = 0;        // server_buffer_bytes of the admitted tests, and of held_
  std::vector<HeldBuffers> held_;  // buffers the kernel may still read, kept until it releases them
  std::vector<Worker> workers_;
  std::atomic<bool> once_done_{false};
  // Guarded by mu_: connections owing their header, in all and per source address, and their fds
  // (shut down when serve() ends, so no thread waits out its header deadline).
  int pending_headers_ = 0;
  std::map<std::string, int> pending_by_source_;
  std::set<int> pending_fds_;
  bool accept_failing_ = false;  // accept() fails (EMFILE ...): logged once, retried with a pause
};

}  // namespace copybench
