// Counters, CPU cost and latency end to end: `copybench run` over loopback in both modes.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "e2e_util.h"

using namespace copybench::test;
using nlohmann::json;

namespace {

void expect_ordered_percentiles(const json& l) {
  ASSERT_FALSE(l.is_null());
  EXPECT_GT(l["count"].get<uint64_t>(), 0u);
  auto v = [&](const char* k) { return l[k].get<uint64_t>(); };
  EXPECT_LE(v("min"), v("p50"));
  EXPECT_LE(v("p50"), v("p90"));
  EXPECT_LE(v("p90"), v("p99"));
  EXPECT_LE(v("p99"), v("p99_9"));
  EXPECT_LE(v("p99_9"), v("p99_99"));
  EXPECT_LE(v("p99_99"), v("max"));
  uint64_t in_buckets = 0;
  for (const auto& b : l["buckets"]) in_buckets += b[1].get<uint64_t>();
  EXPECT_EQ(in_buckets, l["count"].get<uint64_t>()) << "the buckets carry every recorded value";
}

const json* counter(const json& side, const std::string& name) {
  for (const auto& c : side["counters"])
    if (c["name"] == name) return &c;
  return nullptr;
}

// A counter either has a value or says why not; an unopenable one is never 0.
void expect_counters_honest(const json& side) {
  ASSERT_FALSE(side["counters"].empty()) << side["counters_reason"];
  for (const auto& c : side["counters"]) {
    if (c["value"].is_null()) EXPECT_FALSE(c["reason"].is_null()) << c["name"] << " has neither value nor reason";
    else EXPECT_GT(c["threads"].get<int>(), 0) << c["name"];
  }
  const auto* cs = counter(side, "context-switches");
  ASSERT_NE(cs, nullptr);
  ASSERT_FALSE((*cs)["value"].is_null()) << (*cs)["reason"];  // software events work everywhere here
  const auto* tc = counter(side, "task-clock");
  ASSERT_NE(tc, nullptr);
  EXPECT_GT((*tc)["value"].get<uint64_t>(), 0u);
  const auto* cycles = counter(side, "cycles");
  ASSERT_NE(cycles, nullptr);
  if ((*cycles)["value"].is_null()) {
    EXPECT_TRUE(side["cycles"].is_null()) << "unavailable must stay null in the flat figures";
    EXPECT_TRUE(side["cycles_per_byte"].is_null());
  } else {
    EXPECT_GT((*cycles)["value"].get<uint64_t>(), 0u);
    EXPECT_GT(side["cycles_per_byte"].get<double>(), 0.0);
  }
}

void expect_cpu(const json& side) {
  const auto& cpu = side["cpu"];
  ASSERT_FALSE(cpu.is_null());
  EXPECT_GT(cpu["process_user_s"].get<double>() + cpu["process_system_s"].get<double>(), 0.0);
  EXPECT_GT(side["cpu_ns_per_byte"].get<double>(), 0.0);
  ASSERT_FALSE(side["system_cpu_busy_pct"].is_null()) << cpu["system_reason"];
  EXPECT_GE(side["system_cpu_busy_pct"].get<double>(), 0.0);
  EXPECT_LE(side["system_cpu_busy_pct"].get<double>(), 100.0 + 1e-9);
  EXPECT_GT(side["system_cpu_ns_per_byte"].get<double>(), 0.0);
}

}  // namespace

class RrEachStrategy : public ::testing::TestWithParam<const char*> {};

TEST_P(RrEachStrategy, TransactionsMatchOnBothSidesAndPercentilesAreOrdered) {
  TempDir dir;
  std::string out;
  auto j = run_json(std::string("run --mode rr --strategy ") + GetParam() +
                        " --size 1K --threads 2 --duration 300ms --warmup 100ms --verify",
                    dir, &out);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  const auto& tx = j["sender"];
  const auto& rx = j["receiver"];
  ASSERT_FALSE(tx.is_null());
  EXPECT_EQ(tx["role"], "responder");
  EXPECT_EQ(rx["role"], "requester");
  uint64_t transactions = rx["messages_total"].get<uint64_t>();
  EXPECT_GT(transactions, 0u);
  EXPECT_EQ(tx["messages_total"].get<uint64_t>(), transactions) << "both sides count the same transactions";
  EXPECT_EQ(tx["bytes_total"], rx["bytes_total"]);
  EXPECT_EQ(rx["bytes_total"].get<uint64_t>(), transactions * 2048);
  EXPECT_EQ(j["verify"]["corrupt_messages"], 0);
  EXPECT_EQ(j["verify"]["messages_checked"].get<uint64_t>(), 2 * transactions) << "requests and responses";
  const auto& l = rx["latency"];
  expect_ordered_percentiles(l);
  EXPECT_EQ(l["what"], "transaction");
  EXPECT_LE(l["count"].get<uint64_t>(), rx["messages_in_window"].get<uint64_t>() + 8);  // edges: a few per connection
  EXPECT_TRUE(tx["latency"].is_null());
  EXPECT_FALSE(tx["latency_reason"].is_null());
  EXPECT_NE(out.find("latency_p99_us"), std::string::npos) << out;
  expect_counters_honest(tx);
  expect_counters_honest(rx);
}

