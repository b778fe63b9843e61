#pragma once
// The column keys of runs.csv (and so of summary.csv's metrics) that anything reads by name,
// declared once. The writers name their columns with these (results/figures.cpp,
// results/profile_columns.cpp, params/param_table.cpp, sweep/sweep.h) and the report and the
// table read by them, so a renamed column fails to build instead of silently reading nothing.
// tests/column_keys_test.cpp checks each against the columns the writers declare.
#include <string>
#include <string_view>

namespace copybench::key {

// The sweep's own columns, first in runs.csv (sweep/sweep.h kSweepColumns).
inline constexpr std::string_view run_order = "run_order";
inline constexpr std::string_view point = "point";
inline constexpr std::string_view rep = "rep";
inline constexpr std::string_view topology = "topology";
inline constexpr std::string_view seed = "seed";

// Run columns (results/figures.cpp run_columns()).
inline constexpr std::string_view status = "status";
inline constexpr std::string_view error = "error";
inline constexpr std::string_view kernel = "kernel";
inline constexpr std::string_view cpu_model = "cpu_model";
inline constexpr std::string_view cores = "cores";
inline constexpr std::string_view path_mtu = "path_mtu";
inline constexpr std::string_view receiver_host = "receiver_host";
inline constexpr std::string_view sender_host = "sender_host";
inline constexpr std::string_view zc_copied_pct = "zc_copied_pct";
inline constexpr std::string_view limited_by = "limited_by";

// Parameters (params/param_table.cpp, each row's .key).
inline constexpr std::string_view strategy = "strategy";
inline constexpr std::string_view recv_strategy = "recv_strategy";
inline constexpr std::string_view recv_size_bytes = "recv_size_bytes";
inline constexpr std::string_view recv_size_auto = "recv_size_auto";
inline constexpr std::string_view mode = "mode";
inline constexpr std::string_view direction = "direction";
inline constexpr std::string_view message_bytes = "message_bytes";
inline constexpr std::string_view response_bytes = "response_bytes";
inline constexpr std::string_view threads = "threads";
inline constexpr std::string_view warmup_s = "warmup_s";
inline constexpr std::string_view duration_s = "duration_s";
inline constexpr std::string_view rate_bps = "rate_bps";
inline constexpr std::string_view window_bytes = "window_bytes";
inline constexpr std::string_view congestion = "congestion";
inline constexpr std::string_view mss_bytes = "mss_bytes";
inline constexpr std::string_view nodelay = "nodelay";
inline constexpr std::string_view title = "title";

// Per side, without the "sender_"/"receiver_" prefix (results/figures.cpp side_columns()).
inline constexpr std::string_view throughput_gbps = "throughput_gbps";
inline constexpr std::string_view messages_per_s = "messages_per_s";
inline constexpr std::string_view time_per_msg_us = "time_per_msg_us";
inline constexpr std::string_view bytes_total = "bytes_total";
inline constexpr std::string_view messages_total = "messages_total";
inline constexpr std::string_view calls_per_msg = "calls_per_msg";
inline constexpr std::string_view submissions_per_msg = "submissions_per_msg";
inline constexpr std::string_view cpu_ns_per_byte = "cpu_ns_per_byte";
inline constexpr std::string_view system_cpu_idle_pct = "system_cpu_idle_pct";
inline constexpr std::string_view thread_on_cpu_max_pct = "thread_on_cpu_max_pct";
inline constexpr std::string_view system_cpu_ns_per_byte = "system_cpu_ns_per_byte";
inline constexpr std::string_view context_switches = "context_switches";  // a counter's column
inline constexpr std::string_view cycles_per_byte = "cycles_per_byte";
inline constexpr std::string_view llc_misses_per_kib = "llc_misses_per_kib";
inline constexpr std::string_view zc_mapped_pct = "zc_mapped_pct";
inline constexpr std::string_view zc_mapped_note = "zc_mapped_note";
inline constexpr std::string_view tcp_retransmits = "tcp_retransmits";
inline constexpr std::string_view tcp_rtt_us = "tcp_rtt_us";
inline constexpr std::string_view tcp_snd_cwnd = "tcp_snd_cwnd";
inline constexpr std::string_view tcp_busy_pct = "tcp_busy_pct";
inline constexpr std::string_view tcp_rwnd_limited_pct = "tcp_rwnd_limited_pct";
inline constexpr std::string_view tcp_sndbuf_limited_pct = "tcp_sndbuf_limited_pct";
inline constexpr std::string_view interval_cv_pct = "interval_cv_pct";
inline constexpr std::string_view latency_p50_us = "latency_p50_us";
inline constexpr std::string_view latency_p99_us = "latency_p99_us";

// Per side, --profile (results/profile_columns.cpp).
inline constexpr std::string_view profile_overhead_pct = "profile_overhead_pct";
inline constexpr std::string_view copies_per_msg = "copies_per_msg";
inline constexpr std::string_view cpu_in_copies_pct = "cpu_in_copies_pct";
inline constexpr std::string_view rx_copies_per_msg = "rx_copies_per_msg";  // event rx_copies, per message
inline constexpr std::string_view tx_chunks_per_msg = "tx_chunks_per_msg";  // event tx_chunks, per message

/// A CPU bucket's share (metrics/cpu_buckets.h BucketInfo::key): "cpu_copy_to_user_pct", of
/// every CPU with `machine`: "cpu_copy_to_user_machine_pct".
inline std::string cpu_bucket_pct(std::string_view bucket, bool machine = false) {
  return "cpu_" + std::string(bucket) + (machine ? "_machine" : "") + "_pct";
}

/// A per-side key as a column of runs.csv: "sender_throughput_gbps", "receiver_throughput_gbps".
inline std::string of_side(std::string_view side_name, std::string_view k) {
  return std::string(side_name) + "_" + std::string(k);
}
inline std::string sender(std::string_view k) { return of_side("sender", k); }
inline std::string receiver(std::string_view k) { return of_side("receiver", k); }

}  // namespace copybench::key
