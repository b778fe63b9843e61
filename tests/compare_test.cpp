// `copybench compare` on synthetic runs with known answers: cells matched and listed, "~" where
// nothing changed or too few runs could show it, a known shift significant in its direction,
// the primary metric each cell is gated by, the differences between inputs, the geometric means.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <map>

#include "csv_row.h"
#include "report/compare.h"
#include "report/runs_table.h"

using namespace copybench::report;

namespace {

const std::string kHeader =
    "run_order,point,rep,topology,seed,status,strategy,recv_strategy,recv_size_bytes,recv_size_auto,mode,"
    "message_bytes,response_bytes,threads,rate_bps,kernel,receiver_throughput_gbps,sender_cpu_ns_per_byte,"
    "receiver_latency_p50_us";

struct Cell {
  std::string strategy = "one-copy", mode = "stream";
  int size = 4096;
  std::string rate = "";
  std::string recv_size = "";  // "" : auto
};

// One input: each cell's runs with the given values of `metric`.
CompareInput input(const std::string& name, const std::vector<std::pair<Cell, std::vector<double>>>& cells,
                   const std::string& metric = "receiver_throughput_gbps", const std::string& kernel = "6.18",
                   const KeyMask& mask = {}) {
  std::string text = kHeader + "\n";
  int order = 0;
  for (const auto& [cell, values] : cells)
    for (double v : values) {
      ++order;
      std::map<std::string, std::string> row = {{"run_order", std::to_string(order)},
                                                {"point", cell.strategy + std::to_string(cell.size)},
                                                {"rep", "1"},
                                                {"topology", "loopback"},
                                                {"seed", "1"},
                                                {"status", "ok"},
                                                {"strategy", cell.strategy},
                                                {"recv_strategy", "recv"},
                                                {"recv_size_auto", cell.recv_size.empty() ? "true" : "false"},
                                                {"recv_size_bytes", cell.recv_size.empty() ? "262144" : cell.recv_size},
                                                {"mode", cell.mode},
                                                {"message_bytes", std::to_string(cell.size)},
                                                {"threads", "1"},
                                                {"rate_bps", cell.rate},
                                                {"kernel", kernel},
                                                {metric, fmt::format("{}", v)}};
      if (cell.mode == "rr") row["response_bytes"] = "1";
      text += copybench::test::csv_row(kHeader, row) + "\n";
    }
  CompareInput in;
  in.source = in.name = name;
  KeyMask m = mask;
  m.topology = true;
  in.summary = summarize(RunsTable::parse(text, name), m);
  in.facts["kernel"] = {kernel};
  return in;
}

const std::vector<double> kTen = {10.0, 10.1, 9.9, 10.2, 9.8};
const std::vector<double> kEight = {8.0, 8.1, 7.9, 8.2, 7.8};

}  // namespace

TEST(Compare, AnInputAgainstItselfIsNoChangeEverywhere) {
  auto a = input("a", {{Cell{}, kTen}, {Cell{"two-copy"}, kEight}});
  auto c = compare(a, a, {});
  ASSERT_EQ(c.cells.size(), 2u);
  for (const auto& cell : c.cells) {
    ASSERT_EQ(cell.metrics.size(), 1u);
    EXPECT_FALSE(cell.metrics[0].significant);
    EXPECT_DOUBLE_EQ(*cell.metrics[0].ratio, 1.0);
    EXPECT_DOUBLE_EQ(cell.metrics[0].test.p_value, 1.0);
  }
  ASSERT_FALSE(c.geomeans.empty());
  EXPECT_EQ(c.geomeans[0].data_path, "");
  EXPECT_DOUBLE_EQ(c.geomeans[0].ratio, 1.0);
  EXPECT_TRUE(regressions({c}, 5).empty());
  EXPECT_TRUE(c.only_old.empty() && c.only_new.empty());
}

