// core/column_keys.h against the columns the writers declare: every key the report reads by name
// is a column of runs.csv (results/figures.cpp, params/param_table.cpp, sweep/sweep.h), so a
// constant that is misspelled, or a column renamed without its constant, fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"
#include "params/param_table.h"
#include "report/runs_table.h"
#include "report/summary.h"
#include "results/figures.h"
#include "sweep/sweep.h"

using namespace copybench;

namespace {

// The constants of core/column_keys.h, by group: a constant added there belongs in one of these.
constexpr std::string_view kSweepKeys[] = {key::run_order, key::point, key::rep, key::topology, key::seed};

constexpr std::string_view kRunKeys[] = {key::status,        key::error,     key::kernel,        key::cpu_model,
                                         key::cores,         key::path_mtu,  key::receiver_host, key::sender_host,
                                         key::zc_copied_pct, key::limited_by};

constexpr std::string_view kParameterKeys[] = {
    key::strategy,      key::recv_strategy,  key::recv_size_bytes, key::recv_size_auto, key::mode,      key::direction,
    key::message_bytes, key::response_bytes, key::threads,         key::warmup_s,       key::duration_s};

constexpr std::string_view kSideKeys[] = {
    key::throughput_gbps, key::messages_per_s, key::time_per_msg_us, key::bytes_total, key::messages_total,
    key::calls_per_msg, key::submissions_per_msg, key::cpu_ns_per_byte, key::system_cpu_idle_pct,
    key::thread_on_cpu_max_pct, key::system_cpu_ns_per_byte, key::context_switches, key::cycles_per_byte,
    key::llc_misses_per_kib, key::zc_mapped_pct, key::zc_mapped_note, key::tcp_retransmits, key::tcp_rtt_us,
    key::tcp_snd_cwnd, key::tcp_busy_pct, key::tcp_rwnd_limited_pct, key::tcp_sndbuf_limited_pct, key::interval_cv_pct,
    key::latency_p50_us, key::latency_p99_us,
    // --profile
    key::profile_overhead_pct, key::copies_per_msg, key::cpu_in_copies_pct, key::rx_copies_per_msg,
    key::tx_chunks_per_msg};

bool is_side_column(std::string_view k) {
  const auto& cols = side_columns();
  return std::any_of(cols.begin(), cols.end(), [&](const SideColumn& c) { return c.key == k; });
}

bool is_run_column(std::string_view k) {
  const auto& cols = run_columns();
  return std::any_of(cols.begin(), cols.end(), [&](const Column& c) { return c.key == k; });
}

bool is_parameter(std::string_view k) {
  const auto& params = test_parameters();
  return std::any_of(params.begin(), params.end(), [&](const Param& p) { return p.key == k; });
}

bool is_sweep_column(std::string_view k) {
  return std::find(kSweepColumns.begin(), kSweepColumns.end(), k) != kSweepColumns.end();
}

// A column of runs.csv: the sweep's own, then those of `copybench run --csv`.
bool is_runs_csv_column(std::string_view k) { return is_sweep_column(k) || is_run_column(k); }

TEST(ColumnKeys, SweepKeysAreTheSweepsColumns) {
  for (auto k : kSweepKeys) EXPECT_TRUE(is_sweep_column(k)) << k;
  EXPECT_EQ(std::size(kSweepKeys), kSweepColumns.size()) << "a sweep column without its constant in this test";
}

TEST(ColumnKeys, RunKeysAreRunColumns) {
  for (auto k : kRunKeys) EXPECT_TRUE(is_run_column(k)) << k;
}

TEST(ColumnKeys, ParameterKeysAreParametersWithAColumn) {
  for (auto k : kParameterKeys) {
    EXPECT_TRUE(is_parameter(k)) << k;
    EXPECT_TRUE(is_run_column(k)) << k;
  }
}

TEST(ColumnKeys, SideKeysAreSideColumnsOnBothSides) {
  for (auto k : kSideKeys) {
    EXPECT_TRUE(is_side_column(k)) << k;
    EXPECT_TRUE(is_run_column(key::sender(k))) << key::sender(k);
    EXPECT_TRUE(is_run_column(key::receiver(k))) << key::receiver(k);
  }
}

TEST(ColumnKeys, EveryCpuBucketHasItsColumns) {
  for (const auto& b : bucket_infos()) {
    EXPECT_TRUE(is_side_column(key::cpu_bucket_pct(b.key))) << b.key;
    EXPECT_TRUE(is_side_column(key::cpu_bucket_pct(b.key, true))) << b.key;
  }
  EXPECT_EQ(key::cpu_bucket_pct("tcp_ip"), "cpu_tcp_ip_pct");
  EXPECT_EQ(key::cpu_bucket_pct("tcp_ip", true), "cpu_tcp_ip_machine_pct");
}

TEST(ColumnKeys, SidesPrefixTheKey) {
  EXPECT_EQ(key::sender(key::throughput_gbps), "sender_throughput_gbps");
  EXPECT_EQ(key::receiver(key::throughput_gbps), "receiver_throughput_gbps");
  EXPECT_EQ(key::of_side(side_name(Side::receiver), key::tcp_rtt_us), "receiver_tcp_rtt_us");
}

// What the report reads, built from the constants, is in runs.csv.
TEST(ColumnKeys, TheReportReadsColumnsThatExist) {
  for (const auto& m : report::summary_metrics()) EXPECT_TRUE(is_run_column(m)) << m;
  for (const auto& c : report::required_run_columns()) EXPECT_TRUE(is_runs_csv_column(c)) << c;
}

}  // namespace
