// What limited a run: the verdict from both sides' CPU figures. The figures' sources:
// thread_cpu_test.cpp (each thread's CPU clock), cpu_usage_test.cpp (the machine's idle share).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "output/writers.h"
#include "results/limits.h"
#include "results/result_json.h"

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

// Two unsaturated sides on one machine, the sender's TCP held by its send buffer and by the
// receiver's window these shares of the window.
RunResult with_tcp(double sndbuf_pct, double rwnd_pct, TestMode mode = TestMode::stream,
                   SideFigures receiver = side(Side::receiver, {30}, 40)) {
  RunResult r;
  r.params.mode = mode;
  r.sender = side(Side::sender, {30}, 40);
  r.sender->tcp_info = TcpFigures{};
  r.sender->tcp_info->busy_pct = 100;
  r.sender->tcp_info->sndbuf_limited_pct = sndbuf_pct;
  r.sender->tcp_info->rwnd_limited_pct = rwnd_pct;
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

// Each threshold decides at its value, and one step below (or above, for idle) does not.
TEST(Limits, EachThresholdDecidesAtItsBoundary) {
  EXPECT_EQ(verdict(run_of(side(Side::sender, {kSaturatedThreadPct}, 30), side(Side::receiver, {10}, 30))),
            Limit::sender_cpu);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {kSaturatedThreadPct - 0.01}, 30), side(Side::receiver, {10}, 30))),
            Limit::neither);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {10}, 30), side(Side::receiver, {kSaturatedThreadPct}, 30))),
            Limit::receiver_cpu);
  // Two machines: each side's machine idle at most 5% saturates that side.
  EXPECT_EQ(verdict(run_of(side(Side::sender, {10}, 50, "a"), side(Side::receiver, {10}, kSaturatedIdlePct, "b"))),
            Limit::receiver_cpu);
  EXPECT_EQ(
      verdict(run_of(side(Side::sender, {10}, 50, "a"), side(Side::receiver, {10}, kSaturatedIdlePct + 0.01, "b"))),
      Limit::neither);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {10}, kSaturatedIdlePct, "a"), side(Side::receiver, {10}, 50, "b"))),
            Limit::sender_cpu);
  // One machine: its idle share at most 5% with no saturated thread is both sides taking turns.
  EXPECT_EQ(verdict(run_of(side(Side::sender, {60}, kSaturatedIdlePct), side(Side::receiver, {60}, kSaturatedIdlePct))),
            Limit::both_cpus);
  EXPECT_EQ(verdict(run_of(side(Side::sender, {60}, kSaturatedIdlePct + 0.01),
                           side(Side::receiver, {60}, kSaturatedIdlePct + 0.01))),
            Limit::neither);
  // TCP's clocks: 50% of the window held by one cause names it; the larger of the two wins.
  EXPECT_EQ(verdict(with_tcp(kTcpLimitedPct, 0)), Limit::sender_sndbuf);
  EXPECT_EQ(verdict(with_tcp(kTcpLimitedPct - 0.01, 0)), Limit::neither);
  EXPECT_EQ(verdict(with_tcp(0, kTcpLimitedPct)), Limit::receiver_window);
  EXPECT_EQ(verdict(with_tcp(0, kTcpLimitedPct - 0.01)), Limit::neither);
  EXPECT_EQ(verdict(with_tcp(60, 70)), Limit::receiver_window);
  EXPECT_EQ(verdict(with_tcp(70, 60)), Limit::sender_sndbuf);
  // In rr both ends wait by turns: TCP's clocks decide nothing.
  auto rr = with_tcp(80, 0, TestMode::rr);
  EXPECT_EQ(verdict(rr), Limit::neither);
  EXPECT_FALSE(rr.limited_by->sender_sndbuf_limited_pct) << "not quoted in rr";
}

