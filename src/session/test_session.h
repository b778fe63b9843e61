#pragma once
// One test in progress on the server: its control conversation and its data connections,
// each in its own thread (the connection's thread, as in the study) in the role the test gives
// the server's end (session/roles/roles.h): the stream's sender, its receiver (--reverse) or
// rr's responder.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "metrics/tcp_info.h"
#include "net/socket.h"
#include "params/params.h"
#include "session/roles/roles.h"
#include "session/window.h"
#include "session/window_meter.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

/// A connection's strategy that the kernel may still read from when its test ended: it must
/// live, with its socket, until its completions have come (Server keeps these).
struct HeldBuffers {
  Fd fd;
  std::unique_ptr<SendStrategy> strategy;
  uint64_t bytes = 0;  // of message buffers, as the server's budget counts them
};

class TestSession {
 public:
  /// `peer_host`: the control connection's source address; data connections must come from it.
  TestSession(uint64_t id, TestParams params, std::string peer_host);

  uint64_t id() const { return id_; }
  const TestParams& params() const { return params_; }
  const std::string& peer_host() const { return peer_host_; }

  /// Claims data connection `index` for the calling thread `tid` (whose counters will be
  /// read) and its socket `fd` (shut down at the test's hard end), before anything is
  /// allocated for it; throws ProtocolError naming why it cannot be taken.
  void attach(int index, pid_t tid, int fd);

  /// What data connection `index`'s socket got once its knobs were set (the side reports the
  /// first connection's).
  void set_grant(int index, SocketGrant grant);

  /// A claimed connection that could not be set up: the test ends without it.
  void fail_stream(int index, const std::string& error);

  /// Runs data connection `index` in the server's role, with the strategies the role asked for
  /// (connection_role), from START until its role ends it (runs in that connection's thread).
  /// Returns the send strategy and socket when the kernel still holds its buffers.
  std::optional<HeldBuffers> run_data_connection(int index, Fd fd, std::unique_ptr<SendStrategy> send,
                                                 std::unique_ptr<RecvStrategy> receive);

  /// The control conversation: waits for the data connections and START, measures the window
  /// and stops on STOP; returns the RESULT frame's payload, for the caller to send. Throws
  /// Error when the test cannot finish. Either way every stream thread has returned, unless
  /// streams_done() says otherwise.
  std::string run_control(int control_fd);

  /// Ends the test now (server shutdown): every socket of the test is shut down, so each of
  /// its threads returns at once, whatever it was waiting for.
  void abort();

  /// Whether every claimed connection's thread has returned (its buffers are freed or held).
  bool streams_done();

 private:
  struct Stream {
    bool attached = false;
    bool finished = false;
    int fd = -1;  // while its thread runs: shut down at the hard end
    pid_t tid = 0;
    ConnectionTotals totals;           // its role's: receive calls, verify counts, error
    SendAccounting sent;               // what its send strategy counted (roles that send)
    RecvAccounting received;           // what its receive strategy counted (roles that receive)
    std::optional<SocketGrant> grant;  // what its socket got (set_grant)
  };

  /// Blocks a connection's thread until START (true) or the test's end (false).
  bool wait_for_start();
  /// Records connection `index`'s end: its thread returns after this.
  void finish_stream(int index, ConnectionTotals totals, const SendAccounting& sent, const RecvAccounting& received);
  void wait_for_streams(int64_t deadline_ns, int control_fd);
  void open_counters();
  /// STOP: lets each stream end by itself for a grace, then shuts their sockets down and waits
  /// (bounded) for their threads. Throws Error if a thread did not return.
  void stop_and_wait();
  void shut_down_sockets();  // mu_ held
  void end_streams();        // abort() but for the control connection
  void forget_control();
  std::string result_payload(int control_fd);
  std::vector<TcpSample> read_sockets();  // each stream's TCP_INFO, for the window's edges

  const uint64_t id_;
  const TestParams params_;
  const std::string peer_host_;
  const RoleInfo& role_;  // of every data connection: the server's end of this test
  int control_fd_ = -1;   // guarded by mu_: shut down by abort()
  CounterSet counters_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> abandoned_{false};  // abort(): rr responders end between transactions
  WindowMeter meter_;
  WindowEdges window_{counters_, meter_};
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool aborted_ = false;
  int64_t t0_ns_ = 0;
  std::vector<Stream> streams_;
};

}  // namespace copybench