INSTANTIATE_TEST_SUITE_P(Strategies, RrEachStrategy, ::testing::Values("two-copy", "one-copy", "zero-copy"));

TEST(Rr, OneByteResponsesAndRequests) {
  TempDir dir;
  auto j = run_json("run --mode rr -s one-copy --size 1 --response-size 1 --duration 200ms --warmup 0 --verify", dir);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["response_bytes"], 1);
  uint64_t transactions = j["receiver"]["messages_total"].get<uint64_t>();
  EXPECT_EQ(j["receiver"]["bytes_total"].get<uint64_t>(), 2 * transactions);
  expect_ordered_percentiles(j["receiver"]["latency"]);
}

TEST(Stream, SenderTimesSendCallsAndBothSidesCountAndCost) {
  TempDir dir;
  std::string out;
  auto j = run_json("run -s two-copy --size 16K --threads 2 --duration 300ms --warmup 100ms", dir, &out);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  const auto& tx = j["sender"];
  const auto& rx = j["receiver"];
  expect_ordered_percentiles(tx["latency"]);
  EXPECT_EQ(tx["latency"]["what"], "send_call");
  // Only messages inside the window are timed.
  EXPECT_LE(tx["latency"]["count"].get<uint64_t>(), tx["messages_in_window"].get<uint64_t>() + 8);
  EXPECT_TRUE(rx["latency"].is_null());
  expect_counters_honest(tx);
  expect_counters_honest(rx);
  expect_cpu(tx);
  expect_cpu(rx);
  EXPECT_NE(out.find("cpu_ns_per_byte"), std::string::npos) << out;
  EXPECT_NE(out.find("task_clock_ns"), std::string::npos) << out;
}

TEST(Stream, CountersAndLatencyCanBeTurnedOff) {
  TempDir dir;
  auto j = run_json("run -s one-copy --size 4K --duration 200ms --warmup 0 --no-counters --no-latency", dir);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  for (const char* side : {"sender", "receiver"}) {
    EXPECT_TRUE(j[side]["counters"].empty());
    EXPECT_NE(j[side]["counters_reason"].get<std::string>().find("--no-counters"), std::string::npos);
    EXPECT_TRUE(j[side]["latency"].is_null());
    EXPECT_FALSE(j[side]["cpu"].is_null()) << "CPU time is measured without counters";
  }
  EXPECT_NE(j["sender"]["latency_reason"].get<std::string>().find("--no-latency"), std::string::npos);
}

