// What limited a run: the verdict from both sides' CPU figures. The figures' sources:
// thread_cpu_test.cpp (each thread's CPU clock), cpu_usage_test.cpp (the machine's idle share).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "results/limits.h"

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
  EXPECT_EQ(verdict(run_of(side(Side::sender, {std::nullopt}, 10), side(Side::receiver, {99}, 10))),
            Limit::receiver_cpu);
}

TEST(Limits, NamesReadBack) {
  for (Limit l : {Limit::sender_cpu, Limit::receiver_cpu, Limit::both_cpus, Limit::neither})
    EXPECT_EQ(parse_limit(limit_name(l)), l);
  EXPECT_ANY_THROW(parse_limit("cpu"));
}
