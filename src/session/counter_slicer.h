#pragma once
// Perf counters apart from the rates and latencies: counting and timing in alternating slices
// of the window, so that neither pays for the other. Per-thread events are switched out and in
// at every context switch: counted, a 1 KiB round trip here took 1.3x as long, and a 64 KiB
// stream over two connections on two CPUs ran 0.89x as fast (docs/PERFORMANCE.md). Events that are open but disabled
// still cost about half of that, so a counted slice opens the events on the threads and a timed slice runs with none
// open at all: timed, counted, timed, ... The latency histograms record and the rates are measured in the timed slices
// only; the counts are summed over the counted ones (METHODOLOGY.md section 7, "Counters apart: alternating slices").
#include <sys/types.h>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metrics/perf_counters.h"
#include "session/slice_timer.h"
#include "session/window.h"

namespace copybench {

class CounterSlicer {
 public:
  /// Counts on `tids` (threads of this process); `recording` is the histograms' flag and
  /// `streams` the side's byte and message counters, read at each slice's edges (may be null);
  /// both outlive this.
  CounterSlicer(std::vector<pid_t> tids, std::atomic<bool>& recording, int64_t slice_ns,
                const CounterSet* streams = nullptr)
      : tids_(std::move(tids)), recording_(recording), slice_ns_(slice_ns), streams_(streams) {}
  CounterSlicer(const CounterSlicer&) = delete;
  CounterSlicer& operator=(const CounterSlicer&) = delete;
  ~CounterSlicer() { end(); }

  /// The window's start: a timed slice first.
  void begin();
  /// The window's end: the switching stops, counters off, histograms off. Idempotent.
  void end();

  /// Each event summed over the counted slices (counter_specs() order; running_pct the lowest
  /// of any slice); empty when no slice was counted. Valid after end().
  const std::vector<CounterReading>& readings() const { return sum_; }
  int64_t counted_ns() const { return counted_ns_; }
  int64_t window_ns() const { return counted_ns_ + timed_ns_; }
  /// The timed slices alone: their length and what the connections moved in them (the rates
  /// that no counting slowed down).
  int64_t timed_ns() const { return timed_ns_; }
  uint64_t timed_bytes() const { return timed_bytes_; }
  uint64_t timed_messages() const { return timed_messages_; }
  int slices_counted() const { return slices_counted_; }
  int slices_timed() const { return slices_timed_; }
  /// Why counting stopped early ("" when it did not): the counts cover less, still scaled right.
  const std::string& error() const { return error_; }

 private:
  void flip(int64_t now_ns);         // at a slice's edge: close the slice, turn the other way
  void open_and_count();             // a counted slice begins; throws Error
  void stop_and_add();               // it ends: the counts are added, the events closed
  void close_slice(int64_t now_ns);  // the slice's time, bytes and messages to its kind

  const std::vector<pid_t> tids_;
  std::unique_ptr<ThreadCounters> open_;  // during a counted slice only
  std::vector<CounterReading> sum_;
  std::atomic<bool>& recording_;
  const int64_t slice_ns_;
  const CounterSet* streams_;
  Snapshot last_;
  uint64_t timed_bytes_ = 0, timed_messages_ = 0;
  SliceTimer switcher_;
  // Written by the switching thread between begin() and end(), read after it has joined.
  bool counting_ = false;
  int64_t slice_start_ns_ = 0;
  int64_t counted_ns_ = 0, timed_ns_ = 0;
  int slices_counted_ = 0, slices_timed_ = 0;
  std::string error_;
  bool began_ = false, ended_ = false;
};

}  // namespace copybench
