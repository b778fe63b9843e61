// `copybench compare` and `sweep --compare-to` end to end: real sweeps over loopback compared
// with themselves (no change anywhere), with a sweep of a known large effect (reads of 64 bytes
// instead of 256K), runs' JSON, and inputs that cannot be compared.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e_util.h"

using namespace copybench::test;

namespace {

const std::string kGrid =
    "sweep --topology loopback --strategies one-copy --sizes 64K --threads 1 --duration 200ms --warmup 0 --reps 5 "
    "--seed 3 --quiet";

std::string sweep_into(const std::string& dir, const std::string& extra = "") {
  auto r = run_copybench(kGrid + " " + extra + " --out " + dir, 300);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return dir;
}

// The rows of compare.csv for one metric.
std::vector<std::vector<std::string>> csv_rows(const std::string& file, const std::string& metric) {
  std::vector<std::vector<std::string>> out;
  for (const auto& line : lines_of(read_text(file))) {
    std::vector<std::string> cells;
    std::stringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    if (cells.size() > 9 && cells[9] == metric) out.push_back(cells);
  }
  return out;
}

}  // namespace

TEST(Compare, ASweepAgainstItselfIsNoChangeAndPassesTheGate) {
  TempDir dir;
  const auto a = sweep_into(dir.file("a"));
  auto r = run_copybench("compare " + a + " " + a + " --fail-on 5% --out " + dir.file("cmp"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("nothing recorded differs"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("one-copy, 64K, 1 thread, stream"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("geomean"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1.00 (+0.0%)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("worse than"), std::string::npos) << r.output;
  const auto csv = dir.file("cmp/compare.csv");
  auto rows = csv_rows(csv, "receiver_throughput_gbps");
  ASSERT_EQ(rows.size(), 1u) << read_text(csv);
  EXPECT_EQ(rows[0][15], "1") << "ratio";
  EXPECT_EQ(rows[0][20], "false") << "significant";
  EXPECT_EQ(read_text(csv).find(",true,"), std::string::npos) << "no metric changed: " << read_text(csv);
  EXPECT_TRUE(std::filesystem::exists(dir.file("cmp/compare.md")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("cmp/plots/compare-throughput.dat")));
}

TEST(Compare, AKnownEffectIsSignificantInItsDirectionAndFailsTheGate) {
  TempDir dir;
  const auto old_dir = sweep_into(dir.file("old"));
  const auto new_dir = sweep_into(dir.file("new"), "--recv-sizes 64");
  // The data paths are named apart ("one-copy" and "one-copy+recv:64"): nothing in common.
  auto apart = run_copybench("compare " + old_dir + " " + new_dir);
  EXPECT_EQ(apart.exit_code, 2) << apart.output;
  EXPECT_EQ(lines_of(apart.output).size(), 1u) << apart.output;
  EXPECT_NE(apart.output.find("no cell in common"), std::string::npos) << apart.output;

  auto r =
      run_copybench("compare " + old_dir + " " + new_dir + " --ignore recv-size --fail-on 5% -o " + dir.file("cmp"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("recv_size_bytes"), std::string::npos) << "the difference is listed: " << r.output;
  EXPECT_NE(r.output.find("one-copy, 64K, 1 thread, stream: receiver throughput -"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("worse than --fail-on 5%"), std::string::npos) << r.output;
  auto rows = csv_rows(dir.file("cmp/compare.csv"), "receiver_throughput_gbps");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][20], "true") << "significant";
  EXPECT_LT(std::stod(rows[0][15]), 0.5) << "64-byte reads cost most of the throughput";
  EXPECT_LT(std::stod(rows[0][17]), 1.0) << "the interval's top is below 1";
  // The other way round it is a gain: significant, and no gate fails.
  auto back = run_copybench("compare " + new_dir + " " + old_dir + " --ignore recv-size --fail-on 5%");
  EXPECT_EQ(back.exit_code, 0) << back.output;
}

TEST(Compare, RunsJsonAreInputsAndTooFewRunsSayHowManyItTakes) {
  TempDir dir;
  for (const char* name : {"a.json", "b.json"}) {
    auto r = run_copybench(std::string("run --size 4K --duration 200ms --warmup 0 --quiet --json ") + dir.file(name));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  auto r = run_copybench("compare " + dir.file("a.json") + " " + dir.file("b.json") + " --fail-on 0");
  ASSERT_EQ(r.exit_code, 0) << "one run against one is never significant: " << r.output;
  EXPECT_NE(r.output.find("(run, 1 runs, 0 failed, 1 cells)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("needs 4 runs each"), std::string::npos) << r.output;
}

TEST(Compare, InputsThatCannotBeComparedGetOneLineAndExit2) {
  TempDir dir;
  const auto a = sweep_into(dir.file("a"));
  std::filesystem::create_directories(dir.file("empty"));
  std::ofstream(dir.file("future.json")) << R"({"schema_version": 99, "status": "ok"})";
  std::ofstream(dir.file("garbage.json")) << "not json";
  struct Case {
    std::string args, says;
  };
  for (const Case& c : {Case{a + " " + dir.file("missing"), "no such file or folder"},
                        Case{a + " " + dir.file("empty"), "neither a sweep folder"},
                        Case{a + " " + dir.file("future.json"), "schema_version 99 is newer"},
                        Case{a + " " + dir.file("garbage.json"), "not JSON"}, Case{a, "At least 2 required"},
                        Case{a + " " + a + " --fail-on five", "--fail-on takes a percentage"},
                        Case{a + " " + a + " --ignore color", "--ignore color: not a part of a cell"},
                        Case{a + " " + a + " --alpha 2", "--alpha 2 is out of range"}}) {
    auto r = run_copybench("compare " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.output;
    EXPECT_EQ(lines_of(r.output).size(), 1u) << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << ": " << r.output;
  }
}

TEST(Sweep, CompareToRunsTheEarlierPlanAndWritesTheComparisonBesideItsReport) {
  TempDir dir;
  const auto a = sweep_into(dir.file("a"));
  auto r = run_copybench("sweep --compare-to " + a + " --out " + dir.file("b"), 300);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("compared with " + a), std::string::npos) << r.output;
  auto old_plan = read_json(a + "/results.json")["plan"];
  auto new_plan = read_json(dir.file("b/results.json"))["plan"];
  EXPECT_EQ(new_plan, old_plan) << "the same grid, the same seed";
  EXPECT_TRUE(std::filesystem::exists(dir.file("b/report.md")));
  EXPECT_EQ(csv_rows(dir.file("b/compare.csv"), "receiver_throughput_gbps").size(), 1u);
  EXPECT_NE(read_text(dir.file("b/compare.md")).find("## What differs between the inputs"), std::string::npos);
  // The grid is the earlier sweep's: options that would change it are refused.
  auto refused = run_copybench("sweep --compare-to " + a + " --sizes 1K --out " + dir.file("c"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
}

TEST(Compare, FleetFoldersAreComparedPairByPair) {
  TempDir dir;
  const auto a = sweep_into(dir.file("a"));
  for (const char* fleet : {"f1", "f2"}) {
    std::filesystem::create_directories(dir.file(fleet) + "/pairs/h1--h2");
    std::ofstream(dir.file(fleet) + "/fleet.json")
        << R"({"kind": "copybench fleet", "pattern": "all-pairs", "hosts": [{"name": "h1", "address": "10.0.0.1"},)"
        << R"( {"name": "h2", "address": "10.0.0.2"}], "pairs": [{"client": "h1", "server": "h2", "status": "ok"},)"
        << R"( {"client": "h2", "server": "h1", "status": "failed", "error": "unreachable"}]})";
    for (const char* file : {"runs.csv", "results.json"})
      std::filesystem::copy_file(a + "/" + file, dir.file(fleet) + "/pairs/h1--h2/" + file);
  }
  auto r = run_copybench("compare " + dir.file("f1") + " " + dir.file("f2") + " --fail-on 5%");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(fleet, 5 runs, 0 failed, 1 cells)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("one-copy, 64K, 1 thread, stream, pair h1--h2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pair h2--h1 left out (it failed)"), std::string::npos) << r.output;
  // A fleet's cells are its pairs': against a sweep (no pair), nothing is in common.
  auto apart = run_copybench("compare " + a + " " + dir.file("f1"));
  EXPECT_EQ(apart.exit_code, 2) << apart.output;
}
