#pragma once
// A thread that calls `on_edge` at each slice edge of a window (first_edge, first_edge + slice,
// ...) until stop(): what --profile's meter and the counter slicer alternate by.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

namespace copybench {

class SliceTimer {
 public:
  SliceTimer() = default;
  SliceTimer(const SliceTimer&) = delete;
  SliceTimer& operator=(const SliceTimer&) = delete;
  ~SliceTimer() { stop(); }

  /// Edges on CLOCK_MONOTONIC (steady_clock), the clock of now_ns() and of the snapshots.
  void start(int64_t first_edge_ns, int64_t slice_ns, std::function<void()> on_edge) {
    thread_ = std::thread([this, first_edge_ns, slice_ns, on_edge = std::move(on_edge)] {
      std::unique_lock lock(mu_);
      for (int64_t edge_ns = first_edge_ns;; edge_ns += slice_ns) {
        const std::chrono::steady_clock::time_point edge{std::chrono::nanoseconds(edge_ns)};
        if (cv_.wait_until(lock, edge, [this] { return stop_; })) return;
        lock.unlock();
        on_edge();
        lock.lock();
      }
    });
  }

  /// No edge runs after this returns. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// The sum of per-connection counts (a snapshot's bytes or messages).
inline uint64_t sum_of(const std::vector<uint64_t>& counts) {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

}  // namespace copybench
