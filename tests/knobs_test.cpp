// --rate's verdicts (results/knobs.h): a side holds the rate only when each connection is within
// 2% of it; below, not reached; above, exceeded; a connection without a throughput leaves the
// side's verdict unknown with the reason. And a run without --rate has none, with its reason.
#include <gtest/gtest.h>

#include "results/knobs.h"

using namespace copybench;

namespace {

std::vector<StreamFigures> streams(std::vector<std::optional<double>> gbps) {
  std::vector<StreamFigures> out;
  for (size_t i = 0; i < gbps.size(); ++i) {
    StreamFigures s;
    s.index = static_cast<int>(i);
    s.throughput_gbps = gbps[i];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST(RateVerdict, HeldOnlyWhenEveryConnectionIsWithinTwoPercent) {
  auto s = streams({1.99, 2.03});
  auto r = rate_figures(s, 2'000'000'000);
  EXPECT_EQ(r.verdict, RateVerdict::held);
  EXPECT_EQ(r.connections_held, 2);
  EXPECT_DOUBLE_EQ(*r.achieved_gbps, 2.01);
  EXPECT_EQ(s[0].rate_held, true);
  EXPECT_EQ(s[1].rate_held, true);

  s = streams({1.99, 1.95});  // one connection 2.5% short
  r = rate_figures(s, 2'000'000'000);
  EXPECT_EQ(r.verdict, RateVerdict::not_reached);
  EXPECT_EQ(r.connections_held, 1);
  EXPECT_EQ(s[1].rate_held, false);
  EXPECT_DOUBLE_EQ(*r.min_gbps, 1.95);

  s = streams({2.05});
  r = rate_figures(s, 2'000'000'000);
  EXPECT_EQ(r.verdict, RateVerdict::exceeded);
}

TEST(RateVerdict, AConnectionWithoutAThroughputLeavesTheSideUnknown) {
  auto s = streams({2.0, std::nullopt});
  auto r = rate_figures(s, 2'000'000'000);
  EXPECT_FALSE(r.verdict.has_value());
  EXPECT_NE(r.reason.find("not measured"), std::string::npos) << r.reason;
  EXPECT_FALSE(s[1].rate_held.has_value());
}

TEST(RateVerdict, ARunWithoutARateSaysSoAndOneWithARateDecidesEachSideAndDirection) {
  RunResult run;
  run.sender = SideFigures{};
  run.sender->streams = streams({3.0});
  decide_rate(run);
  EXPECT_FALSE(run.sender->rate.has_value());
  EXPECT_NE(run.sender->rate_reason.find("no --rate"), std::string::npos);
  run.params.rate_bps = 3'000'000'000;
  run.receiver = SideFigures{};
  run.receiver->streams = streams({2.0});
  run.directions.push_back(run);
  decide_rate(run);
  EXPECT_EQ(run.sender->rate->verdict, RateVerdict::held);
  EXPECT_EQ(run.receiver->rate->verdict, RateVerdict::not_reached);
  EXPECT_EQ(run.directions[0].receiver->rate->verdict, RateVerdict::not_reached);
  EXPECT_TRUE(run.sender->rate_reason.empty());
}

TEST(RateVerdict, FiguresAndGrantsRoundTripThroughJson) {
  auto s = streams({1.0, 0.5});
  auto r = rate_figures(s, 1'000'000'000);
  auto back = rate_from_json(to_json(r));
  EXPECT_EQ(back.verdict, r.verdict);
  EXPECT_EQ(back.connections_held, 1);
  EXPECT_EQ(back.min_gbps, r.min_gbps);
  SocketGrant g;
  g.sndbuf_bytes = 425984;
  g.congestion = "reno";
  g.mss_bytes = 988;
  g.nodelay = true;
  g.max_pacing_bytes_per_s = 250'000'000;
  g.local_port = 5001;
  auto h = grant_from_json(to_json(g));
  EXPECT_EQ(h.sndbuf_bytes, g.sndbuf_bytes);
  EXPECT_FALSE(h.rcvbuf_bytes.has_value());
  EXPECT_EQ(h.congestion, g.congestion);
  EXPECT_EQ(h.mss_bytes, g.mss_bytes);
  EXPECT_EQ(h.nodelay, g.nodelay);
  EXPECT_EQ(h.max_pacing_bytes_per_s, g.max_pacing_bytes_per_s);
  EXPECT_EQ(h.local_port, g.local_port);
}