TEST(Compare, AKnownDropIsSignificantInItsDirectionAndFailsTheGate) {
  auto old_input = input("old", {{Cell{}, kTen}, {Cell{"two-copy"}, kTen}});
  auto new_input = input("new", {{Cell{}, kEight}, {Cell{"two-copy"}, kTen}});
  auto c = compare(old_input, new_input, {});
  ASSERT_EQ(c.cells.size(), 2u);
  const MetricChange* dropped = change_in(c, c.cells[1].cell, "receiver_throughput_gbps");
  ASSERT_EQ(c.cells[1].cell.strategy, "one-copy");  // two-copy ranks first
  ASSERT_NE(dropped, nullptr);
  EXPECT_TRUE(dropped->significant);
  EXPECT_NEAR(*dropped->ratio, 0.8, 1e-9);
  EXPECT_NEAR(dropped->test.p_value, 2.0 / 252, 1e-12) << "5 against 5, fully apart: 2 / C(10, 5)";
  ASSERT_TRUE(dropped->interval);
  EXPECT_LT(dropped->interval->high, 1.0);
  EXPECT_GT(dropped->interval->low, 0.7);
  EXPECT_NEAR(*dropped->worse_pct(), 20, 1e-6) << "lower throughput is worse";
  EXPECT_FALSE(c.cells[0].metrics[0].significant);
  auto gate = regressions({c}, 5);
  ASSERT_EQ(gate.size(), 1u);
  EXPECT_EQ(gate[0].cell.strategy, "one-copy");
  EXPECT_NE(regression_line(gate[0], 5).find("one-copy, 4K, 1 thread, stream: receiver throughput -20%"),
            std::string::npos)
      << regression_line(gate[0], 5);
  EXPECT_TRUE(regressions({c}, 25).empty()) << "a 20% drop is within a 25% gate";
  // The other way round it is a gain: significant, but no regression.
  auto back = compare(new_input, old_input, {});
  EXPECT_TRUE(change_in(back, back.cells[1].cell, "receiver_throughput_gbps")->significant);
  EXPECT_TRUE(regressions({back}, 5).empty());
}

TEST(Compare, ThreeRunsEachCanNeverBeSignificantAndSayHowManyWould) {
  auto old_input = input("old", {{Cell{}, {10, 10.1, 9.9}}});
  auto new_input = input("new", {{Cell{}, {5, 5.1, 4.9}}});
  auto c = compare(old_input, new_input, {});
  const auto& m = c.cells.at(0).metrics.at(0);
  EXPECT_NEAR(m.test.p_value, 0.1, 1e-12) << "the smallest p of 3 against 3";
  EXPECT_FALSE(m.significant);
  EXPECT_EQ(m.runs_needed, 4);
  EXPECT_TRUE(regressions({c}, 5).empty());
  auto table = render_compare_table({old_input, new_input}, {c}, {});
  EXPECT_NE(table.find("needs 4 runs each"), std::string::npos) << table;
}

TEST(Compare, CellsInOneInputOnlyAreListed) {
  auto old_input = input("old", {{Cell{}, kTen}, {Cell{"two-copy"}, kTen}});
  auto new_input = input("new", {{Cell{}, kTen}, {Cell{"zero-copy"}, kTen}});
  auto c = compare(old_input, new_input, {});
  ASSERT_EQ(c.cells.size(), 1u);
  ASSERT_EQ(c.only_old.size(), 1u);
  ASSERT_EQ(c.only_new.size(), 1u);
  EXPECT_EQ(c.only_old[0].strategy, "two-copy");
  EXPECT_EQ(c.only_new[0].strategy, "zero-copy");
  auto md = render_compare_markdown({old_input, new_input}, {c}, {}, {});
  EXPECT_NE(md.find("only in old: two-copy, 4K, 1 thread, stream"), std::string::npos) << md;
  EXPECT_NE(md.find("only in new: zero-copy, 4K, 1 thread, stream"), std::string::npos) << md;
}

