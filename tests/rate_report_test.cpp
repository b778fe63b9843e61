// The report's answer at a rate (report/rates.h): the cheapest data path per side among those
// that held the rate, ties by overlapping intervals, the ones that missed the rate named and left
// out; unpaced points kept apart from the answers of the data paths at their fastest.
#include <gtest/gtest.h>

#include "report/rates.h"

using namespace copybench;
using namespace copybench::report;

namespace {

Stats around(double v, double half) { return Stats{3, v, v - half, v + half, v - half, v + half}; }

// A 64 KiB, 1-thread stream point at `rate_bps` whose receiver reached `gbps` and whose sides
// paid `sender_ns` and `receiver_ns` per byte.
SummaryPoint at_rate(const std::string& path, uint64_t rate_bps, double gbps, double sender_ns, double receiver_ns) {
  SummaryPoint p{{"loopback", "stream", path, 64 * 1024, std::nullopt, 1, rate_bps}, 3, 0, {}, {}, {}};
  p.metrics.emplace("receiver_throughput_gbps", around(gbps, 0.001));
  p.metrics.emplace("sender_cpu_ns_per_byte", around(sender_ns, 0.01));
  p.metrics.emplace("receiver_cpu_ns_per_byte", around(receiver_ns, 0.01));
  return p;
}

const CheapestAtRate* find(const std::vector<CheapestAtRate>& rows, uint64_t rate, const std::string& side) {
  for (const auto& r : rows)
    if (r.rate_bps == rate && r.side == side) return &r;
  return nullptr;
}

}  // namespace

TEST(CheapestAtRate, AmongThePathsThatHeldTheRateWithTiesAndMisses) {
  Summary s;
  s.points = {at_rate("two-copy", 2'000'000'000, 2.0, 0.50, 0.30), at_rate("one-copy", 2'000'000'000, 2.0, 0.40, 0.31),
              at_rate("zero-copy", 2'000'000'000, 1.5, 0.10, 0.10),  // missed the rate: not the cheapest
              at_rate("one-copy", 0, 20.0, 0.30, 0.20), at_rate("zero-copy", 0, 25.0, 0.25, 0.22)};
  EXPECT_FALSE(held_rate(s.points[2]));
  EXPECT_TRUE(held_rate(s.points[0]));
  auto rows = cheapest_at_rate(s);
  const auto* sender = find(rows, 2'000'000'000, "sender");
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->strategy, "one-copy");
  EXPECT_TRUE(sender->tied.empty());
  EXPECT_EQ(sender->not_held, std::vector<std::string>{"zero-copy"});
  EXPECT_EQ(sender->compared, 2);
  const auto* receiver = find(rows, 2'000'000'000, "receiver");
  ASSERT_TRUE(receiver);
  EXPECT_EQ(receiver->strategy, "two-copy");
  EXPECT_EQ(receiver->tied, std::vector<std::string>{"one-copy"}) << "0.30 and 0.31, each +-0.01";
  const auto* flat_out = find(rows, 0, "sender");
  ASSERT_TRUE(flat_out);
  EXPECT_EQ(flat_out->strategy, "zero-copy");
  EXPECT_FALSE(find(rows, 0, "machine")) << "no machine figure in these points";

  auto text = rate_section(s);
  EXPECT_NE(text.find("## CPU at a rate"), std::string::npos);
  EXPECT_NE(text.find("| loopback | 1 | 64K | 2 Gbit/s | sender | one-copy | 0.4 (0.39 to 0.41) | none | zero-copy |"),
            std::string::npos)
      << text;
  EXPECT_EQ(unpaced(s).points.size(), 2u);
  auto figure = cpu_at_rate_figure(s, "loopback");
  ASSERT_TRUE(figure);
  ASSERT_EQ(figure->panels.size(), 1u);
  EXPECT_EQ(figure->panels[0].series.size(), 6u) << "three paths x two sides";
}

TEST(CheapestAtRate, NothingWithoutAPacedPoint) {
  Summary s;
  s.points = {at_rate("one-copy", 0, 20.0, 0.30, 0.20)};
  EXPECT_TRUE(cheapest_at_rate(s).empty());
  EXPECT_EQ(rate_section(s), "");
  EXPECT_FALSE(cpu_at_rate_figure(s, "loopback"));
}

TEST(CheapestAtRate, NoPathThatHeldTheRateIsSaidSo) {
  Summary s;
  s.points = {at_rate("one-copy", 100'000'000'000, 20.0, 0.30, 0.20)};
  auto rows = cheapest_at_rate(s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].strategy.empty());
  EXPECT_NE(rate_section(s).find("no path held the rate"), std::string::npos);
}
