// runs.csv reading and the statistics of summary.csv, on synthetic rows with known answers.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "csv_row.h"
#include "output/writers.h"
#include "report/plots.h"
#include "report/runs_table.h"
#include "report/summary.h"

using namespace copybench;
using namespace copybench::report;

namespace {

const std::string kHeader =
    "run_order,point,rep,topology,seed,status,error,strategy,mode,message_bytes,response_bytes,threads,"
    "receiver_throughput_gbps,sender_cpu_ns_per_byte,zc_copied_pct";

// One row in kHeader's order from name=value pairs; anything not named is an empty cell.
std::string row(const std::map<std::string, std::string>& cells) { return copybench::test::csv_row(kHeader, cells); }

std::string ok_run(int rep, const std::string& strategy, int size, const std::string& gbps, int threads = 1) {
  return row({{"run_order", std::to_string(rep)},
              {"point", strategy + std::to_string(size)},
              {"rep", std::to_string(rep)},
              {"topology", "loopback"},
              {"seed", "7"},
              {"status", "ok"},
              {"strategy", strategy},
              {"mode", "stream"},
              {"message_bytes", std::to_string(size)},
              {"threads", std::to_string(threads)},
              {"receiver_throughput_gbps", gbps}});
}

const SummaryPoint* find(const Summary& s, const std::string& strategy, uint64_t size, int threads = 1) {
  for (const auto& p : s.points)
    if (p.key.strategy == strategy && p.key.message_bytes == size && p.key.threads == threads) return &p;
  return nullptr;
}

}  // namespace

TEST(RunsTable, ParsesQuotedCellsCrlfAndEmptyCellsAsUnknown) {
  std::string text =
      kHeader + "\r\n" +
      "1,p1,1,loopback,7,failed,\"connect: refused, \"\"twice\"\"\nsecond line\",two-copy,stream,1024,,1,,,\r\n";
  auto t = RunsTable::parse(text, "runs.csv");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(*t.text(0, "error"), "connect: refused, \"twice\"\nsecond line");
  EXPECT_EQ(*t.text(0, "strategy"), "two-copy");
  EXPECT_FALSE(t.text(0, "response_bytes"));
  EXPECT_FALSE(t.number(0, "receiver_throughput_gbps"));  // empty: unknown, not 0
  EXPECT_FALSE(t.number(0, "no_such_column"));
  EXPECT_EQ(*t.count(0, "message_bytes"), 1024u);
  EXPECT_EQ(RunsTable::parse("\xEF\xBB\xBF" + text, "bom.csv").size(), 1u);  // saved by a spreadsheet
}