// A side whose threads were not measured is never said to have been unsaturated.
TEST(Limits, AnUnmeasuredSideIsNamedAndNeverSaidUnsaturated) {
  SideFigures unknown = side(Side::receiver, {std::nullopt}, 30);
  unknown.cpu->thread_reason = "no CPU clock for the thread";
  // Nothing measured decides: no verdict, and the reason names the side and why.
  auto open = run_of(side(Side::sender, {40}, 30), unknown);
  EXPECT_FALSE(open.limited_by) << open.limited_by->why;
  EXPECT_NE(open.limited_by_reason.find("the sender not saturated"), std::string::npos) << open.limited_by_reason;
  EXPECT_NE(open.limited_by_reason.find("the receiver's connection threads' CPU time is unknown (no CPU clock"),
            std::string::npos)
      << open.limited_by_reason;
  EXPECT_EQ(open.limited_by_reason.find("no side saturated"), std::string::npos) << open.limited_by_reason;
  // A measured saturated side decides, and the verdict says what was not measured.
  auto saturated = run_of(side(Side::sender, {97}, 30), unknown);
  EXPECT_EQ(verdict(saturated), Limit::sender_cpu);
  EXPECT_NE(saturated.limited_by->why.find("receiver's connection threads' CPU time is unknown"), std::string::npos)
      << saturated.limited_by->why;
  // One thread of two unknown: the side is not fully measured either.
  auto half = run_of(side(Side::sender, {40, std::nullopt}, 30), side(Side::receiver, {40}, 30));
  EXPECT_FALSE(half.limited_by);
  EXPECT_NE(half.limited_by_reason.find("the receiver not saturated"), std::string::npos) << half.limited_by_reason;
  // TCP's clocks still say what held the sender, without a word about the unmeasured side.
  auto held = with_tcp(80, 0, TestMode::stream, std::move(unknown));
  EXPECT_EQ(verdict(held), Limit::sender_sndbuf);
  EXPECT_NE(held.limited_by->why.find("the sender not saturated"), std::string::npos) << held.limited_by->why;
  EXPECT_EQ(held.limited_by->why.find("no side saturated"), std::string::npos) << held.limited_by->why;
}

TEST(Limits, AMissingSideOrWindowIsNamed) {
  RunResult no_receiver;
  no_receiver.sender = side(Side::sender, {50}, 10);
  decide_limit(no_receiver);
  EXPECT_EQ(no_receiver.limited_by_reason, "the receiver's figures are missing");
  RunResult no_window = run_of(side(Side::sender, {50}, 10), side(Side::receiver, {50}, 10));
  no_window.receiver->cpu.reset();
  decide_limit(no_window);
  EXPECT_FALSE(no_window.limited_by);
  EXPECT_EQ(no_window.limited_by_reason, "the receiver measured no window");
  no_window.sender->cpu.reset();
  decide_limit(no_window);
  EXPECT_EQ(no_window.limited_by_reason, "the sender measured no window");
}

// A synthetic run whose figures force a verdict: it reaches the JSON, the CSV's column and the
// table as decided, and a run without one says why in the same places.
TEST(Limits, AForcedVerdictReachesEveryOutput) {
  auto r = run_of(side(Side::sender, {30}, 40), side(Side::receiver, {96}, 40));
  auto j = to_json(r);
  EXPECT_EQ(j["limited_by"]["verdict"], "receiver_cpu");
  EXPECT_EQ(j["limited_by"]["receiver"]["busiest_thread_on_cpu_pct"], 96.0);
  EXPECT_TRUE(j["limited_by_reason"].is_null());
  EXPECT_NE(render_table(r).find("limited by: "), std::string::npos);
  EXPECT_NE(
      render_table(r).find("the receiver saturated (busiest connection thread on a CPU: sender 30%, receiver 96%"),
      std::string::npos)
      << render_table(r);
  EXPECT_EQ(run_result_from_json(j).limited_by->verdict, Limit::receiver_cpu) << "read back from the JSON";
  RunResult none;
  decide_limit(none);
  EXPECT_TRUE(to_json(none)["limited_by"].is_null());
  EXPECT_EQ(to_json(none)["limited_by_reason"], "the sender's figures are missing");
  EXPECT_NE(render_table(none).find("limited by: unknown: the sender's figures are missing"), std::string::npos);
}

TEST(Limits, NamesReadBack) {
  for (Limit l : {Limit::sender_cpu, Limit::receiver_cpu, Limit::both_cpus, Limit::neither})
    EXPECT_EQ(parse_limit(limit_name(l)), l);
  EXPECT_ANY_THROW(parse_limit("cpu"));
}
