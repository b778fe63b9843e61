// The study's answers on synthetic summaries with known answers, and write_report end to end on
// a synthetic runs.csv in a temporary directory.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "report/answers.h"
#include "report/gnuplot.h"
#include "report/report.h"

using namespace copybench;
using namespace copybench::report;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t K = 1024;

Stats exact(double v) { return describe({v}); }
Stats around(double v, double half) { return Stats{3, v, v - half, v + half, v - half, v + half}; }

std::vector<SizeComparison> compare_series(const std::vector<Stats>& challenger, const std::vector<Stats>& baseline) {
  const uint64_t sizes[] = {1 * K, 4 * K, 16 * K, 64 * K};
  std::vector<SizeComparison> out;
  for (size_t i = 0; i < challenger.size(); ++i)
    out.push_back({sizes[i], challenger[i].median, baseline[i].median, compare(challenger[i], baseline[i])});
  return out;
}

SummaryPoint point(const std::string& strategy, uint64_t size, int threads, const std::string& metric, Stats s,
                   const std::string& mode = "stream") {
  SummaryPoint p{{"loopback", mode, strategy, size, std::nullopt, threads}, 3, 0, {}, {}, {}};
  if (mode == "rr") p.key.response_bytes = size;
  p.metrics.emplace(metric, s);
  return p;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST(Crossover, InterpolatesInLog2SizeBetweenTheSizesWhereTheOrderFlips) {
  // two-copy 10,20,30,40 and one-copy 5,15,35,50 at 1K,4K,16K,64K: differences -5,-5,+5,+10, so
  // the zero is halfway between 4K (2^12) and 16K (2^14) in log2: 2^13 = 8K.
  auto c = find_crossover(
      compare_series({exact(5), exact(15), exact(35), exact(50)}, {exact(10), exact(20), exact(30), exact(40)}));
  EXPECT_EQ(c.kind, Crossover::Kind::overtakes);
  EXPECT_EQ(c.below_bytes, 4 * K);
  EXPECT_EQ(c.above_bytes, 16 * K);
  ASSERT_TRUE(c.at_bytes);
  EXPECT_NEAR(*c.at_bytes, 8192, 1e-6);
  EXPECT_TRUE(c.tied_sizes().empty());

  // -6 at 1K, +2 at 4K: three quarters of the way in log2, 2^(10 + 2 * 0.75).
  auto d = find_crossover(compare_series({exact(14), exact(32)}, {exact(20), exact(30)}));
  EXPECT_EQ(d.kind, Crossover::Kind::overtakes);
  EXPECT_NEAR(*d.at_bytes, std::exp2(11.5), 1e-6);
}

TEST(Crossover, NotWithinTheMeasuredRangeSaysWhichWay) {
  auto ahead = find_crossover(compare_series({exact(11), exact(21), exact(31)}, {exact(10), exact(20), exact(30)}));
  EXPECT_EQ(ahead.kind, Crossover::Kind::always_ahead);
  EXPECT_FALSE(ahead.at_bytes);
  auto behind = find_crossover(compare_series({exact(9), exact(19), exact(29)}, {exact(10), exact(20), exact(30)}));
  EXPECT_EQ(behind.kind, Crossover::Kind::always_behind);
  auto falls = find_crossover(compare_series({exact(11), exact(19), exact(29)}, {exact(10), exact(20), exact(30)}));
  EXPECT_EQ(falls.kind, Crossover::Kind::falls_behind);
  EXPECT_EQ(falls.below_bytes, 1 * K);
  EXPECT_EQ(falls.above_bytes, 4 * K);
  EXPECT_EQ(find_crossover(compare_series({exact(1)}, {exact(2)})).kind, Crossover::Kind::too_few_sizes);
}

TEST(Crossover, OverlappingIntervalsAreTiesNotWins) {
  // As the interpolation test, but one-copy's interval at 16K (35 ± 8) overlaps two-copy's.
  auto c = find_crossover(compare_series({around(5, 1), around(15, 1), around(35, 8), around(50, 1)},
                                         {around(10, 1), around(20, 1), around(30, 1), around(40, 1)}));
  EXPECT_EQ(c.kind, Crossover::Kind::overtakes_within_noise);
  EXPECT_EQ(c.below_bytes, 4 * K);
  EXPECT_EQ(c.above_bytes, 64 * K);
  EXPECT_FALSE(c.at_bytes);
  EXPECT_EQ(c.tied_sizes(), std::vector<uint64_t>{16 * K});

  EXPECT_EQ(compare(around(10, 2), around(13, 2)), Order::tie);
  EXPECT_EQ(compare(around(10, 1), around(13, 1)), Order::behind);
  auto tied = find_crossover(compare_series({around(10, 5), around(20, 5)}, {around(11, 5), around(19, 5)}));
  EXPECT_EQ(tied.kind, Crossover::Kind::always_tied);
  // A tie at the smallest size does not hide a later clear lead.
  auto later = find_crossover(compare_series({around(10, 5), around(25, 1)}, {around(11, 5), around(20, 1)}));
  EXPECT_EQ(later.kind, Crossover::Kind::always_ahead);
}

TEST(Answers, StreamCrossoversComeInTheStudysPairOrder) {
  Summary s;
  const double two[] = {10, 20, 30, 40}, one[] = {5, 15, 35, 50}, zero[] = {2, 8, 25, 45};
  const uint64_t sizes[] = {1 * K, 4 * K, 16 * K, 64 * K};
  for (int i = 0; i < 4; ++i)
    for (auto [name, v] :
         {std::pair{"two-copy", two[i]}, std::pair{"one-copy", one[i]}, std::pair{"zero-copy", zero[i]}})
      s.points.push_back(point(name, sizes[i], 1, "receiver_throughput_gbps", around(v, 0.5)));
  auto all = stream_crossovers(s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].challenger + ">" + all[0].baseline, "one-copy>two-copy");
  EXPECT_EQ(all[1].challenger + ">" + all[1].baseline, "zero-copy>two-copy");
  EXPECT_EQ(all[2].challenger + ">" + all[2].baseline, "zero-copy>one-copy");
  EXPECT_NEAR(*all[0].at_bytes, 8 * K, 1e-6);
  EXPECT_NEAR(*all[1].at_bytes, 32 * K, 1e-6);  // -5 at 16K, +5 at 64K
  EXPECT_EQ(all[2].kind, Crossover::Kind::always_behind);
}