TEST(RunsTable, BadHeaderNamesTheFileAndTheMissingColumns) {
  try {
    RunsTable::parse("run_order,point,rep,seed,status\n1,a,1,7,ok\n", "DIR/runs.csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("DIR/runs.csv line 1: bad header"), std::string::npos) << what;
    EXPECT_NE(what.find("topology"), std::string::npos) << what;
    EXPECT_NE(what.find("message_bytes"), std::string::npos) << what;
  }
  EXPECT_THROW(RunsTable::parse("", "x.csv"), Error);
  EXPECT_THROW(RunsTable::parse(kHeader + ",mode\n", "x.csv"), Error);  // a column twice
}

TEST(RunsTable, MalformedRowsNameTheirLine) {
  auto expect_error = [](const std::string& text, const std::string& part) {
    try {
      auto t = RunsTable::parse(text, "r.csv");
      for (size_t i = 0; i < t.size(); ++i) t.number(i, "receiver_throughput_gbps");
      FAIL() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  const std::string ok = ok_run(1, "two-copy", 1024, "1");
  expect_error(kHeader + "\n" + ok + "1,2,3\n" + ok, "r.csv line 3: 3 cells, the header has 15");
  expect_error(kHeader + "\n" + ok_run(1, "two-copy", 1024, "fast"),
               "r.csv line 2, column receiver_throughput_gbps: 'fast'");
  expect_error("run_order,\"open", "r.csv line 1: a quoted cell is never closed");
}

// A crash or a full disk mid-row leaves a torn last row: it is dropped with one warning, and
// only when it is the last; the rows before it are read as usual.
TEST(RunsTable, TornLastRowIsDroppedWithAWarning) {
  const std::string ok = ok_run(1, "two-copy", 1024, "1");
  auto expect_torn = [&](const std::string& tail, const std::string& why) {
    auto t = RunsTable::parse(kHeader + "\n" + ok + tail, "r.csv");
    EXPECT_EQ(t.size(), 1u) << tail;
    EXPECT_EQ(t.torn_row(), "r.csv line 3: skipped a torn last row (" + why + "), as a crash or a full disk leaves it");
  };
  expect_torn(ok.substr(0, ok.size() / 2), "no line end");
  expect_torn(ok.substr(0, ok.size() - 1), "no line end");  // whole but for its newline: it cannot be told apart
  expect_torn("1,2,3\n", "3 cells, the header has 15");
  expect_torn("1,\"open", "a quoted cell is never closed");
  EXPECT_EQ(RunsTable::parse(kHeader + "\n" + ok, "r.csv").torn_row(), "");
  EXPECT_EQ(RunsTable::parse(kHeader, "r.csv").size(), 0u) << "a header alone, without its newline";
}

TEST(Statistics, MedianRangeAndStudentInterval) {
  EXPECT_DOUBLE_EQ(t_975(1), 12.706);
  EXPECT_DOUBLE_EQ(t_975(2), 4.303);
  EXPECT_DOUBLE_EQ(t_975(30), 2.042);
  EXPECT_DOUBLE_EQ(t_975(35), 2.042);  // between table entries: the wider one
  EXPECT_DOUBLE_EQ(t_975(100000), 1.960);

  auto s = describe({30, 10, 20});
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.median, 20);
  EXPECT_DOUBLE_EQ(s.min, 10);
  EXPECT_DOUBLE_EQ(s.max, 30);
  double half = 4.303 * 10 / std::sqrt(3.0);  // s = 10
  EXPECT_NEAR(*s.ci95_low, 20 - half, 1e-9);
  EXPECT_NEAR(*s.ci95_high, 20 + half, 1e-9);

  EXPECT_DOUBLE_EQ(describe({4, 1, 3, 2}).median, 2.5);
  auto one = describe({5});
  EXPECT_EQ(one.n, 1);
  EXPECT_FALSE(one.ci95_low);  // one run: no interval
  EXPECT_EQ(interval(one), std::make_pair(5.0, 5.0));
}

TEST(Summary, FailedRunsAreCountedAndKeptOutOfTheStatistics) {
  std::string text = kHeader + "\n" + ok_run(1, "two-copy", 4096, "10") + ok_run(2, "two-copy", 4096, "20") +
                     ok_run(3, "two-copy", 4096, "30") +
                     row({{"run_order", "4"},
                          {"point", "two-copy4096"},
                          {"rep", "4"},
                          {"topology", "loopback"},
                          {"seed", "7"},
                          {"status", "failed"},
                          {"error", "server vanished"},
                          {"receiver_throughput_gbps", "999"}}) +  // no configuration: taken from its point id
                     row({{"run_order", "5"}, {"point", "lost"}, {"rep", "1"}, {"status", "interrupted"}});
  auto s = summarize(RunsTable::parse(text, "runs.csv"));
  EXPECT_EQ(s.runs, 5);
  EXPECT_EQ(s.failed_runs, 2);
  EXPECT_EQ(s.unplaced_failures, 1);
  ASSERT_EQ(s.points.size(), 1u);
  const auto& p = s.points[0];
  EXPECT_EQ(p.runs_ok, 3);
  EXPECT_EQ(p.runs_failed, 1);
  const Stats* t = p.metric("receiver_throughput_gbps");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->n, 3);
  EXPECT_DOUBLE_EQ(t->max, 30);  // the failed run's 999 is not in
  ASSERT_EQ(s.failure_reasons.size(), 2u);
  EXPECT_EQ(s.failure_reasons[0].error, "server vanished");
}

TEST(Summary, UnknownCellsStayUnknown) {
  std::string partly = row({{"run_order", "3"},
                            {"point", "z"},
                            {"rep", "3"},
                            {"topology", "loopback"},
                            {"seed", "7"},
                            {"status", "ok"},
                            {"strategy", "zero-copy"},
                            {"mode", "stream"},
                            {"message_bytes", "1024"},
                            {"threads", "1"},
                            {"receiver_throughput_gbps", "3"},
                            {"zc_copied_pct", "100"}});
  std::string text = kHeader + "\n" + ok_run(1, "zero-copy", 1024, "1") + ok_run(2, "zero-copy", 1024, "2") + partly;
  auto s = summarize(RunsTable::parse(text, "runs.csv"));
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_FALSE(s.points[0].metric("sender_cpu_ns_per_byte"));    // never measured
  EXPECT_FALSE(s.points[0].metric("receiver_cycles_per_byte"));  // no such column
  EXPECT_EQ(s.points[0].metric("zc_copied_pct")->n, 1);          // known in one run only
  EXPECT_FALSE(s.points[0].metric("zc_copied_pct")->ci95_low);
  auto csv = summary_csv(s);
  EXPECT_NE(csv.find(",sender_cpu_ns_per_byte_n,sender_cpu_ns_per_byte_median,"), std::string::npos);
  // n is 0 and every statistic empty, never 0.
  auto line = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(line.rfind("loopback,stream,zero-copy,1024,,1,,3,0,3,2,1,3,", 0), 0u) << line;
  EXPECT_NE(line.find(",0,,,,,"), std::string::npos) << line;
  EXPECT_NE(line.find(",1,100,100,100,,,0,,,,,,"), std::string::npos) << line;  // zc_copied_pct, then unknowns
}

TEST(Summary, PointsAreOrderedForComparison) {
  std::string text = kHeader + "\n" + ok_run(1, "zero-copy", 4096, "1") + ok_run(2, "two-copy", 65536, "1") +
                     ok_run(3, "one-copy", 4096, "1", 2) + ok_run(4, "two-copy", 4096, "1") +
                     ok_run(5, "one-copy", 4096, "1");
  auto s = summarize(RunsTable::parse(text, "runs.csv"));
  std::vector<std::string> order;
  for (const auto& p : s.points)
    order.push_back(fmt::format("{}/{}/{}", p.key.threads, short_size(p.key.message_bytes), p.key.strategy));
  EXPECT_EQ(order, (std::vector<std::string>{"1/4K/two-copy", "1/4K/one-copy", "1/4K/zero-copy", "1/64K/two-copy",
                                             "2/4K/one-copy"}));
  EXPECT_TRUE(find(s, "one-copy", 4096, 2));
}

TEST(Summary, AReceiveStrategyOtherThanRecvIsItsOwnDataPath) {
  // kHeader has no recv_strategy column (a runs.csv from before it existed): all recv.
  auto text = "recv_strategy," + kHeader + "\n" + "zerocopy-recv," + ok_run(1, "uring-zc", 4096, "2") + "," +
              ok_run(2, "uring-zc", 4096, "3") + "recv," + ok_run(3, "uring-zc", 4096, "4") + "scatter," +
              ok_run(4, "two-copy", 4096, "5");
  auto s = summarize(RunsTable::parse(text, "runs.csv"));
  std::vector<std::string> order;
  for (const auto& p : s.points) order.push_back(p.key.strategy + ":" + std::to_string(p.runs_ok));
  EXPECT_EQ(order, (std::vector<std::string>{"two-copy+scatter:1", "uring-zc:2", "uring-zc+zerocopy-recv:1"}));
  EXPECT_LT(strategy_rank("two-copy"), strategy_rank("two-copy+scatter"));
  EXPECT_LT(strategy_rank("two-copy+zerocopy-recv"), strategy_rank("one-copy"));
  // A direction is a data path of its own, ranked next to its forward path.
  EXPECT_EQ(data_path_label("one-copy", "scatter", std::nullopt, "reverse"), "one-copy+scatter@reverse");
  EXPECT_EQ(data_path_label("one-copy", "recv", std::nullopt, "forward"), "one-copy");
  EXPECT_LT(strategy_rank("one-copy"), strategy_rank("one-copy@reverse"));
  EXPECT_LT(strategy_rank("one-copy@reverse"), strategy_rank("one-copy@bidir"));
  EXPECT_LT(strategy_rank("one-copy@bidir"), strategy_rank("one-copy+scatter"));
}

TEST(Summary, OkRowWithoutConfigurationIsAnError) {
  std::string text = kHeader + "\n" +
                     row({{"run_order", "1"},
                          {"point", "a"},
                          {"rep", "1"},
                          {"topology", "loopback"},
                          {"seed", "7"},
                          {"status", "ok"},
                          {"strategy", "two-copy"},
                          {"mode", "stream"},
                          {"threads", "1"}});
  try {
    summarize(RunsTable::parse(text, "d/runs.csv"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("d/runs.csv line 2: status ok"), std::string::npos) << e.what();
  }
}

// The real column list of `copybench run --csv`, behind the sweep's five, is read by name.
TEST(Summary, ReadsTheRealRunColumns) {
  std::string header = "run_order,point,rep,topology,seed," + csv_header();
  size_t columns = 1;
  for (char c : header) columns += c == ',';
  std::vector<std::string> cells(columns);
  auto set = [&](const std::string& name, const std::string& value) {
    size_t index = 0, pos = 0;
    std::string h = header + ",";
    for (size_t next; (next = h.find(',', pos)) != std::string::npos; pos = next + 1, ++index)
      if (h.substr(pos, next - pos) == name) cells[index] = value;
  };
  for (auto [n, v] : std::map<std::string, std::string>{{"run_order", "1"},
                                                        {"point", "p"},
                                                        {"rep", "1"},
                                                        {"topology", "netns"},
                                                        {"seed", "3"},
                                                        {"status", "ok"},
                                                        {"strategy", "one-copy"},
                                                        {"mode", "rr"},
                                                        {"message_bytes", "64"},
                                                        {"response_bytes", "128"},
                                                        {"threads", "4"},
                                                        {"receiver_latency_p50_us", "12.5"}})
    set(n, v);
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + cells[i];
  auto s = summarize(RunsTable::parse(header + "\n" + line + "\n", "runs.csv"));
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_EQ(s.points[0].key.response_bytes, 128u);
  EXPECT_EQ(s.points[0].key.threads, 4);
  EXPECT_DOUBLE_EQ(s.points[0].metric("receiver_latency_p50_us")->median, 12.5);
}

// Each data path of a figure gets its own colour: gnuplot cycles through 8, and the ranks (spaced
// for receive strategies and directions) are multiples of 8 apart for one-copy and zero-copy.
TEST(Plots, EachDataPathOfAFigureHasItsOwnColour) {
  Summary s;
  for (const char* path : {"one-copy", "zero-copy", "one-copy@reverse", "sendfile+discard"}) {
    SummaryPoint p{{"loopback", "stream", path, 65536, std::nullopt, 1}, 1, 0, {}, {}, {}};
    p.metrics["receiver_throughput_gbps"] = Stats{1, 10, 10, 10, std::nullopt, std::nullopt};
    s.points.push_back(p);
  }
  auto plan = plan_figures(s);
  ASSERT_FALSE(plan.figures.empty());
  const auto& series = plan.figures.front().panels.at(0).series;
  ASSERT_EQ(series.size(), 4u);
  std::set<int> colours;
  for (const auto& one : series) colours.insert(one.color);
  EXPECT_EQ(colours.size(), 4u) << "a colour shared by two paths";
  for (int c : colours) EXPECT_TRUE(c >= 1 && c <= 8) << c;
}

TEST(Summary, EachRateIsAPointAndEachKnobSettingADataPath) {
  const std::string header = kHeader + ",rate_bps,window_bytes,congestion,mss_bytes,nodelay";
  auto run = [&](int rep, const std::string& rate, const std::string& window, const std::string& cc) {
    return copybench::test::csv_row(header, {{"run_order", std::to_string(rep)},
                                             {"point", "p" + rate + window + cc},
                                             {"rep", "1"},
                                             {"topology", "loopback"},
                                             {"status", "ok"},
                                             {"strategy", "one-copy"},
                                             {"mode", "stream"},
                                             {"message_bytes", "65536"},
                                             {"threads", "1"},
                                             {"receiver_throughput_gbps", "2"},
                                             {"rate_bps", rate},
                                             {"window_bytes", window},
                                             {"congestion", cc},
                                             {"nodelay", "false"}});
  };
  auto text = header + "\n" + run(1, "", "", "") + "\n" + run(2, "2000000000", "", "") + "\n" +
              run(3, "2000000000", "262144", "reno") + "\n" + run(4, "", "262144", "") + "\n";
  auto s = summarize(RunsTable::parse(text, "runs.csv"));
  ASSERT_EQ(s.points.size(), 4u);
  std::set<std::pair<std::string, uint64_t>> keys;
  for (const auto& p : s.points) keys.insert({p.key.strategy, p.key.rate_bps});
  EXPECT_EQ(
      keys,
      (std::set<std::pair<std::string, uint64_t>>{
          {"one-copy", 0}, {"one-copy", 2000000000}, {"one-copy w=256K cc=reno", 2000000000}, {"one-copy w=256K", 0}}));
  EXPECT_EQ(strategy_rank("one-copy w=256K cc=reno"), strategy_rank("one-copy"));
  auto csv = summary_csv(s);
  EXPECT_NE(csv.find("loopback,stream,one-copy w=256K cc=reno,65536,,1,2000000000,1,0,"), std::string::npos) << csv;
  EXPECT_EQ(unpaced(s).points.size(), 2u);
}
