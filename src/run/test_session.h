#pragma once
// One test in progress on the server: its control conversation and its data connections,
// each sending in its own thread (the connection's thread, as in the study).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/socket.h"
#include "spec/params.h"
#include "run/receiver.h"
#include "run/window_meter.h"
#include "run/window.h"
#include "strategies/strategy.h"

namespace copybench {

class TestSession {
 public:
  TestSession(uint64_t id, TestParams params);

  uint64_t id() const { return id_; }
  const TestParams& params() const { return params_; }

  /// Claims data connection `index` for the calling thread `tid` (whose counters will be
  /// read); throws ProtocolError naming why it cannot be taken.
  void attach(int index, pid_t tid);

  /// Sends on data connection `index` until the test ends (runs in that connection's thread).
  void run_stream(int index, Fd fd, std::unique_ptr<SendStrategy> strategy);

  /// The control conversation: waits for the data connections and START, measures the window
  /// and stops on STOP; returns the RESULT frame's payload, for the caller to send. Throws
  /// Error when the test cannot finish.
  std::string run_control(int control_fd);

  /// Ends the test early (server shutdown); stream threads finish promptly.
  void abort();

 private:
  struct Stream {
    bool attached = false;
    bool finished = false;
    pid_t tid = 0;
    SendAccounting accounting;
    ReceiverTotals rr;  // rr: recv calls and the requests' verify counts
    std::string error;
  };

  void wait_for_streams(int64_t deadline_ns, int control_fd);
  void open_counters();
  void stop_and_wait();
  std::string result_payload(int control_fd);

  const uint64_t id_;
  const TestParams params_;
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
