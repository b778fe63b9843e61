// `copybench sweep` end to end: loopback and netns grids, the output folder, an interrupted
// sweep that leaves no namespace and resumes, and `report` from runs.csv alone.
#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e_util.h"
#include "net/netns.h"

using namespace copybench;
using namespace copybench::test;

namespace {

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// Cell `key` of every data row (simple split: the tested columns hold no commas).
std::vector<std::string> column(const std::string& csv_text, const std::string& key) {
  auto lines = nonempty_lines(csv_text);
  std::vector<std::string> header, out;
  std::stringstream hs(lines.at(0));
  for (std::string k; std::getline(hs, k, ',');) header.push_back(k);
  auto at = std::find(header.begin(), header.end(), key) - header.begin();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::stringstream rs(lines[i]);
    std::vector<std::string> cells;
    for (std::string c; std::getline(rs, c, ',');) cells.push_back(c);
    out.push_back(at < static_cast<long>(cells.size()) ? cells[at] : "");
  }
  return out;
}

bool non_empty_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::file_size(path, ec) > 0 && !ec;
}

bool gnuplot_installed() { return ::access("/usr/bin/gnuplot", X_OK) == 0; }

void skip_unless_netns() {
  if (!has_netns_privileges() || !ip_command()) GTEST_SKIP() << "needs root and iproute2 to create namespaces";
}

void expect_full_folder(const TempDir& dir, size_t runs, const std::string& topology) {
  auto csv = read_text(dir.file("out/runs.csv"));
  auto rows = nonempty_lines(csv);
  ASSERT_EQ(rows.size(), runs + 1) << "one row per run:\n" << csv;
  for (const auto& status : column(csv, "status")) EXPECT_EQ(status, "ok") << csv;
  auto j = read_json(dir.file("out/results.json"));
  EXPECT_EQ(j["runs"].size(), runs);
  EXPECT_FALSE(j["environment"].is_null());
  EXPECT_TRUE(non_empty_file(dir.file("out/summary.csv")));
  auto report = read_text(dir.file("out/report.md"));
  EXPECT_FALSE(report.empty());
  if (gnuplot_installed()) {
    EXPECT_TRUE(non_empty_file(dir.file("out/plots/throughput_vs_size_" + topology + ".png")));
    EXPECT_TRUE(non_empty_file(dir.file("out/plots/throughput_vs_size_" + topology + ".svg")));
  }
}

const char* kSmallGrid = " --strategies two-copy,one-copy --sizes 1K,16K --duration 100ms --warmup 0 --reps 1 --seed 5";

}  // namespace

