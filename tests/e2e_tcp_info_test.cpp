// TCP's view and the run as it happens, end to end over loopback (and netns): per-connection
// tcp_info on both sides, limited_by, --interval lines and the intervals of both sides in the
// JSON, --json-stream's lines, a reader of --json-stream that goes away, sweeps.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <cstdio>
#include <string>

#include "e2e_util.h"
#include "net/netns.h"

using namespace copybench;
using namespace copybench::test;

namespace {

// The interval lines a run printed: those that start with the interval's times.
size_t interval_lines(const std::string& output) {
  size_t n = 0;
  for (const auto& line : lines_of(output))
    if (line.find(" s  receiver") != std::string::npos || line.find(" s  sender") != std::string::npos) ++n;
  return n;
}

// Intervals of one side add up to its window's bytes; they tile the window, each (but the last,
// which ends with the window) ending at or after its point of the --interval grid (a late wake-up
// moves that end, never the grid). As many as the window holds: one interval over the whole
// window would tile it too.
void expect_intervals_tile_the_window(const nlohmann::json& side, const char* name, double interval_s) {
  ASSERT_TRUE(side["intervals"].is_array()) << name << ": " << side["intervals_reason"];
  const auto& intervals = side["intervals"];
  const double window_s = side["window_s"].get<double>();
  EXPECT_GE(static_cast<double>(intervals.size()), window_s / interval_s - 1) << name << ": " << intervals.dump();
  uint64_t bytes = 0;
  double previous_end = 0;
  for (size_t i = 0; i < intervals.size(); ++i) {
    const auto& v = intervals[i];
    bytes += v["bytes"].get<uint64_t>();
    EXPECT_NEAR(v["start_s"].get<double>(), previous_end, 1e-9) << name;
    previous_end = v["end_s"].get<double>();
    if (i + 1 < intervals.size()) {
      EXPECT_GE(previous_end, static_cast<double>(i + 1) * interval_s - 1e-6) << name << " interval " << i;
    }
  }
  EXPECT_EQ(bytes, side["bytes_in_window"].get<uint64_t>()) << name << ": the intervals cover the window exactly";
  EXPECT_NEAR(previous_end, side["window_s"].get<double>(), 0.01) << name;
}

}  // namespace

TEST(TcpView, ZeroCopyRunCarriesEachConnectionsTcpInfoAndWhatLimitedIt) {
  TempDir dir;
  std::string output;
  auto j = run_json("run --strategy zero-copy --size 64K --threads 2 --duration 1 --warmup 200ms", dir, &output);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["schema_version"], 3);
  for (const char* side : {"sender", "receiver"}) {
    const auto& s = j[side];
    ASSERT_EQ(s["streams"].size(), 2u) << side;
    for (const auto& stream : s["streams"]) {
      const auto& t = stream["tcp_info"];
      ASSERT_TRUE(t.is_object()) << side << ": " << stream.dump();
      EXPECT_TRUE(t["rtt_us"].is_number()) << side << ": " << t.dump();
      EXPECT_TRUE(t["snd_cwnd"].is_number()) << side << ": " << t.dump();
      EXPECT_TRUE(t["busy_pct"].is_number()) << side << ": " << t.dump();
      EXPECT_TRUE(t["meminfo"]["send_queue_end_bytes"].is_number()) << side << ": " << t.dump();
    }
    EXPECT_TRUE(s["tcp_info"].is_object()) << side;
    EXPECT_TRUE(s["tcp_rtt_us"].is_number()) << side;
    EXPECT_TRUE(s["intervals"].is_null()) << "no --interval";
    EXPECT_FALSE(s["intervals_reason"].is_null());
  }
  // A share of the window (how much depends on the machine: under TSan the sender is its own
  // bottleneck and TCP often has nothing queued).
  const double busy = j["sender"]["tcp_busy_pct"].get<double>();
  EXPECT_TRUE(busy > 0 && busy <= 100) << j["sender"]["tcp_info"].dump();
  ASSERT_TRUE(j["limited_by"].is_object()) << j["limited_by_reason"];
  EXPECT_TRUE(j["limited_by"]["sender"]["tcp_sndbuf_limited_pct"].is_number()) << j["limited_by"].dump();
  for (const char* key : {"tcp_rtt_us", "tcp_busy_pct", "tcp_sndbuf_limited_pct", "tcp_rwnd_limited_pct"})
    EXPECT_TRUE(j["definitions"].contains(std::string("sender_") + key)) << key;
  EXPECT_NE(output.find("TCP's view over the window"), std::string::npos) << output;
  EXPECT_NE(output.find("tcp_rtt_us"), std::string::npos) << output;
  EXPECT_NE(output.find("tcp_sndbuf_limited_pct"), std::string::npos) << output;
}