TEST(Answers, BestThreadCountNamesTies) {
  Summary s;
  s.points = {point("two-copy", 4 * K, 1, "receiver_throughput_gbps", around(10, 1)),
              point("two-copy", 4 * K, 2, "receiver_throughput_gbps", around(18, 1)),
              point("two-copy", 4 * K, 4, "receiver_throughput_gbps", around(19, 1)),
              point("one-copy", 4 * K, 1, "receiver_throughput_gbps", around(12, 1))};  // one thread count only
  auto best = best_thread_counts(s, "stream", "receiver_throughput_gbps");
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].strategy, "two-copy");
  EXPECT_EQ(best[0].threads, 4);
  EXPECT_EQ(best[0].tied_threads, std::vector<int>{2});
  EXPECT_EQ(best[0].measured_threads, (std::vector<int>{1, 2, 4}));
}

TEST(Answers, LowestRrLatencyAndZeroCopyShare) {
  Summary s;
  s.points = {point("two-copy", 64, 1, "receiver_latency_p50_us", around(20, 1), "rr"),
              point("one-copy", 64, 1, "receiver_latency_p50_us", around(15, 1), "rr"),
              point("zero-copy", 64, 1, "receiver_latency_p50_us", around(16, 1), "rr"),
              point("zero-copy", 4 * K, 1, "zc_copied_pct", Stats{3, 100, 100, 100, 100, 100}),
              point("zero-copy", 64 * K, 1, "zc_copied_pct", Stats{2, 100, 100, 100, 100, 100})};
  auto low = lowest_rr_latency(s);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].strategy, "one-copy");
  EXPECT_EQ(low[0].tied, std::vector<std::string>{"zero-copy"});
  EXPECT_EQ(low[0].strategies_measured, 3);

  auto shares = zero_copy_shares(s);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].runs, 5);
  EXPECT_EQ(shares[0].points, 2);
  EXPECT_DOUBLE_EQ(shares[0].min_pct, 100);
  EXPECT_NE(zero_copy_meaning(shares[0]).find("skb_copy_ubufs"), std::string::npos);
  EXPECT_NE(zero_copy_meaning({"remote", 1, 3, 0, 0}).find("avoided"), std::string::npos);
}

