// Each thread's CPU clock (metrics/thread_cpu): the share of a window each connection thread ran.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/clock.h"
#include "metrics/perf_counters.h"
#include "metrics/thread_cpu.h"

using namespace copybench;

TEST(ThreadCpu, ABusyThreadRunsMoreThanASleepingOne) {
  std::atomic<pid_t> busy_tid{0}, idle_tid{0};
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    busy_tid = current_tid();
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  std::thread idle([&] {
    idle_tid = current_tid();
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  while (!busy_tid || !idle_tid) std::this_thread::yield();
  ThreadCpuMeter meter({busy_tid, idle_tid});
  meter.start(now_ns());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  meter.stop(now_ns());
  stop = true;
  busy.join();
  idle.join();
  auto pct = meter.on_cpu_pct();
  ASSERT_EQ(pct.size(), 2u);
  ASSERT_TRUE(pct[0] && pct[1]) << meter.reason();
  EXPECT_GT(*pct[0], *pct[1]);
  EXPECT_GE(*pct[1], 0.0);
  std::string why;
  EXPECT_FALSE(thread_cpu_ns(busy_tid, &why)) << "an ended thread has no clock";
  EXPECT_FALSE(why.empty());
}
