#include "metrics/histogram.h"

#include <algorithm>
#include <cmath>

namespace copybench {

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  // An empty histogram holds min_ = UINT64_MAX and max_ = 0, so it changes neither.
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p <= 0) return min();
  if (p >= 100) return max_;
  // p * count first: exact for counts below 2^53, so 99% of 100000 is rank 99000, not 99001
  // (0.99 is not representable and p / 100 * count can land just above the integer).
  double exact_rank = std::ceil(p * static_cast<double>(count_) / 100.0);
  uint64_t rank = exact_rank < 1 ? 1 : static_cast<uint64_t>(exact_rank);
  rank = std::min(rank, count_);

  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    uint64_t width = bucket_width(i);
    // lower + width / 2 cannot overflow: the top bucket's midpoint is 255.5 * 2^56 < 2^64.
    uint64_t mid = width == 1 ? bucket_lower(i) : bucket_lower(i) + width / 2;
    return std::clamp(mid, min(), max_);
  }
  return max_;  // not reached: the buckets hold count_ values
}

std::vector<std::pair<uint64_t, uint64_t>> LatencyHistogram::buckets() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) out.emplace_back(bucket_lower(i), counts_[i]);
  }
  return out;
}

LatencyHistogram LatencyHistogram::from_buckets(const std::vector<std::pair<uint64_t, uint64_t>>& buckets, uint64_t min,
                                                uint64_t max, uint64_t sum) {
  LatencyHistogram h;
  for (const auto& [lower, n] : buckets) {
    h.counts_[bucket_index(lower)] += n;
    h.count_ += n;
  }
  h.sum_ = sum;
  // Keep the empty sentinels when there is nothing, or merging this one would drag min to 0.
  if (h.count_ != 0) {
    h.min_ = min;
    h.max_ = max;
  }
  return h;
}

uint64_t LatencyHistogram::bucket_lower(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  size_t shift = index / kSubBuckets - 1;
  return static_cast<uint64_t>(index - shift * kSubBuckets) << shift;
}

uint64_t LatencyHistogram::bucket_width(size_t index) {
  if (index < 2 * kSubBuckets) return 1;
  size_t shift = index / kSubBuckets - 1;
  return uint64_t{1} << shift;
}

}  // namespace copybench
