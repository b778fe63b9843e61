#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "sweep/sweep_plan.h"

using namespace copybench;

TEST(SweepPlan, EveryPointRepeatedOnceEachInAShuffledOrderFixedByTheSeed) {
  SweepGrid g;
  g.axes["strategy"] = {"two-copy", "one-copy"};
  g.axes["message_bytes"] = {"1024", "65536"};
  g.axes["threads"] = {"1", "2", "4"};
  g.reps = 3;
  auto a = make_plan(g, {}, 42), b = make_plan(g, {}, 42), c = make_plan(g, {}, 43);
  ASSERT_EQ(a.runs.size(), 2u * 2 * 3 * 3);
  std::set<std::pair<std::string, int>> seen;
  for (size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_EQ(a.runs[i].order, static_cast<int>(i + 1));
    EXPECT_TRUE(seen.insert({a.runs[i].point_id, a.runs[i].rep}).second) << a.runs[i].point_id;
    EXPECT_EQ(a.runs[i].point_id, b.runs[i].point_id) << "same seed, same order";
    EXPECT_EQ(a.runs[i].rep, b.runs[i].rep);
  }
  bool differs = false, shuffled = false;
  for (size_t i = 0; i < a.runs.size(); ++i) {
    differs |= a.runs[i].point_id != c.runs[i].point_id || a.runs[i].rep != c.runs[i].rep;
    shuffled |= a.runs[i].point != static_cast<int>(i / 3);
  }
  EXPECT_TRUE(differs) << "another seed, another order";
  EXPECT_TRUE(shuffled) << "not the grid's order";
}

TEST(SweepPlan, PointIdsNameModeStrategySizeAndThreads) {
  TestParams p;
  p.strategy = "zero-copy";
  p.message_bytes = 65536;
  p.threads = 4;
  EXPECT_EQ(point_id(p), "stream/zero-copy/64K/4t");
  p.mode = TestMode::rr;
  p.message_bytes = 1;
  p.response_bytes = 1024;
  EXPECT_EQ(point_id(p), "rr/zero-copy/1B+1K/4t");
  p.recv_strategy = "zerocopy-recv";  // the default receive strategy stays out of the id
  EXPECT_EQ(point_id(p), "rr/zero-copy+zerocopy-recv/1B+1K/4t");
}

TEST(SweepPlan, ReceiveStrategiesArePartOfTheGridAndOfThePlan) {
  SweepGrid g;
  g.axes["strategy"] = {"pack"};
  g.axes["recv_strategy"] = {"recv", "scatter"};
  g.axes["message_bytes"] = {"1024"};
  g.axes["threads"] = {"1"};
  g.reps = 1;
  auto plan = make_plan(g, TopologyOptions{}, 1);
  ASSERT_EQ(plan.runs.size(), 2u);
  auto again = plan_from_json(to_json(plan));
  EXPECT_EQ(again.grid.axes.at("recv_strategy"), g.axes.at("recv_strategy"));
  auto j = to_json(plan);
  j.erase("recv_strategies");  // a plan saved before receive strategies existed
  EXPECT_EQ(plan_from_json(j).grid.axes.at("recv_strategy"), std::vector<std::string>{"recv"});
  g.axes["recv_strategy"] = {"scater"};
  EXPECT_THROW(make_plan(g, TopologyOptions{}, 1), UsageError);
}

TEST(SweepPlan, RoundTripsThroughJsonAndRefusesBadGrids) {
  SweepGrid g = quick_grid();
  g.axes["mode"] = {"stream", "rr"};
  TopologyOptions t;
  t.kind = TopologyKind::netns;
  t.mtu = 9000;
  auto plan = make_plan(g, t, 7);
  auto back = plan_from_json(to_json(plan));
  ASSERT_EQ(back.runs.size(), plan.runs.size());
  for (size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(back.runs[i].point_id, plan.runs[i].point_id);
  EXPECT_EQ(back.topology.mtu, 9000);
  EXPECT_EQ(back.topology.kind, TopologyKind::netns);
  EXPECT_EQ(back.grid.base.duration_ns, g.base.duration_ns);
  g.reps = 0;
  EXPECT_THROW(make_plan(g, t, 1), UsageError);
  g = quick_grid();
  g.axes["strategy"] = {"four-copy"};
  EXPECT_THROW(make_plan(g, t, 1), UsageError);
  g = quick_grid();
  g.axes["threads"] = {"0"};
  EXPECT_THROW(make_plan(g, t, 1), UsageError);
}

TEST(SweepPlan, ReceiveSizesAreAnAxisOfStreamPointsOnly) {
  SweepGrid g;
  g.axes["mode"] = {"stream", "rr"};
  g.axes["strategy"] = {"one-copy"};
  g.axes["recv_size_bytes"] = {"auto", "16K", "262144"};
  g.axes["message_bytes"] = {"1K"};
  g.axes["threads"] = {"1"};
  g.reps = 1;
  auto plan = make_plan(g, TopologyOptions{}, 1);
  std::set<std::string> ids;
  for (const auto& r : plan.runs) ids.insert(r.point_id);
  // rr reads one response per transaction: its three points are one.
  EXPECT_EQ(ids, (std::set<std::string>{"stream/one-copy/1K/1t", "stream/one-copy+r16K/1K/1t",
                                        "stream/one-copy+r256K/1K/1t", "rr/one-copy/1K+1K/1t"}));
  auto j = to_json(plan);
  EXPECT_EQ(j["recv_sizes_bytes"], (nlohmann::json{0, 16384, 262144})) << "auto is kept as typed, not resolved";
  auto back = plan_from_json(j);
  EXPECT_EQ(back.grid.axes.at("recv_size_bytes"), (std::vector<std::string>{"auto", "16K", "256K"}));
  ASSERT_EQ(back.runs.size(), plan.runs.size());
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    EXPECT_EQ(back.runs[i].point_id, plan.runs[i].point_id);
    EXPECT_TRUE(belongs(back.runs[i], plan.runs[i].point_id, 1, plan.runs[i].params));
  }
  j.erase("recv_sizes_bytes");  // a plan saved before the axis existed
  EXPECT_EQ(plan_from_json(j).grid.axes.at("recv_size_bytes"), std::vector<std::string>{"auto"});
}
