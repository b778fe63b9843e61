#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace copybench {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// |got - want| as a fraction of want.
double relative_error(uint64_t got, uint64_t want) {
  double diff = got > want ? double(got - want) : double(want - got);
  return diff / double(want);
}

TEST(Histogram, UniformValuesGiveKnownPercentiles) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100000u);
  EXPECT_DOUBLE_EQ(h.mean(), 50000.5);
  EXPECT_LT(relative_error(h.percentile(50), 50000), 0.01);
  EXPECT_LT(relative_error(h.percentile(90), 90000), 0.01);
  EXPECT_LT(relative_error(h.percentile(99), 99000), 0.01);
  EXPECT_LT(relative_error(h.percentile(99.9), 99900), 0.01);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.percentile(100), 100000u);
}

TEST(Histogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 127u);  // rank 128 of 0..255
  EXPECT_EQ(h.percentile(1), 2u);     // rank ceil(2.56) = 3
  EXPECT_EQ(h.buckets().size(), 256u);
}

TEST(Histogram, EveryValueLiesInItsBucketWithin1Of128) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 1'000'000; ++i) {
    uint64_t v = rng() >> (rng() % 64);  // spread over every magnitude
    size_t index = LatencyHistogram::bucket_index(v);
    ASSERT_LT(index, LatencyHistogram::kBucketCount);
    uint64_t lower = LatencyHistogram::bucket_lower(index);
    uint64_t width = LatencyHistogram::bucket_width(index);
    ASSERT_LE(lower, v);
    ASSERT_LT(v - lower, width) << v;  // v < lower + width without overflowing at the top
    if (v >= 256) {
      ASSERT_LE(width * 128, lower) << v;
    } else {
      ASSERT_EQ(width, 1u);
    }
  }
}

TEST(Histogram, PercentilesOfRandomValuesAreWithinBucketError) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(10.0, 1.5);  // around 22 us, long tail
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200'000; ++i) {
    values.push_back(static_cast<uint64_t>(latency(rng)));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    uint64_t rank = static_cast<uint64_t>(std::ceil(p * double(values.size()) / 100.0));
    uint64_t exact = values[rank - 1];
    // The midpoint is at most half a bucket (1/256 of the value) away, plus rounding.
    EXPECT_LE(relative_error(h.percentile(p), exact), 1.0 / 256 + 1e-9) << "p" << p;
  }
}

TEST(Histogram, MergeEqualsRecordingIntoOne) {
  std::mt19937_64 rng(3);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 50'000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  LatencyHistogram empty;
  a.merge(b);
  a.merge(empty);  // an empty one changes nothing, min included
  EXPECT_EQ(a.buckets(), all.buckets());
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.sum(), all.sum());
  EXPECT_EQ(a.percentile(99), all.percentile(99));
}

TEST(Histogram, KeepsEdgeValuesZeroAndMax) {
  LatencyHistogram h;
  h.record(0);
  h.record(kMax);
  h.record(1000);
  h.record(kMax - 1);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), kMax);
  EXPECT_EQ(h.percentile(0), 0u);
  EXPECT_EQ(h.percentile(100), kMax);
  EXPECT_LE(h.percentile(25), h.percentile(50));
  EXPECT_LE(h.percentile(50), h.percentile(75));
  EXPECT_LE(h.percentile(75), h.percentile(99));
  EXPECT_GT(h.percentile(99), kMax / 2);  // the top bucket's midpoint, not a wrapped value
  EXPECT_EQ(LatencyHistogram::bucket_index(kMax), LatencyHistogram::kBucketCount - 1);
}

TEST(Histogram, EmptyGivesZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.sum(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(0), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(100), 0u);
  EXPECT_TRUE(h.buckets().empty());
}

TEST(Histogram, FromBucketsRoundTrips) {
  std::mt19937_64 rng(11);
  LatencyHistogram h;
  for (int i = 0; i < 20'000; ++i) h.record(rng() >> (rng() % 64));
  LatencyHistogram back = LatencyHistogram::from_buckets(h.buckets(), h.min(), h.max(), h.sum());
  EXPECT_EQ(back.buckets(), h.buckets());
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.min(), h.min());
  EXPECT_EQ(back.max(), h.max());
  EXPECT_EQ(back.sum(), h.sum());
  for (double p : {0.0, 50.0, 99.0, 100.0}) EXPECT_EQ(back.percentile(p), h.percentile(p));

  // An empty round trip must stay empty, or merging it would pull min down to 0.
  LatencyHistogram e = LatencyHistogram::from_buckets({}, 0, 0, 0);
  LatencyHistogram one;
  one.record(500);
  one.merge(e);
  EXPECT_EQ(one.min(), 500u);
}

TEST(Histogram, PercentilesAreMonotonic) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> latency(1.0 / 30000);
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) h.record(static_cast<uint64_t>(latency(rng)));
  uint64_t last = h.min();
  for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    EXPECT_LE(last, h.percentile(p)) << "p" << p;
    last = h.percentile(p);
  }
  EXPECT_LE(last, h.max());
}

// Every record is counted once, in exactly one bucket, whatever the value (the bookkeeping
// whose cost bench/micro_bench.cpp measures: BM_HistogramRecord, BM_TimedMessageOverhead).
TEST(Histogram, CountsEveryRecordOnceInOneBucket) {
  constexpr int kN = 1'000'000;
  LatencyHistogram h;
  for (int i = 0; i < kN; ++i) h.record(uint64_t(i) * 2654435761u % 1'000'000);  // varied buckets
  EXPECT_EQ(h.count(), uint64_t{kN});
  uint64_t in_buckets = 0;
  for (const auto& bucket : h.buckets()) in_buckets += bucket.second;  // (lower bound, count)
  EXPECT_EQ(in_buckets, uint64_t{kN});
}

}  // namespace
}  // namespace copybench