namespace {

// Columns in an order of their own: the report must find them by name.
const char* kColumns[] = {"run_order",
                          "point",
                          "rep",
                          "topology",
                          "seed",
                          "status",
                          "error",
                          "strategy",
                          "mode",
                          "threads",
                          "message_bytes",
                          "response_bytes",
                          "kernel",
                          "cpu_model",
                          "cores",
                          "path_mtu",
                          "duration_s",
                          "warmup_s",
                          "receiver_throughput_gbps",
                          "receiver_messages_per_s",
                          "sender_time_per_msg_us",
                          "sender_cpu_ns_per_byte",
                          "receiver_cpu_ns_per_byte",
                          "sender_context_switches",
                          "receiver_context_switches",
                          "receiver_latency_p50_us",
                          "receiver_latency_p99_us",
                          "zc_copied_pct",
                          "limited_by"};

std::string runs_row(std::map<std::string, std::string> cells) {
  std::string out;
  for (const char* c : kColumns) out += (c == kColumns[0] ? "" : ",") + cells[c];
  return out + "\n";
}

// Stream: two-copy 10,20,30,40, one-copy 5,15,35,50, zero-copy 2,8,25,45 Gbit/s at 1K..64K (x1.5
// with 2 threads), three runs each at v-0.1, v, v+0.1; rr at 64 B and 4K; one failed run.
std::string synthetic_runs() {
  std::string out;
  for (const char* c : kColumns) out += (out.empty() ? "" : ",") + std::string(c);
  out += "\n";
  int order = 0;
  const std::map<std::string, std::vector<double>> gbps = {
      {"two-copy", {10, 20, 30, 40}}, {"one-copy", {5, 15, 35, 50}}, {"zero-copy", {2, 8, 25, 45}}};
  const uint64_t sizes[] = {1 * K, 4 * K, 16 * K, 64 * K};
  auto base = [&](const std::string& strategy, const std::string& mode, int threads, uint64_t size, int rep) {
    return std::map<std::string, std::string>{{"run_order", std::to_string(++order)},
                                              {"point", fmt::format("{}-{}-{}-{}", mode, strategy, threads, size)},
                                              {"rep", std::to_string(rep)},
                                              {"topology", "loopback"},
                                              {"seed", "42"},
                                              {"status", "ok"},
                                              {"strategy", strategy},
                                              {"mode", mode},
                                              {"threads", std::to_string(threads)},
                                              {"message_bytes", std::to_string(size)},
                                              {"kernel", "Linux 6.1.0-test"},
                                              {"cpu_model", "\"Test CPU, 2 cores\""},
                                              {"cores", "2"},
                                              {"path_mtu", "65535"},
                                              {"duration_s", "1"},
                                              {"warmup_s", "0.5"}};
  };
  for (const auto& [strategy, values] : gbps)
    for (int threads : {1, 2})
      for (int i = 0; i < 4; ++i)
        for (int rep = 1; rep <= 3; ++rep) {
          auto cells = base(strategy, "stream", threads, sizes[i], rep);
          double v = values[i] * (threads == 2 ? 1.5 : 1) + (rep - 2) * 0.1;
          cells["receiver_throughput_gbps"] = fmt::format("{}", v);
          cells["sender_time_per_msg_us"] = fmt::format("{}", sizes[i] * 8 / (v * 1e3) * threads);
          cells["sender_cpu_ns_per_byte"] = fmt::format("{}", 1.0 / v);
          cells["receiver_cpu_ns_per_byte"] = fmt::format("{}", 0.5 / v);
          cells["sender_context_switches"] = std::to_string(100 * rep);
          cells["receiver_context_switches"] = std::to_string(1000 + rep);
          if (strategy == "zero-copy") cells["zc_copied_pct"] = "100";
          cells["limited_by"] = threads == 2 ? "both_cpus" : rep == 1 ? "neither" : "sender_cpu";
          out += runs_row(cells);
        }
  for (const auto& [strategy, p50] :
       std::map<std::string, double>{{"two-copy", 30}, {"one-copy", 20}, {"zero-copy", 25}})
    for (int threads : {1, 2})
      for (uint64_t size : {uint64_t{64}, 4 * K})
        for (int rep = 1; rep <= 3; ++rep) {
          auto cells = base(strategy, "rr", threads, size, rep);
          cells["response_bytes"] = std::to_string(size);
          cells["receiver_latency_p50_us"] = fmt::format("{}", p50 * threads + rep * 0.1);
          cells["receiver_latency_p99_us"] = fmt::format("{}", 3 * p50 * threads + rep);
          cells["receiver_messages_per_s"] = fmt::format("{}", 1e6 / p50 * threads);
          cells["receiver_throughput_gbps"] = "0.5";
          if (strategy == "zero-copy") cells["zc_copied_pct"] = "100";
          out += runs_row(cells);
        }
  auto failed = base("two-copy", "stream", 1, 1 * K, 4);
  failed["status"] = "failed";
  failed["error"] = "\"connect 127.0.0.1:5201: Connection refused\"";
  return out + runs_row(failed);
}

class WriteReport : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "copybench_report_XXXXXX").string();
    ASSERT_TRUE(::mkdtemp(pattern.data())) << "mkdtemp";
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_runs(const std::string& text) { std::ofstream(dir_ / "runs.csv", std::ios::binary) << text; }
  fs::path dir_;
};

}  // namespace

