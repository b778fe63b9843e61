#pragma once
// One role per connection, picked once, as neper picks its per-test callbacks: what a data
// connection's thread does follows from the test's mode and direction and from which end this
// process is. Stream sender, stream receiver, rr requester and rr responder are one file each
// beside this one; the client and the server's test session ask this table, never "does the
// server send?".
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "metrics/histogram.h"
#include "net/socket_options.h"
#include "params/params.h"
#include "results/result.h"
#include "session/window.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

/// Which end of a test a process is: the client asks for the test and owns its timing.
enum class End : uint8_t { client, server };

/// The side `end` measures in a test of one direction (forward or reverse: --bidir is two
/// tests): in a forward test, and in rr, the server is the sender; in a reverse test the client.
Side side_of(End end, Direction direction);

/// What one connection's thread moved and saw, read after the thread has ended.
struct ConnectionTotals {
  uint64_t recv_calls = 0;              // the receive strategy's system calls
  std::optional<uint64_t> submissions;  // io_uring SQEs of the receive strategy (uring); null for plain calls
  uint64_t messages_checked = 0;        // --verify: whole messages checked (the stream's, rr's requests or responses)
  uint64_t corrupt_messages = 0;
  uint64_t trailing_bytes = 0;  // bytes of an incomplete last message
  std::string error;            // empty when the connection ended cleanly
};

/// What a connection's role works with, borrowed for the thread's life.
struct ConnectionWork {
  int fd = -1;
  uint32_t index = 0;  // the connection's place in the test, also its --verify pattern's key
  const TestParams* params = nullptr;
  SendStrategy* send = nullptr;     // roles that send (RoleInfo::sends)
  RecvStrategy* receive = nullptr;  // roles that receive (RoleInfo::receive)
  StreamCounters* counters = nullptr;
  LatencyHistogram* histogram = nullptr;         // null: this connection times nothing
  const std::atomic<bool>* recording = nullptr;  // a timed value belongs to the window
};

/// How the end's coordinator tells its connections that the test is ending.
struct RoleSignals {
  const std::atomic<bool>& stop;      // senders and requesters stop sending (STOP)
  const std::atomic<bool>& eof_ends;  // a receiver's EOF is the stream's end once set, before it the peer vanished
  const std::atomic<bool>& abandon;   // responders end between transactions (the server gives the test up)
};

/// Where a role reads what it receives from.
enum class RoleReceive : uint8_t {
  none,        // it only sends
  test_recv,   // with the test's receive strategy (--recv)
  plain_recv,  // with plain recv(): the rr responder, since --recv is the client's and not on the wire
};

struct RoleInfo {
  Role role;
  Side side;   // which side's figures its end measures
  bool sends;  // with the test's send strategy (--strategy)
  RoleReceive receive;
  bool nodelay;                   // TCP_NODELAY on its socket (rr: see roles.cpp)
  const char* latency_what;       // what its histogram times, when timed
  const char* no_latency_reason;  // why it timed nothing, when not
  bool (*timed)(const TestParams& params);
  uint64_t (*sent_message_bytes)(const TestParams& params);  // each message it sends
  RecvContext (*receive_context)(const TestParams& params, int path_mtu);
  /// The role's loop on the calling thread; throws Error (run_connection catches).
  ConnectionTotals (*run)(const ConnectionWork& work, const RoleSignals& signals);
};

const RoleInfo& role_info(Role role);

/// The role of every data connection of `end` in a test of `params` (one direction).
const RoleInfo& connection_role(const TestParams& params, End end);

/// The role's strategies for one connection, sized for what it moves; null where the role has
/// none. Throw Error when the strategy cannot be made here.
std::unique_ptr<SendStrategy> make_send_strategy(const RoleInfo& role, const TestParams& params);
std::unique_ptr<RecvStrategy> make_recv_strategy(const RoleInfo& role, const TestParams& params, int path_mtu);

/// The socket knobs of one of the role's data connections: the test's -w, -C, -M and -N (rr's
/// roles always set TCP_NODELAY), and for a stream sender paced by the kernel its
/// SO_MAX_PACING_RATE.
SocketKnobs socket_knobs(const RoleInfo& role, const TestParams& params);

/// The message buffers one connection's strategies allocate (a server's --max-memory budget).
uint64_t connection_buffer_bytes(const RoleInfo& role, const TestParams& params);

/// Runs the role on the calling thread, a connection's own: pins it (--pin), then the loop.
/// Never throws: a failure is the totals' error.
ConnectionTotals run_connection(const RoleInfo& role, const ConnectionWork& work, const RoleSignals& signals);

}  // namespace copybench
