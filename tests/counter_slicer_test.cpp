// rr's counting in slices apart from the timed ones (session/counter_slicer): the window cut
// into alternating timed and counted slices, and the software events summed over the counted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "metrics/perf_counters.h"
#include "session/counter_slicer.h"

using namespace copybench;

TEST(CounterSlicer, CountsAndTimesInAlternatingSlicesCoveringTheWindow) {
  std::atomic<bool> recording{false};
  int64_t t0 = now_ns();
  CounterSlicer slicer({current_tid()}, recording, 10'000'000);
  slicer.begin();
  EXPECT_TRUE(recording.load()) << "the first slice is timed";
  bool saw_counting = false, saw_timing = false;
  while (now_ns() - t0 < 120'000'000) {
    (recording.load() ? saw_timing : saw_counting) = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  slicer.end();
  int64_t window = now_ns() - t0;
  EXPECT_FALSE(recording.load()) << "nothing records after the window";
  EXPECT_TRUE(saw_counting && saw_timing);
  EXPECT_GE(slicer.slices_counted(), 2);
  EXPECT_GE(slicer.slices_timed(), 2);
  EXPECT_GT(slicer.counted_ns(), 0);
  EXPECT_LE(slicer.window_ns(), window);
  EXPECT_LT(slicer.counted_ns(), slicer.window_ns());
  EXPECT_TRUE(slicer.error().empty()) << slicer.error();
  // The software events counted in the counted slices only, summed: task-clock is this
  // thread's CPU time there, at most the counted time.
  ASSERT_EQ(slicer.readings().size(), counter_specs().size());
  for (const auto& reading : slicer.readings()) {
    if (reading.name == "task-clock" && reading.value) {
      EXPECT_LE(static_cast<int64_t>(*reading.value), slicer.counted_ns() + 1'000'000);
    }
  }
}
