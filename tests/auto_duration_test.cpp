#include <gtest/gtest.h>

#include "session/auto_duration.h"

using namespace copybench;

TEST(AutoDuration, SteadyRatesEndTheWindowAfterTheMinimum) {
  StabilityDetector d;
  const int64_t step = d.rule().interval_ns;
  int64_t t = 0;
  bool ended = false;
  int intervals = 0;
  while (!ended && intervals < 100) {
    t += step;
    ++intervals;
    ended = d.add(100.0 + (intervals % 2 ? 0.5 : -0.5), t);  // +-0.5%: steady
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(intervals, 8) << "8 intervals of 250 ms: the 2 s minimum and a full window";
  EXPECT_LT(d.relative_half_width(), 0.02);
}

TEST(AutoDuration, NoisyOrDriftingRatesKeepGoing) {
  StabilityDetector noisy, drifting;
  const int64_t step = noisy.rule().interval_ns;
  for (int i = 1; i <= 40; ++i) {
    EXPECT_FALSE(noisy.add(i % 2 ? 70.0 : 130.0, i * step)) << i;  // +-30%
    EXPECT_FALSE(drifting.add(10.0 * i, i * step)) << i;           // climbing
  }
  EXPECT_GT(noisy.relative_half_width(), 0.02);
}

TEST(AutoDuration, NeverBeforeTheMinimumAndNeverOnZero) {
  StabilityRule rule;
  rule.min_ns = 10'000'000'000;
  StabilityDetector d(rule);
  for (int i = 1; i <= 39; ++i) EXPECT_FALSE(d.add(100.0, i * rule.interval_ns)) << i;
  EXPECT_TRUE(d.add(100.0, 40 * rule.interval_ns));
  StabilityDetector idle;
  for (int i = 1; i <= 40; ++i) EXPECT_FALSE(idle.add(0.0, i * rule.interval_ns));
}
