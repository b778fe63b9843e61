#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "metrics/histogram.h"
#include "metrics/perf_counters.h"
#include "output/writers.h"
#include "results/directions.h"
#include "results/figures.h"
#include "results/result_json.h"
#include "session/window_meter.h"

using namespace copybench;

static RunResult sample_result(bool with_sender) {
  RunResult r;
  r.params.strategy = "zero-copy";
  r.params.threads = 2;
  SideFigures rx;
  rx.side = Side::receiver;
  rx.window_ns = 1'000'000'000;
  rx.bytes_in_window = 125'000'000;
  rx.messages_in_window = 1000;
  rx.bytes_total = rx.messages_total = 5;
  rx.streams.resize(2);
  derive_rates(rx, 2);
  r.receiver = rx;
  if (with_sender) {
    auto tx = rx;
    tx.side = Side::sender;
    r.sender = tx;
    r.zerocopy = zerocopy_figures(10, 2, 10, 10, 0, 0);
  } else {
    r.sender_missing_reason = "server vanished";
  }
  return r;
}

static size_t count_cells(const std::string& line) {
  size_t n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) ++n;
  }
  return n;
}

TEST(Rates, DerivedFromWindowAndCounts) {
  auto r = sample_result(true);
  EXPECT_DOUBLE_EQ(*r.receiver->throughput_gbps, 1.0);  // 125 MB in 1 s = 1 Gbit/s
  EXPECT_DOUBLE_EQ(*r.receiver->messages_per_s, 1000.0);
  EXPECT_DOUBLE_EQ(*r.receiver->time_per_msg_us, 2000.0);  // 2 connections, 500 msg each
  SideFigures empty;
  derive_rates(empty, 1);
  EXPECT_FALSE(empty.throughput_gbps.has_value()) << "no window must mean unknown, not 0";
}

TEST(ZeroCopyFigures, PercentAndBalance) {
  auto z = zerocopy_figures(10, 3, 8, 2, 1, 0);
  EXPECT_DOUBLE_EQ(*z.copied_pct, 25.0);
  EXPECT_FALSE(z.balanced);
  EXPECT_FALSE(zerocopy_figures(0, 0, 0, 0, 0, 0).copied_pct.has_value());
}

TEST(Csv, HeaderAndRowHaveTheSameColumnsAndUnknownIsEmpty) {
  auto r = sample_result(false);
  auto header = csv_header(), row = csv_row(r);
  EXPECT_EQ(count_cells(header), run_columns().size());
  EXPECT_EQ(count_cells(row), run_columns().size());
  // sender_throughput_gbps is unknown: an empty cell, never 0.
  std::vector<std::string> keys, cells;
  std::stringstream hs(header), rs(row);
  for (std::string k; std::getline(hs, k, ',');) keys.push_back(k);
  for (std::string c; std::getline(rs, c, ',');) cells.push_back(c);
  cells.resize(keys.size());
  auto at = std::find(keys.begin(), keys.end(), "sender_throughput_gbps");
  ASSERT_NE(at, keys.end());
  EXPECT_EQ(cells[at - keys.begin()], "");
}

TEST(Json, CarriesEveryColumnKeyAndNullsForUnknowns) {
  auto j = to_json(sample_result(true));
  for (const auto& col : side_columns()) {
    EXPECT_TRUE(j["sender"].contains(col.key)) << col.key;
    EXPECT_TRUE(j["receiver"].contains(col.key)) << col.key;
  }
  for (const auto& col : run_columns()) EXPECT_TRUE(j["definitions"].contains(col.key)) << col.key;
  auto missing = to_json(sample_result(false));
  EXPECT_TRUE(missing["sender"].is_null());
  EXPECT_EQ(missing["sender_missing_reason"], "server vanished");
  EXPECT_TRUE(missing["zerocopy"].is_null());
}

TEST(Json, SideRoundTripsThroughTheResultFrame) {
  auto side = *sample_result(true).receiver;
  side.streams[1].error = "reset";
  auto back = side_from_json(to_json(side));
  EXPECT_EQ(back.bytes_in_window, side.bytes_in_window);
  EXPECT_EQ(back.window_ns, side.window_ns);
  EXPECT_DOUBLE_EQ(*back.throughput_gbps, *side.throughput_gbps);
  EXPECT_EQ(*back.streams[1].error, "reset");
}

