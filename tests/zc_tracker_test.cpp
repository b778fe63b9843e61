#include <gtest/gtest.h>

#include "strategies/zc_tracker.h"

using namespace copybench;

TEST(ZcTracker, InOrderRangesReleaseBuffers) {
  ZcTracker t;
  for (int i = 0; i < 10; ++i) t.issue();
  EXPECT_FALSE(t.released(0));
  t.complete(0, 3);
  EXPECT_TRUE(t.released(3));
  EXPECT_FALSE(t.released(4));
  t.complete(4, 9);
  EXPECT_TRUE(t.all_released());
}

TEST(ZcTracker, OutOfOrderRangesWaitForTheGap) {
  ZcTracker t;
  for (int i = 0; i < 10; ++i) t.issue();
  t.complete(5, 9);
  EXPECT_FALSE(t.released(5));
  EXPECT_EQ(t.outstanding(), 10u);
  t.complete(0, 4);
  EXPECT_TRUE(t.released(9));
  EXPECT_TRUE(t.all_released());
}

TEST(ZcTracker, ReleasedUsesSerialNumberArithmetic) {
  // Ids are 32-bit and wrap; "released" compares by distance, not by magnitude.
  ZcTracker w;
  for (uint32_t i = 0; i < 3; ++i) w.issue();
  w.complete(0, 2);
  EXPECT_TRUE(w.all_released());
  EXPECT_FALSE(w.released(3));
  EXPECT_TRUE(w.released(0xFFFFFFFFu));   // just before id 0
  EXPECT_FALSE(w.released(0x7FFFFFFFu));  // far ahead
}