TEST(Sweep, LoopbackGridFillsTheFolder) {
  TempDir dir;
  auto r =
      run_copybench(std::string("sweep --topology loopback --threads 1,2") + kSmallGrid + " --out " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_full_folder(dir, 8, "loopback");
  auto csv = read_text(dir.file("out/runs.csv"));
  for (const auto& t : column(csv, "topology")) EXPECT_EQ(t, "loopback");
  EXPECT_NE(r.output.find("run 8/8"), std::string::npos) << "plain progress lines off a terminal:\n" << r.output;

  // The report is rebuilt from runs.csv alone, to the same summary.
  auto summary = read_text(dir.file("out/summary.csv"));
  std::filesystem::remove(dir.file("out/summary.csv"));
  std::filesystem::remove(dir.file("out/results.json"));
  auto again = run_copybench("report " + dir.file("out"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(read_text(dir.file("out/summary.csv")), summary);

  auto clash = run_copybench(std::string("sweep --topology loopback --quick --out ") + dir.file("out"));
  EXPECT_EQ(clash.exit_code, 2) << clash.output;
  EXPECT_NE(clash.output.find("already holds a sweep"), std::string::npos) << clash.output;
}

TEST(Sweep, ReceiveSizesAreAnAxisFromTheCommandLineToTheReport) {
  TempDir dir;
  auto r = run_copybench(
      "sweep --topology loopback --strategies one-copy --recv-sizes auto,16K --sizes 1K,64K --threads 1 "
      "--modes stream,rr --duration 100ms --warmup 0 --reps 1 --seed 3 --out " +
      dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto csv = read_text(dir.file("out/runs.csv"));
  auto sizes = column(csv, "recv_size_bytes"), autos = column(csv, "recv_size_auto"), points = column(csv, "point");
  ASSERT_EQ(points.size(), 6u) << "2 sizes x (auto, 16K) in stream, 2 sizes in rr";
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].rfind("rr/", 0) == 0) {
      EXPECT_EQ(sizes[i], "") << points[i];
    } else if (points[i].find("+r16K") != std::string::npos) {
      EXPECT_EQ(sizes[i], "16384");
      EXPECT_EQ(autos[i], "false");
    } else {
      EXPECT_EQ(autos[i], "true") << points[i];
      EXPECT_FALSE(sizes[i].empty());
    }
  }
  auto summary = read_text(dir.file("out/summary.csv"));
  EXPECT_NE(summary.find(",one-copy+recv:16K,"), std::string::npos) << "a typed size is its own line:\n" << summary;
  EXPECT_NE(summary.find(",one-copy,"), std::string::npos) << summary;
  EXPECT_NE(summary.find(",limited_by,limited_by_runs"), std::string::npos);
  auto j = read_json(dir.file("out/results.json"));
  EXPECT_EQ(j["plan"]["recv_sizes_bytes"], (nlohmann::json{0, 16384})) << j["plan"].dump();
  auto refused = run_copybench("sweep --topology loopback --modes rr --recv-sizes 16K --quick --out " + dir.file("rr"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--recv-sizes needs stream among --modes"), std::string::npos) << refused.output;
}

TEST(Sweep, NetnsGridRunsAcrossAVethPairAndLeavesNoNamespace) {
  skip_unless_netns();
  TempDir dir;
  auto r = run_copybench(std::string("sweep --topology netns --mtu 9000 --threads 1") + kSmallGrid + " --quiet --out " +
                         dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_full_folder(dir, 4, "netns");
  auto csv = read_text(dir.file("out/runs.csv"));
  for (const auto& mtu : column(csv, "path_mtu")) EXPECT_EQ(mtu, "9000") << "the veth MTU, not loopback's";
  for (const auto& server : column(csv, "server")) EXPECT_EQ(server.rfind("10.77.0.1:", 0), 0u) << server;
  EXPECT_TRUE(orphaned_copybench_namespaces().empty());
}

TEST(Sweep, InterruptedHalfWayKeepsItsRunsRemovesNamespacesAndResumes) {
  skip_unless_netns();
  TempDir dir;
  std::vector<std::string> argv = {
      COPYBENCH_BIN, "sweep",     "--topology",   "netns", "--strategies", "one-copy,two-copy",
      "--sizes",     "1K,4K,16K", "--threads",    "1",     "--duration",   "300ms",
      "--warmup",    "0",         "--reps",       "1",     "--seed",       "9",
      "--quiet",     "--out",     dir.file("out")};
  Child sweep(argv);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (nonempty_lines(read_text(dir.file("out/runs.csv"))).size() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<pid_t> children;  // the next run's server and client
  while (children.size() < 2 && std::chrono::steady_clock::now() < deadline) children = children_of(sweep.pid());
  EXPECT_EQ(children.size(), 2u);
  sweep.signal(SIGINT);
  auto code = sweep.wait_for(30'000);
  ASSERT_TRUE(code.has_value()) << "the sweep must end promptly after SIGINT";
  EXPECT_EQ(*code, 130);
  for (pid_t child : children) EXPECT_FALSE(alive(child)) << "child " << child << " outlived the sweep";
  EXPECT_TRUE(orphaned_copybench_namespaces().empty()) << "namespaces removed on SIGINT";
  auto rows = nonempty_lines(read_text(dir.file("out/runs.csv"))).size() - 1;
  EXPECT_GE(rows, 2u);
  EXPECT_LT(rows, 6u);
  EXPECT_TRUE(non_empty_file(dir.file("out/report.md"))) << "what was measured is reported";

  auto r = run_copybench("sweep --quiet --resume " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_full_folder(dir, 6, "netns");
  EXPECT_TRUE(orphaned_copybench_namespaces().empty());
}

TEST(Sweep, BadInputGetsOneClearLine) {
  for (const char* args : {"sweep --topology moon", "sweep --reps 0 --topology loopback", "sweep --sizes 1K,huge",
                           "sweep --strategies one-copy,four-copy --topology loopback", "sweep --mtu 10",
                           "sweep --resume /nonexistent/dir", "report /nonexistent/dir",
                           "sweep --resume /tmp --sizes 1K", "sweep --host 192.0.2.1 --topology netns",
                           "sweep --mtu 9000 --topology loopback", "sweep --response-size 1K --topology loopback",
                           "sweep --optmem-max 0 --topology netns", "sweep --topology remote"}) {
    auto r = run_copybench(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(nonempty_lines(r.output).size(), 1u) << args << ":\n" << r.output;
    EXPECT_NE(r.output.find("copybench: error:"), std::string::npos) << args << ":\n" << r.output;
  }
}

TEST(Sweep, RepeatedValuesAreOnePointAndResumeRefusesRunsOfAnotherPlan) {
  TempDir dir;
  auto r = run_copybench(
      "sweep --topology loopback --strategies a2,one-copy --sizes 1K,1024 --threads 1,1 --reps 2 "
      "--duration 50ms --warmup 0 --quiet --out " +
      dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nonempty_lines(read_text(dir.file("out/runs.csv"))).size(), 3u) << "one point, two repetitions";
  auto j = read_json(dir.file("out/results.json"));
  j["runs"][0]["point"] = "stream/two-copy/64K/8t";
  std::ofstream(dir.file("out/results.json")) << j.dump();
  auto resumed = run_copybench("sweep --quiet --resume " + dir.file("out"));
  EXPECT_EQ(resumed.exit_code, 1) << resumed.output;
  EXPECT_NE(resumed.output.find("does not belong to the saved plan"), std::string::npos) << resumed.output;
  EXPECT_EQ(nonempty_lines(resumed.output).size(), 1u) << resumed.output;
}
