#pragma once
// The measured window. Data-path threads only bump per-connection counters (relaxed atomics,
// one writer each); a coordinator sleeps until the window's edges and snapshots them. The hot
// loops read a clock only to time what their latency histogram records (roles/sender.h: a
// sample of the send calls; roles/requester.h: each round trip), never to find the window.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "results/result.h"

namespace copybench {

struct alignas(64) StreamCounters {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> messages{0};

  /// Single writer: a plain load+store, no locked instruction in the hot loop.
  void add(uint64_t more_bytes, uint64_t more_messages) {
    bytes.store(bytes.load(std::memory_order_relaxed) + more_bytes, std::memory_order_relaxed);
    messages.store(messages.load(std::memory_order_relaxed) + more_messages, std::memory_order_relaxed);
  }
};

struct Snapshot {
  int64_t t_ns = 0;  // monotonic
  std::vector<uint64_t> bytes, messages;
};

class CounterSet {
 public:
  explicit CounterSet(int streams) : n_(streams), counters_(std::make_unique<StreamCounters[]>(streams)) {}
  StreamCounters& operator[](int i) { return counters_[i]; }
  int size() const { return n_; }
  Snapshot snapshot() const;

 private:
  int n_;
  std::unique_ptr<StreamCounters[]> counters_;
};

/// Sleeps until deadline_ns (monotonic) in short steps; returns false early if stop() is true.
bool sleep_until(int64_t deadline_ns, const std::function<bool()>& stop);

/// Per-connection and side totals from the counters' final values (after the connections ended).
void fill_totals(SideFigures& side, const CounterSet& counters);

/// Fills a side's window figures from two snapshots; either absent leaves the window unknown.
/// The side's streams must already be sized (fill_totals).
void fill_window(SideFigures& side, const Snapshot* start, const Snapshot* end, int64_t t0_ns);

}  // namespace copybench
