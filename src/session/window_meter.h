#pragma once
// Everything a side measures over the window besides its byte counters: perf_event_open
// counters on the side's test threads, the CPU time of the process and the machine, and the
// latency histograms (one per connection thread, merged after the threads have ended).
#include <sys/types.h>
#include <atomic>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/cpu_usage.h"
#include "metrics/histogram.h"
#include "metrics/perf_counters.h"
#include "metrics/tcp_info.h"
#include "metrics/thread_cpu.h"
#include "params/params.h"
#include "results/result.h"
#include "session/counter_slicer.h"
#include "session/profile_meter.h"
#include "session/window.h"

namespace copybench {

class WindowMeter {
 public:
  /// `timed_streams` histograms are allocated now (0: this side times nothing).
  WindowMeter(const TestParams& params, int timed_streams);

  /// Before the window: opens the counters on the connections' threads and the coordinating
  /// one unless params.counters is off, and with params.profile the profile, which also reads
  /// `streams` at its slices' edges (`streams` must outlive end()). Each connection thread's
  /// CPU time is read at the window's edges whatever the options.
  void open_counters(const std::vector<pid_t>& connection_tids, pid_t coordinator_tid,
                     const CounterSet* streams = nullptr);

  /// The window's edges, called by the coordinating thread right around its snapshots.
  void begin();
  void end();

  /// Per-connection histogram (nullptr when this side times nothing) and the flag that says
  /// whether a value belongs to the window; the connection's thread alone writes it.
  LatencyHistogram* histogram(int stream) { return hist_.empty() ? nullptr : &hist_[stream]; }
  const std::atomic<bool>& recording() const { return recording_; }

  /// Counters, CPU and (when timed) latency into `side`; call once the threads have ended.
  /// `latency_what` names what was timed; `no_latency_reason` says why nothing was.
  /// `zerocopy_sends`: this side's sends used MSG_ZEROCOPY (for the profile's copy count).
  void fill(SideFigures& side, const std::string& latency_what, const std::string& no_latency_reason,
            bool zerocopy_sends = false) const;

 private:
  void rates_from_timed_slices(SideFigures& side) const;
  void fill_profile(SideFigures& side, bool measured, bool zerocopy_sends) const;
  void fill_counters(SideFigures& side, bool measured) const;
  void fill_cpu(SideFigures& side) const;  // the window was measured
  const bool counters_on_;
  const bool profile_on_;
  const bool sliced_;  // counters apart from the rates and latency, in alternating slices (run/counter_slicer.h)
  const int64_t slice_ns_;
  std::unique_ptr<ThreadCounters> counters_;
  std::unique_ptr<CounterSlicer> slicer_;
  std::unique_ptr<ProfileMeter> profile_;
  std::string profile_error_;
  CpuMeter cpu_;
  ThreadCpuMeter thread_cpu_;
  std::string counters_error_;
  bool began_ = false, ended_ = false;
  std::vector<LatencyHistogram> hist_;
  std::atomic<bool> recording_{false};
};

/// The measured window's two edges, on the coordinating thread: the meter begins right before
/// the first snapshot of the byte counters and ends right after the last, so every figure of
/// the side covers the same interval.
/// With watch(), each edge also reads every connection's TCP_INFO, and the window is cut into
/// --intervals: the coordinator waits until next_tick_ns() and calls tick() there.
class WindowEdges {
 public:
  using TcpReader = std::function<std::vector<TcpSample>()>;  // each connection's socket, in index order
  using IntervalSink = std::function<void(const IntervalFigures&)>;

  WindowEdges(const CounterSet& counters, WindowMeter& meter) : counters_(counters), meter_(meter) {}

  /// Before open(): what reads the sockets, the interval (0: none) and who hears of each
  /// interval as it ends (on the coordinating thread; may be empty).
  void watch(TcpReader reader, int64_t interval_ns, IntervalSink sink = {});

  void open();
  /// The window's end, or the moment it was cut short; the last interval ends here.
  void close();
  /// When the current interval ends; INT64_MAX when there are no intervals or the window is not open.
  int64_t next_tick_ns() const { return next_tick_ns_; }
  /// Ends the current interval now (at or after next_tick_ns()).
  void tick();
  /// A window an error interrupted: the meter ends, no end snapshot is taken (the window stays
  /// unknown). Idempotent, and after close() a no-op.
  void abandon();

  const Snapshot* first() const { return first_ ? &*first_ : nullptr; }
  const Snapshot* last() const { return last_ ? &*last_ : nullptr; }
  Snapshot now() const { return counters_.snapshot(); }
  /// The sockets read at open() and close(); empty when not read.
  const std::vector<TcpSample>& first_tcp() const { return first_tcp_; }
  const std::vector<TcpSample>& last_tcp() const { return last_tcp_; }
  bool watched() const { return static_cast<bool>(reader_); }
  int64_t interval_ns() const { return interval_ns_; }
  const std::vector<IntervalFigures>& intervals() const { return intervals_; }

 private:
  std::vector<TcpSample> read_sockets() const { return reader_ ? reader_() : std::vector<TcpSample>{}; }
  void end_interval(const Snapshot& now, std::vector<TcpSample> tcp);

  const CounterSet& counters_;
  WindowMeter& meter_;
  std::optional<Snapshot> first_, last_;
  TcpReader reader_;
  int64_t interval_ns_ = 0;
  IntervalSink sink_;
  int64_t next_tick_ns_ = INT64_MAX;
  Snapshot previous_;  // the current interval's start
  std::vector<TcpSample> previous_tcp_;
  std::vector<TcpSample> first_tcp_, last_tcp_;
  std::vector<IntervalFigures> intervals_;
};

/// Summary and buckets of a histogram (what: send_call or transaction).
LatencyFigures latency_figures(const LatencyHistogram& histogram, const std::string& what);

}  // namespace copybench