TEST_F(WriteReport, WritesSummaryReportAndPlots) {
  write_runs(synthetic_runs());
  auto outcome = write_report(dir_.string());
  EXPECT_EQ(outcome.runs, 3 * 2 * 4 * 3 + 3 * 2 * 2 * 3 + 1);
  EXPECT_EQ(outcome.failed_runs, 1);
  auto summary = read(dir_ / "summary.csv");
  EXPECT_NE(summary.find("loopback,stream,two-copy,1024,,1,,3,1,3,10,9.9,10.1,"), std::string::npos) << summary;
  auto md = read(dir_ / "report.md");
  EXPECT_NE(md.find("**one-copy over two-copy**: overtakes at about 8 KiB"), std::string::npos) << md;
  // What limited each point: one row each, with the verdict most runs gave; prose only where
  // the runs disagreed (one thread: one run neither, two sender CPU).
  EXPECT_NE(md.find("### What limited each run?"), std::string::npos) << md;
  EXPECT_NE(md.find("| stream | 1 | 4K | one-copy | sender CPU | 2 of 3 | ? | ? | ? | ? | ? |\n"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| stream | 2 | 4K | one-copy | both CPUs saturated | 3 of 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("- loopback, stream, 1 thread, 4K, one-copy: 1 run neither side's CPU, 2 runs sender CPU.\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("- loopback, stream, 2 threads, 4K, one-copy:"), std::string::npos) << md;  // they agreed
  EXPECT_EQ(md.find("Limited by (runs.csv"), std::string::npos) << md;  // no longer repeated in the crossovers
  EXPECT_NE(summary.find(",sender_cpu,2\n"), std::string::npos) << summary;
  EXPECT_NE(md.find("**zero-copy over two-copy**: overtakes at about 32 KiB"), std::string::npos) << md;
  EXPECT_NE(md.find("**zero-copy over one-copy**: no crossover within the measured range (1K to 64K): zero-copy is "
                    "behind at every measured size."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Connection refused"), std::string::npos);
  EXPECT_NE(md.find("Test CPU, 2 cores"), std::string::npos);
  EXPECT_NE(md.find("skb_copy_ubufs"), std::string::npos);
  EXPECT_NE(md.find("LLC load misses per KiB vs message size (loopback) (`llc_misses_vs_size_loopback`): no "
                    "LLC-load-misses counts"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("CPU time per byte vs message size, no cycle counts"), std::string::npos);
  EXPECT_TRUE(fs::file_size(dir_ / "plots" / "throughput_vs_size_loopback.dat") > 0);
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not installed: plot files not checked";
  EXPECT_EQ(outcome.note, "");
  for (const char* stem :
       {"throughput_vs_size_loopback", "stream_latency_vs_threads_loopback", "rr_latency_vs_threads_loopback",
        "cpu_cost_vs_size_loopback", "context_switches_vs_size_loopback", "zc_copied_vs_size_loopback"}) {
    auto png = read(dir_ / "plots" / (std::string(stem) + ".png"));
    auto svg = read(dir_ / "plots" / (std::string(stem) + ".svg"));
    EXPECT_EQ(png.substr(0, 4), "\x89PNG") << stem;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << stem;
    EXPECT_NE(md.find(fmt::format("](plots/{}.png)", stem)), std::string::npos) << stem;
  }
}

TEST_F(WriteReport, SameRunsGiveTheSameSummaryAndReport) {
  write_runs(synthetic_runs());
  write_report(dir_.string());
  auto summary = read(dir_ / "summary.csv"), md = read(dir_ / "report.md");
  write_report(dir_.string());
  EXPECT_EQ(read(dir_ / "summary.csv"), summary);
  EXPECT_EQ(read(dir_ / "report.md"), md);
}

TEST_F(WriteReport, BadHeaderOrNoRunsCsvIsAnErrorNamingIt) {
  try {
    write_report(dir_.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "runs.csv").string() + ": no such file");
  }
  write_runs("strategy,mode,gbps\ntwo-copy,stream,1\n");
  try {
    write_report(dir_.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find((dir_ / "runs.csv").string() + " line 1: bad header, no column run_order"), std::string::npos)
        << what;
  }
}

TEST_F(WriteReport, WithoutGnuplotWritesDataAndSaysHowToInstallIt) {
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", dir_.c_str(), 1);  // a directory without gnuplot
  write_runs(synthetic_runs());
  ReportOutcome outcome;
  EXPECT_NO_THROW(outcome = write_report(dir_.string()));
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(outcome.note, "gnuplot not found: apt-get install gnuplot-nox, then copybench report DIR");
  EXPECT_TRUE(fs::exists(dir_ / "plots" / "throughput_vs_size_loopback.gp"));
  EXPECT_FALSE(fs::exists(dir_ / "plots" / "throughput_vs_size_loopback.png"));
  EXPECT_NE(read(dir_ / "report.md").find("gnuplot not found"), std::string::npos);
}