TEST(Json, SideWithoutAWindowRoundTripsWithNulls) {
  SideFigures side;  // e.g. STOP arrived during the warm-up
  side.side = Side::sender;
  side.bytes_total = 42;
  side.messages_total = 1;
  side.calls_total = 1;
  side.streams.resize(1);
  derive_rates(side, 1);
  auto j = to_json(side);
  EXPECT_TRUE(j["bytes_in_window"].is_null());
  EXPECT_TRUE(j["window_s"].is_null());
  EXPECT_TRUE(j["throughput_gbps"].is_null());
  EXPECT_DOUBLE_EQ(j["calls_per_msg"].get<double>(), 1.0);
  auto back = side_from_json(j);
  EXPECT_EQ(back.bytes_total, 42u);
  EXPECT_EQ(back.window_ns, 0);
  EXPECT_FALSE(back.throughput_gbps.has_value());
}

TEST(Table, SaysWhenTheKernelCopied) {
  auto text = render_table(sample_result(true));
  EXPECT_NE(text.find("copied 100.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("local socket"), std::string::npos);
  auto missing = render_table(sample_result(false));
  EXPECT_NE(missing.find("sender figures unavailable: server vanished"), std::string::npos) << missing;
}

TEST(Columns, EveryCounterCopybenchOpensHasAColumn) {
  for (const auto& spec : counter_specs()) {
    std::string name = spec.kernel_only ? spec.name + ":k" : spec.name;
    auto key = counter_column_key(name);
    ASSERT_FALSE(key.empty()) << name;
    bool found =
        std::any_of(side_columns().begin(), side_columns().end(), [&](const SideColumn& c) { return c.key == key; });
    EXPECT_TRUE(found) << key;
  }
}

static SideFigures measured_side() {
  auto side = *sample_result(true).sender;
  side.role = Role::sender;
  side.counters = {{"cycles", "user+kernel", std::nullopt, std::nullopt, 0, "not supported here"},
                   {"LLC-load-misses", "user+kernel", 2048, 50.0, 2, ""},
                   {"context-switches", "user+kernel", 7, 100.0, 2, ""}};
  side.cpu = CpuFigures{
      0.25, 0.75, 3, 4, 2, 1.5, 75.0, 10.0, 50.0, 0.0, 15.0, 0.0, 25.0, "", {97.5, std::nullopt}, "thread 7 has ended"};
  LatencyHistogram h;
  for (uint64_t v : {1000u, 2000u, 3000u, 1'000'000u}) h.record(v);
  side.latency = latency_figures(h, "send_call");
  return side;
}

TEST(Columns, PerByteFiguresComeFromTheWindow) {
  auto side = measured_side();  // 125'000'000 bytes and 1000 messages in a 1 s window
  auto get = [&](const std::string& key) {
    for (const auto& c : side_columns())
      if (c.key == key) return c.get(side);
    ADD_FAILURE() << key;
    return Value{};
  };
  EXPECT_DOUBLE_EQ(std::get<double>(get("cpu_ns_per_byte")), 1e9 / 125'000'000);  // 1 CPU-second
  EXPECT_DOUBLE_EQ(std::get<double>(get("cpu_process_pct")), 100.0);
  EXPECT_DOUBLE_EQ(std::get<double>(get("system_cpu_ns_per_byte")), 1.5e9 / 125'000'000);
  EXPECT_DOUBLE_EQ(std::get<double>(get("llc_misses_per_kib")), 2048.0 * 1024 / 125'000'000);
  EXPECT_EQ(std::get<uint64_t>(get("context_switches")), 7u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(get("cycles"))) << "unavailable is null, never 0";
  EXPECT_TRUE(std::holds_alternative<std::monostate>(get("cycles_per_byte")));
  EXPECT_EQ(std::get<std::string>(get("latency_what")), "send_call");
  EXPECT_DOUBLE_EQ(std::get<double>(get("latency_min_us")), 1.0);
  EXPECT_DOUBLE_EQ(std::get<double>(get("latency_max_us")), 1000.0);
  EXPECT_DOUBLE_EQ(std::get<double>(get("counters_running_min_pct")), 50.0);
}

TEST(Json, CountersCpuAndLatencyRoundTripThroughTheResultFrame) {
  auto side = measured_side();
  auto j = to_json(side);
  EXPECT_TRUE(j["cycles"].is_null());
  EXPECT_EQ(j["counters"][0]["reason"], "not supported here");
  auto back = side_from_json(j);
  ASSERT_EQ(back.counters.size(), 3u);
  EXPECT_FALSE(back.counters[0].value.has_value());
  EXPECT_EQ(back.counters[0].reason, "not supported here");
  EXPECT_EQ(*back.counters[1].value, 2048u);
  ASSERT_TRUE(back.cpu.has_value());
  EXPECT_DOUBLE_EQ(back.cpu->process_system_s, 0.75);
  EXPECT_DOUBLE_EQ(*back.cpu->system_softirq_pct, 15.0);
  ASSERT_TRUE(back.latency.has_value());
  EXPECT_EQ(back.latency->count, 4u);
  EXPECT_EQ(back.latency->p99_ns, side.latency->p99_ns);
  EXPECT_EQ(back.latency->buckets, side.latency->buckets);
  EXPECT_EQ(back.role, Role::sender);
}

TEST(Table, NamesUnavailableCountersWithTheirReason) {
  auto r = sample_result(true);
  r.sender = measured_side();
  auto text = render_table(r);
  EXPECT_NE(text.find("unavailable: cycles: not supported here"), std::string::npos) << text;
  EXPECT_NE(text.find("context_switches"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_p99_us"), std::string::npos) << text;
}

TEST(Directions, BidirSumsWhatAddsUpAndKeepsEachDirection) {
  RunResult forward = sample_result(true), reverse = sample_result(true);
  forward.params.direction = Direction::forward;
  reverse.params.direction = Direction::reverse;
  reverse.receiver->bytes_in_window *= 3;
  derive_rates(*reverse.receiver, 2);
  forward.verify = {true, 10, 0, 0, true};
  reverse.verify = {true, 20, 1, 2, false};
  auto r = combine_directions(forward, reverse);
  EXPECT_EQ(r.params.direction, Direction::bidir);
  ASSERT_EQ(r.directions.size(), 2u);
  ASSERT_TRUE(r.receiver);
  EXPECT_DOUBLE_EQ(*r.receiver->throughput_gbps,
                   *forward.receiver->throughput_gbps + *reverse.receiver->throughput_gbps);
  ASSERT_EQ(r.receiver->streams.size(), 4u);
  EXPECT_EQ(r.receiver->streams[2].index, 2) << "the reverse connections follow the forward ones";
  EXPECT_FALSE(r.receiver->cpu) << "CPU shares do not add up across two tests";
  EXPECT_EQ(r.verify.messages_checked, 30u);
  EXPECT_EQ(r.verify.corrupt_messages, 1u);
  EXPECT_EQ(r.verify.missing_messages, 2u);
  EXPECT_EQ(r.verify.bytes_match, false);
  EXPECT_EQ(r.zerocopy->sends, 20u);
  EXPECT_FALSE(r.limited_by);
  auto j = to_json(r);
  EXPECT_EQ(j["directions"].size(), 2u);
  EXPECT_EQ(j["roles"]["client"], "both");
  auto back = run_result_from_json(j);
  ASSERT_EQ(back.directions.size(), 2u);
  EXPECT_EQ(back.directions[1].params.direction, Direction::reverse);
  // One direction missing its sender: the sum has none, and says which.
  reverse.sender.reset();
  reverse.sender_missing_reason = "server vanished";
  auto partial = combine_directions(forward, reverse);
  EXPECT_FALSE(partial.sender);
  EXPECT_EQ(partial.sender_missing_reason, "reverse: server vanished");
}

// Corrupt messages are named for what they are: sendfile's and splice's reuse hazard (a
// finding), or a fault with a strategy that waits for the kernel before rewriting a buffer.
TEST(Table, CorruptMessagesSayWhetherTheyAreThePathsReuseHazard) {
  auto r = sample_result(true);
  r.verify.enabled = true;
  r.verify.messages_checked = 100;
  r.verify.corrupt_messages = 7;
  r.params.strategy = "sendfile";
  auto text = render_table(r);
  EXPECT_NE(text.find("7 corrupt messages: sendfile gives no completion"), std::string::npos) << text;
  EXPECT_NE(text.find("the path's reuse hazard"), std::string::npos) << text;
  r.params.strategy = "zero-copy";
  text = render_table(r);
  EXPECT_NE(text.find("a fault of the data path"), std::string::npos) << text;
  r.verify.corrupt_messages = 0;
  EXPECT_EQ(render_table(r).find("corrupt messages:"), std::string::npos);
}