TEST(Compare, EachCellIsGatedByItsPrimaryMetric) {
  EXPECT_EQ(primary_metric(PointKey{"", "stream", "one-copy", 4096, std::nullopt, 1, 0}).column,
            "receiver_throughput_gbps");
  EXPECT_EQ(primary_metric(PointKey{"", "stream", "one-copy", 4096, std::nullopt, 1, 1'000'000'000}).column,
            "sender_cpu_ns_per_byte");
  EXPECT_EQ(primary_metric(PointKey{"", "rr", "one-copy", 1, 1, 1, 0}).column, "receiver_latency_p50_us");
  // At a rate, more CPU per byte is the regression (lower is better).
  Cell paced{"one-copy", "stream", 4096, "1000000000"};
  auto c = compare(input("old", {{paced, kEight}}, "sender_cpu_ns_per_byte"),
                   input("new", {{paced, kTen}}, "sender_cpu_ns_per_byte"), {});
  auto gate = regressions({c}, 5);
  ASSERT_EQ(gate.size(), 1u);
  EXPECT_NEAR(*gate[0].change.worse_pct(), 25, 1e-6);
  // rr: a higher p50 is the regression.
  Cell rr{"one-copy", "rr", 1};
  auto r = compare(input("old", {{rr, kEight}}, "receiver_latency_p50_us"),
                   input("new", {{rr, kTen}}, "receiver_latency_p50_us"), {});
  EXPECT_EQ(regressions({r}, 5).size(), 1u);
}

TEST(Compare, IgnoreMatchesCellsThatDifferOnlyInTheReceiveSize) {
  Cell typed{"one-copy", "stream", 4096, "", "4096"};
  auto plain = input("old", {{Cell{}, kTen}});
  EXPECT_TRUE(compare(plain, input("new", {{typed, kEight}}), {}).cells.empty()) << "one-copy against one-copy+recv:4K";
  KeyMask mask;
  mask.recv_size = true;
  auto c = compare(input("old", {{Cell{}, kTen}}, "receiver_throughput_gbps", "6.18", mask),
                   input("new", {{typed, kEight}}, "receiver_throughput_gbps", "6.18", mask), {});
  ASSERT_EQ(c.cells.size(), 1u);
  EXPECT_EQ(c.cells[0].cell.strategy, "one-copy");
  EXPECT_TRUE(c.cells[0].metrics[0].significant);
}

TEST(Compare, TheInputsDifferencesComeFirst) {
  auto a = input("a", {{Cell{}, kTen}}, "receiver_throughput_gbps", "6.1");
  auto b = input("b", {{Cell{}, kTen}}, "receiver_throughput_gbps", "6.18");
  auto diff = fact_differences({a, b});
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].name, "kernel");
  EXPECT_EQ(diff[0].values, (std::vector<std::string>{"6.1", "6.18"}));
  EXPECT_TRUE(fact_differences({a, a}).empty());
  auto table = render_compare_table({a, b}, {compare(a, b, {})}, {});
  EXPECT_LT(table.find("kernel"), table.find("receiver throughput")) << table;
}

TEST(Compare, GeometricMeansPerMetricAndPerDataPath) {
  auto old_input = input("old", {{Cell{}, {10, 10, 10, 10}}, {Cell{"two-copy"}, {10, 10, 10, 10}}});
  auto new_input = input("new", {{Cell{}, {20, 20, 20, 20}}, {Cell{"two-copy"}, {5, 5, 5, 5}}});
  auto c = compare(old_input, new_input, {});
  std::map<std::string, double> by_path;
  for (const auto& g : c.geomeans) by_path[g.data_path] = g.ratio;
  EXPECT_NEAR(by_path.at(""), 1.0, 1e-12) << "x2 and x0.5";
  EXPECT_NEAR(by_path.at("one-copy"), 2.0, 1e-12);
  EXPECT_NEAR(by_path.at("two-copy"), 0.5, 1e-12);
}

TEST(Compare, TheBootstrapIsSeededAndTheCsvHasARowPerCellAndMetric) {
  auto old_input = input("old", {{Cell{}, kTen}, {Cell{"two-copy"}, kTen}});
  auto new_input = input("new", {{Cell{}, kEight}, {Cell{"two-copy"}, kEight}});
  auto one = compare(old_input, new_input, {});
  auto again = compare(old_input, new_input, {});
  EXPECT_EQ(render_compare_csv({one}), render_compare_csv({again}));
  // Another seed draws other resamples: with few of them, other percentiles of many values.
  std::vector<double> spread_old, spread_new;
  for (int i = 0; i < 12; ++i) spread_old.push_back(10 + 0.37 * i), spread_new.push_back(8 + 0.53 * i);
  auto wide_old = input("old", {{Cell{}, spread_old}}), wide_new = input("new", {{Cell{}, spread_new}});
  CompareOptions few, other;
  few.resamples = other.resamples = 200;
  other.seed = 2;
  EXPECT_EQ(render_compare_csv({compare(wide_old, wide_new, few)}),
            render_compare_csv({compare(wide_old, wide_new, few)}));
  EXPECT_NE(render_compare_csv({compare(wide_old, wide_new, few)}),
            render_compare_csv({compare(wide_old, wide_new, other)}));
  auto csv = render_compare_csv({one});
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
  EXPECT_NE(csv.find("old,new,,stream,one-copy,4096,,1,,receiver_throughput_gbps,higher,5,10,5,8,0.8,"),
            std::string::npos)
      << csv;
}