TEST(Stream, CsvCarriesCountersCpuAndLatencyColumns) {
  TempDir dir;
  auto r = run_copybench("run --mode rr -s one-copy --size 1K --duration 200ms --warmup 0 --csv " + dir.file("r.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto text = read_text(dir.file("r.csv"));
  auto header = text.substr(0, text.find('\n'));
  for (const char* key : {"receiver_latency_p50_us", "receiver_latency_p99_us", "sender_cpu_ns_per_byte",
                          "receiver_system_cpu_ns_per_byte", "sender_context_switches", "sender_cycles",
                          "sender_cycles_per_byte", "mode", "response_bytes"})
    EXPECT_NE(header.find(key), std::string::npos) << key;
}

TEST(Rr, PinnedRunsRecordWhereTheyRanAndAutoDurationEndsEarly) {
  TempDir dir;
  auto j = run_json("run --mode rr -s one-copy --size 1K --threads 2 --pin same --duration 200ms --warmup 0", dir);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  EXPECT_EQ(j["parameters"]["pin"], "same");
  expect_ordered_percentiles(j["receiver"]["latency"]);
  // The window ends when the rate is stable, within [2 s, ceiling]; window_s says how long it ran.
  auto a = run_json("run -s one-copy --size 64K --duration auto:4s --warmup 100ms", dir);
  ASSERT_EQ(a["status"], "ok") << a["error"];
  EXPECT_TRUE(a["parameters"]["duration_auto"].get<bool>());
  double window = a["receiver"]["window_s"].get<double>();
  EXPECT_GE(window, 1.9) << "never shorter than the 2 s minimum";
  EXPECT_LE(window, 4.5) << "never longer than the ceiling";
}

namespace {

// METHODOLOGY.md's rules for limited_by applied to the figures the verdict quotes, written apart
// from src/results/limits.cpp so that the two must agree: the verdict follows from its figures.
std::string verdict_by_the_documented_rules(const nlohmann::json& l) {
  auto pct = [](const nlohmann::json& v) {
    return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
  };
  auto at_least = [](std::optional<double> v, double t) { return v && *v >= t; };
  const double thread_t = l["thread_threshold_pct"], idle_t = l["idle_threshold_pct"];
  const double tcp_t = l["tcp_limited_threshold_pct"];
  const bool one = l["one_machine"];
  auto saturated = [&](const nlohmann::json& side) {
    auto idle = pct(side["machine_idle_pct"]);
    return at_least(pct(side["busiest_thread_on_cpu_pct"]), thread_t) || (!one && idle && *idle <= idle_t);
  };
  const bool sender = saturated(l["sender"]), receiver = saturated(l["receiver"]);
  if (sender && receiver) return "both_cpus";
  if (sender) return "sender_cpu";
  if (receiver) return "receiver_cpu";
  auto idle = pct(l["receiver"]["machine_idle_pct"]);
  if (one && idle && *idle <= idle_t) return "both_cpus";
  auto sndbuf = pct(l["sender"]["tcp_sndbuf_limited_pct"]), rwnd = pct(l["sender"]["tcp_rwnd_limited_pct"]);
  if (at_least(sndbuf, tcp_t) && rwnd.value_or(0) <= *sndbuf) return "sender_sndbuf";
  if (at_least(rwnd, tcp_t)) return "receiver_window";
  return "neither";
}

}  // namespace

TEST(Stream, EveryRunSaysWhatLimitedItWithTheFiguresThatDecided) {
  TempDir dir;
  std::string out;
  auto j = run_json("run -s one-copy --size 16K --threads 2 --duration 300ms --warmup 100ms", dir, &out);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  for (const char* s : {"sender", "receiver"}) {
    const auto& cpu = j[s]["cpu"];
    ASSERT_EQ(cpu["thread_on_cpu_pct"].size(), 2u) << "one share per connection thread";
    for (const auto& pct : cpu["thread_on_cpu_pct"]) {
      ASSERT_FALSE(pct.is_null()) << cpu["thread_reason"];
      EXPECT_GE(pct.get<double>(), 0.0);
    }
    EXPECT_FALSE(j[s]["thread_on_cpu_max_pct"].is_null());
    EXPECT_FALSE(j[s]["system_cpu_idle_pct"].is_null());
  }
  const auto& l = j["limited_by"];
  ASSERT_FALSE(l.is_null()) << j["limited_by_reason"];
  EXPECT_EQ(l["verdict"], verdict_by_the_documented_rules(l)) << l["why"];
  EXPECT_EQ(l["sender"]["busiest_thread_on_cpu_pct"], j["sender"]["thread_on_cpu_max_pct"]);
  EXPECT_EQ(l["receiver"]["busiest_thread_on_cpu_pct"], j["receiver"]["thread_on_cpu_max_pct"]);
  EXPECT_TRUE(l["one_machine"].get<bool>());
  EXPECT_NE(l["why"].get<std::string>().find("busiest connection thread"), std::string::npos) << l["why"];
  EXPECT_NE(out.find("limited by: "), std::string::npos) << out;
  EXPECT_FALSE(j["definitions"]["limited_by"].is_null());
}

TEST(Counters, CountInSlicesApartFromTheTimedOnes) {
  TempDir dir;
  auto j = run_json("run --mode rr -s one-copy --size 1K --duration 500ms --warmup 0", dir);
  ASSERT_EQ(j["status"], "ok") << j["error"];
  for (const char* s : {"sender", "receiver"}) {
    const auto& side = j[s];
    ASSERT_FALSE(side["counters_counted_pct"].is_null()) << s;
    EXPECT_GT(side["counters_counted_pct"].get<double>(), 0.0);
    EXPECT_LT(side["counters_counted_pct"].get<double>(), 100.0);
    ASSERT_FALSE(side["rates_timed_s"].is_null()) << s;
    EXPECT_LT(side["rates_timed_s"].get<double>(), side["window_s"].get<double>());
    expect_counters_honest(side);
  }
  // A stream's rates come from its timed slices too.
  auto stream = run_json("run -s one-copy --size 16K --threads 2 --duration 500ms --warmup 0", dir);
  ASSERT_EQ(stream["status"], "ok") << stream["error"];
  for (const char* s : {"sender", "receiver"}) {
    ASSERT_FALSE(stream[s]["rates_timed_s"].is_null()) << s;
    EXPECT_FALSE(stream[s]["counters_counted_pct"].is_null()) << s;
    expect_counters_honest(stream[s]);
  }
  // Without counters, or with --profile (its own slices), the rates are the whole window's.
  for (const char* opt : {" --no-counters", " --profile"}) {
    auto whole = run_json(std::string("run --mode rr -s one-copy --size 1K --duration 200ms --warmup 0") + opt, dir);
    EXPECT_TRUE(whole["receiver"]["counters_counted_pct"].is_null()) << opt;
    EXPECT_TRUE(whole["receiver"]["rates_timed_s"].is_null()) << opt;
  }
}
