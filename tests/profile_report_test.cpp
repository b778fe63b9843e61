// The sweep report's copy answers and CPU-bucket figure, from a summary built by hand.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "metrics/cpu_buckets.h"
#include "report/copies.h"
#include "report/markdown.h"
#include "report/stacked_plot.h"
#include "report/summary.h"

using namespace copybench;
using namespace copybench::report;

namespace {

Stats one(double v) { return describe({v}); }

// A profiled stream point whose sides spent `shares` (bucket key -> %) of their samples.
SummaryPoint point(const std::string& strategy, uint64_t size, const std::map<std::string, double>& sender,
                   const std::map<std::string, double>& receiver) {
  SummaryPoint p{{"loopback", "stream", strategy, size, std::nullopt, 1}, 2, 0, {}, {}, {}};
  for (const auto& b : bucket_infos()) {
    p.metrics.emplace(fmt::format("sender_cpu_{}_pct", b.key), one(sender.count(b.key) ? sender.at(b.key) : 0.0));
    p.metrics.emplace(fmt::format("receiver_cpu_{}_pct", b.key), one(receiver.count(b.key) ? receiver.at(b.key) : 0.0));
  }
  p.metrics.emplace("receiver_copies_per_msg", one(1.5));
  if (strategy != "zero-copy") p.metrics.emplace("sender_copies_per_msg", one(3.25));
  return p;
}

Summary profiled() {
  Summary s;
  s.points.push_back(
      point("one-copy", 65536, {{"copy_to_kernel", 24}, {"tcp_ip", 70}}, {{"copy_to_user", 45}, {"tcp_ip", 50}}));
  s.points.push_back(point("zero-copy", 65536, {{"copy_zc_deferred", 15}, {"zc_bookkeeping", 5}, {"tcp_ip", 75}},
                           {{"copy_zc_deferred", 20}, {"copy_to_user", 30}, {"tcp_ip", 45}}));
  s.points.push_back(point("pack", 65536,
                           {{"copy_user_space", 13}, {"copy_to_kernel", 16}, {"copy_to_user", 0.2}, {"tcp_ip", 65}},
                           {{"copy_to_user", 43}, {"tcp_ip", 50}}));
  return s;
}

TEST(CopyAnswers, StagesAboveTheThresholdArePassesOverTheBytes) {
  auto all = point_copies(profiled());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].passes, 2);  // send + receive
  EXPECT_EQ(all[1].passes, 2);  // deferred (seen on both sides: one pass) + receive
  EXPECT_EQ(all[1].stages.size(), 3u);
  EXPECT_EQ(all[2].passes, 3);  // memcpy + send + receive; the 0.2% trace is not a pass
  EXPECT_EQ(all[2].stages.front().bucket, "copy_user_space");
  EXPECT_FALSE(all[1].sender_copies_per_msg);
}

TEST(CopyAnswers, TheReportSaysWhichComponentsCopyAndCountsThem) {
  const std::string text = render_copies_answers(profiled());
  EXPECT_NE(text.find("Two copies at 2 of the 3 profiled points"), std::string::npos) << text;
  EXPECT_NE(text.find("**loopback, pack, 64K messages, 1 thread**: 3 copies"), std::string::npos) << text;
  EXPECT_NE(text.find("MSG_ZEROCOPY moved the copy, it did not remove it"), std::string::npos) << text;
  EXPECT_NE(text.find("| pack | the application itself (memcpy/memmove in user space) | sender | 1 | 13% |"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("| zero-copy | n/a / 1.5 |"), std::string::npos) << text;
  EXPECT_NE(text.find("| one-copy | 3.25 / 1.5 |"), std::string::npos) << text;
}

TEST(CopyAnswers, WithoutProfiledRunsTheReportSaysHowToGetThem) {
  Summary s;
  s.points.push_back(SummaryPoint{{"loopback", "stream", "one-copy", 1024, std::nullopt, 1}, 1, 0, {}, {}, {}});
  EXPECT_NE(render_copies_answers(s).find("copybench sweep --profile"), std::string::npos);
  EXPECT_FALSE(cpu_buckets_figure(s, "loopback"));
}

TEST(CpuBucketsFigure, OneBarPerStrategyAndSizeAPanelPerSide) {
  auto f = cpu_buckets_figure(profiled(), "loopback");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->panels.size(), 2u);
  EXPECT_EQ(f->series.size(), kBucketCount);
  ASSERT_EQ(f->panels[0].bars.size(), 3u);
  EXPECT_EQ(f->panels[0].bars[0].label, "one-copy 64K");
  EXPECT_DOUBLE_EQ(f->panels[0].bars[0].values[0], 24);  // copy_to_kernel comes first
  const std::string data = stacked_data(*f), script = stacked_script(*f);
  EXPECT_NE(data.find("\"pack 64K\" 16 0.2 0 13"), std::string::npos) << data;
  EXPECT_NE(script.find("set style histogram rowstacked"), std::string::npos);
  EXPECT_NE(script.find("'cpu_buckets_loopback.dat' index 1 using 2:xtic(1)"), std::string::npos) << script;
}

TEST(CopyAnswers, SummaryMetricsIncludeTheProfile) {
  const auto& m = summary_metrics();
  for (const char* name :
       {"receiver_copies_per_msg", "sender_cpu_copy_zc_deferred_pct", "receiver_profile_overhead_pct"})
    EXPECT_NE(std::find(m.begin(), m.end(), name), m.end()) << name;
}

}  // namespace
