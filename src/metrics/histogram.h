#pragma once
// Latency histogram: log-linear buckets (exact below 256 ns, then 128 buckets per power of
// two), so any recorded value is known to within 1/128 (0.78%) of itself; percentiles report a
// bucket's midpoint, at most 0.4% off. Recording is one index computation and three plain
// updates: each thread records into its own histogram and they are merged after the window.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace copybench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // per power of two
  static constexpr size_t kBucketCount = (64 - kSubBucketBits + 1) * kSubBuckets;

  LatencyHistogram();

  /// Hot path: no allocation, no lock, no branch beyond min/max.
  void record(uint64_t value) {
    ++counts_[bucket_index(value)];
    ++count_;
    sum_ += value;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  /// Adds every value of `other` (merge of per-thread histograms).
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }  // exact
  uint64_t max() const { return max_; }               // exact
  double mean() const;                                // exact (sum / count); 0 when empty
  uint64_t sum() const { return sum_; }               // 584 years of ns before it wraps

  /// Value at percentile p (0..100): the midpoint of the bucket holding the ceil(p% * count)-th
  /// smallest value, clamped to [min, max]; p = 0 gives min, p = 100 max. 0 when empty.
  uint64_t percentile(double p) const;

  /// Non-empty buckets as (lower bound, count), in increasing order.
  std::vector<std::pair<uint64_t, uint64_t>> buckets() const;

  /// Rebuilds a histogram from buckets() plus the exact min, max and sum (for JSON round trips).
  static LatencyHistogram from_buckets(const std::vector<std::pair<uint64_t, uint64_t>>& buckets, uint64_t min,
                                       uint64_t max, uint64_t sum);

  static size_t bucket_index(uint64_t value) {
    if (value < 2 * kSubBuckets) return static_cast<size_t>(value);
    int shift = std::bit_width(value) - 1 - kSubBucketBits;  // >= 1
    return static_cast<size_t>(shift) * kSubBuckets + static_cast<size_t>(value >> shift);
  }
  static uint64_t bucket_lower(size_t index);
  static uint64_t bucket_width(size_t index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace copybench