TEST(TcpView, IntervalsArePrintedLiveAndBothSidesKeepThemInTheJson) {
  TempDir dir;
  std::string output;
  auto j = run_json("run --interval 500ms --duration 2 --warmup 200ms --no-counters", dir, &output);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_GE(interval_lines(output), 4u) << output;
  EXPECT_DOUBLE_EQ(j["parameters"]["interval_s"].get<double>(), 0.5);
  expect_intervals_tile_the_window(j["receiver"], "receiver", 0.5);
  expect_intervals_tile_the_window(j["sender"], "sender (the server's, from its RESULT)", 0.5);
  EXPECT_GE(j["sender"]["intervals"].size(), 4u);
  EXPECT_TRUE(j["sender"]["intervals"][0]["snd_cwnd"].is_number()) << j["sender"]["intervals"][0].dump();
  EXPECT_TRUE(j["receiver"]["interval_cv_pct"].is_number());
}

TEST(TcpView, ReverseAndBidirPrintTheClientsSideOfEachDirection) {
  auto r = run_copybench("run --bidir --interval 250ms --duration 1 --warmup 100ms --no-counters");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\nforward     0.00-"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nreverse     0.00-"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("s  sender"), std::string::npos) << "in reverse the client sends: " << r.output;
}

TEST(TcpView, JsonStreamWritesOneParseableLinePerIntervalThenTheResult) {
  auto r = run_copybench("run --interval 500ms --duration 2 --warmup 100ms --no-counters --json-stream - 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto events = parse_json_lines(r.output);  // throws, failing the test, on a line that is not JSON
  ASSERT_GE(events.size(), 5u) << r.output;
  size_t intervals = 0;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i]["event"], "interval") << events[i];
    EXPECT_TRUE(events[i]["interval"]["throughput_gbps"].is_number()) << events[i];
    ++intervals;
  }
  EXPECT_GE(intervals, 4u);
  const auto& last = events.back();
  EXPECT_EQ(last["event"], "result");
  EXPECT_EQ(last["status"], "ok");
  EXPECT_EQ(last["result"]["status"], "ok");
  EXPECT_TRUE(last["result"]["receiver"]["intervals"].is_array());
}

TEST(TcpView, AJsonStreamReaderThatGoesAwayEndsTheRunCleanly) {
  TempDir dir;
  // head takes the first line and exits: copybench's next line meets a closed pipe.
  std::string cmd = "bash -c 'timeout -k 5 60 " COPYBENCH_BIN
                    " run --interval 100ms --duration 20 --warmup 0 --no-counters "
                    "--json-stream - --json " +
                    dir.file("r.json") + " 2>" + dir.file("err") +
                    " </dev/null | head -n 1 >/dev/null; echo ${PIPESTATUS[0]}'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_TRUE(pipe);
  char buf[64] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, pipe);
  ::pclose(pipe);
  int code = std::stoi(std::string(buf, n));
  auto err = read_text(dir.file("err"));
  EXPECT_EQ(code, 130) << "interrupted, as Ctrl-C ends a run (124: it had to be stopped; 141: SIGPIPE killed it): "
                       << err;
  EXPECT_NE(err.find("--json-stream: its reader went away (broken pipe); the run ended early"), std::string::npos)
      << err;
  auto j = read_json(dir.file("r.json"));  // what it measured is still written
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_TRUE(j["receiver"].is_object());
  EXPECT_LT(j["receiver"]["window_s"].get<double>(), 20) << "the window ended early";
}

TEST(TcpView, RefusedWhereItCannotWork) {
  for (const char* args : {"run --interval 50ms", "run --interval 2m", "run --interval 100ms --duration 2000s",
                           "run --json - --json-stream -"}) {
    auto r = run_copybench(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.output;
    EXPECT_EQ(lines_of(r.output).size(), 1u) << args << ": " << r.output;
  }
  auto r = run_copybench("run --interval 50ms");
  EXPECT_NE(r.output.find("interval 50 ms is out of range"), std::string::npos) << r.output;
  r = run_copybench("run --json-stream /nonexistent-dir/x.jsonl --duration 100ms");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--json-stream /nonexistent-dir/x.jsonl"), std::string::npos) << r.output;
}

TEST(TcpView, SweepKeepsEachRunsStreamAndSummarizesHowSteadyEachPointWas) {
  TempDir dir;
  auto out = dir.file("out");
  std::string topology = has_netns_privileges() && ip_command() ? "netns" : "loopback";
  auto r = run_copybench("sweep --topology " + topology +
                             " --strategies one-copy,zero-copy --sizes 16K --threads 1 --reps 2 "
                             "--duration 1 --warmup 100ms --no-counters --seed 5 --quiet --json-stream --out " +
                             out,
                         300);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int order = 1; order <= 4; ++order) {
    auto text = read_text(out + "/json-stream/run-" + std::to_string(order) + ".jsonl");
    auto events = parse_json_lines(text);
    ASSERT_GE(events.size(), 2u) << order << ": " << text;
    EXPECT_EQ(events.back()["event"], "result");
  }
  auto summary = read_text(out + "/summary.csv");
  auto header = lines_of(summary).at(0);
  EXPECT_NE(header.find("receiver_interval_cv_pct"), std::string::npos) << header;
  EXPECT_NE(header.find("sender_tcp_sndbuf_limited_pct"), std::string::npos) << header;
  auto report = read_text(out + "/report.md");
  EXPECT_NE(report.find("What held the sender's TCP vs message size"), std::string::npos);
}
