// What limited a run: the verdict from both sides' CPU figures, each thread's CPU clock, and
// rr's counting in slices apart from the timed ones.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "metrics/perf_counters.h"
#include "metrics/thread_cpu.h"
#include "results/limits.h"
#include "session/counter_slicer.h"

using namespace copybench;

namespace {

SideFigures side(Side which, std::vector<std::optional<double>> threads, std::optional<double> idle,
                 const char* host = "h") {
  SideFigures s;
  s.side = which;
  s.host = host;
  s.cpu = CpuFigures{};
  s.cpu->thread_on_cpu_pct = std::move(threads);
  s.cpu->system_idle_pct = idle;
  return s;
}

RunResult run_of(SideFigures sender, SideFigures receiver) {
  RunResult r;
  r.sender = std::move(sender);
  r.receiver = std::move(receiver);
  decide_limit(r);
  return r;
}

Limit verdict(const RunResult& r) {
  EXPECT_TRUE(r.limited_by.has_value()) << r.limited_by_reason;
  return r.limited_by ? r.limited_by->verdict : Limit::neither;
}

}  // namespace

TEST(Limits, TheSaturatedSideIsNamedWithTheFiguresThatDecidedIt) {
  auto r = run_of(side(Side::sender, {97.2}, 30), side(Side::receiver, {41.0}, 30));
  EXPECT_EQ(verdict(r), Limit::sender_cpu);
  EXPECT_NE(r.limited_by->why.find("sender 97%"), std::string::npos) << r.limited_by->why;
  EXPECT_NE(r.limited_by->why.find("machine idle 30%"), std::string::npos) << r.limited_by->why;
  EXPECT_TRUE(r.limited_by->one_machine);
  // The busiest connection thread counts, not the mean.
  EXPECT_EQ(verdict(run_of(side(Side::sender, {20, 30}, 40), side(Side::receiver, {10, 95}, 40))), Limit::receiver_cpu);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {91}, 0), side(Side::receiver, {93}, 0))), Limit::both_cpus);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {60}, 30), side(Side::receiver, {50}, 30))), Limit::neither);
}

TEST(Limits, OneMachineWithNoIdleCpuIsBothSidesSaturated) {
  // Two connections a side on two CPUs: no thread gets a CPU to itself, none is left idle.
  EXPECT_EQ(verdict(run_of(side(Side::sender, {55, 50}, 1), side(Side::receiver, {45, 44}, 1))), Limit::both_cpus);
  // On two machines each side's own idle share decides for that side alone.
  auto r = run_of(side(Side::sender, {55}, 2, "a"), side(Side::receiver, {45}, 60, "b"));
  EXPECT_EQ(verdict(r), Limit::sender_cpu);
  EXPECT_FALSE(r.limited_by->one_machine);
}

TEST(Limits, UnknownFiguresGiveNoVerdictButAReason) {
  RunResult r;
  r.receiver = side(Side::receiver, {50}, 10);
  decide_limit(r);
  EXPECT_FALSE(r.limited_by);
  EXPECT_EQ(r.limited_by_reason, "the sender's figures are missing");
  auto unknown = run_of(side(Side::sender, {std::nullopt}, 10), side(Side::receiver, {std::nullopt}, 10));
  EXPECT_FALSE(unknown.limited_by);
  EXPECT_FALSE(unknown.limited_by_reason.empty());
  // One side's share is enough to decide.
  EXPECT_EQ(verdict(run_of(side(Side::sender, {std::nullopt}, 10), side(Side::receiver, {99}, 10))), Limit::receiver_cpu);
}

TEST(Limits, NamesReadBack) {
  for (Limit l : {Limit::sender_cpu, Limit::receiver_cpu, Limit::both_cpus, Limit::neither})
    EXPECT_EQ(parse_limit(limit_name(l)), l);
  EXPECT_ANY_THROW(parse_limit("cpu"));
}

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
