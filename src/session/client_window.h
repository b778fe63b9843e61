#pragma once
// The client's connection threads and the timing they run under: START, the warm-up, the
// measured window (fixed or --duration auto), STOP. The client owns the test's timing; each
// connection's thread runs the role the test gives the client's end.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "session/client.h"
#include "session/client_connections.h"
#include "session/roles/roles.h"
#include "session/side_figures.h"
#include "session/window.h"
#include "session/window_meter.h"

namespace copybench {

/// --bidir: the forward and the reverse test send START together, so their windows overlap.
/// A test that fails before START leaves, and the other goes on alone rather than wait.
class StartGate {
 public:
  explicit StartGate(int parties) : waiting_for_(parties) {}
  /// Arrives and waits (at most `timeout_ns`) until every party has arrived or left.
  void arrive_and_wait(int64_t timeout_ns);
  void leave();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_for_;
};

class ClientWindow {
 public:
  ClientWindow(const ClientOptions& options, ClientConnections& connections, const std::atomic<bool>& interrupted,
               StartGate* gate);
  ~ClientWindow();

  /// Starts one thread per connection, sends START, measures the window and sends STOP; throws Error.
  void run();

  /// Ends a window an exception cut short and joins the threads; after a failure their
  /// connections are shut down first, so they return now.
  void finish(bool failed);

  /// Waits until deadline_ns for every connection's thread to reach the end of its role;
  /// returns whether they all did.
  bool connections_end_by(int64_t deadline_ns) const;

  bool started() const { return started_; }
  bool completed() const { return completed_; }
  /// A test that will not reach START lets the other --bidir test go on.
  void leave_gate();
  const std::vector<ConnectionTotals>& totals() const { return totals_; }

  /// This end's measurements, for side_figures().
  SideMeasurements measurements() const;

 private:
  void start_threads();
  /// Waits for the server's READY (its meter is open); throws with the server's reason.
  void await_ready();
  /// --duration auto: a rate sample every interval until the rate is stable or the ceiling.
  /// Returns false when `stopped` cut the window short.
  bool run_auto_window(const std::function<bool()>& stopped);
  /// Sleeps until deadline_ns, ending each --interval on the way; false when `stopped` cut it short.
  bool wait_ticking(int64_t deadline_ns, const std::function<bool()>& stopped);
  /// Every connection's TCP_INFO; the sockets are the connections', open until the test ends.
  std::vector<TcpSample> read_sockets() const;
  bool any_connection_ended() const;
  void open_gate();

  const TestParams& p_;
  ClientConnections& connections_;
  const RoleInfo& role_;
  const std::atomic<bool>& interrupted_;
  StartGate* gate_;      // --bidir: shared with the other direction's test; null once passed
  CounterSet counters_;  // before the meter: its profile reads them until it ends
  // Histograms where the role times: rr's round trips, or the send calls of a reverse stream.
  WindowMeter meter_{p_, role_.timed(p_) ? p_.threads : 0};
  WindowEdges window_{counters_, meter_};
  std::vector<ConnectionTotals> totals_;
  std::vector<std::thread> threads_;
  std::vector<pid_t> tids_ = std::vector<pid_t>(p_.threads);  // the connections' threads
  std::latch tids_known_{p_.threads};
  std::latch go_{1};
  bool gate_open_ = false;
  bool started_ = false;  // at least one thread was made
  bool finished_ = false;
  std::unique_ptr<std::atomic<bool>[]> done_ = std::make_unique<std::atomic<bool>[]>(p_.threads);
  std::atomic<bool> stop_sent_{false};
  int64_t t0_ = 0;
  bool completed_ = false;
};

}  // namespace copybench
