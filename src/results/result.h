#pragma once
// Every figure of a run as plain data, per side. Writers (report/) render it; nothing here
// formats text. Unknown values are std::nullopt and become null, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/profile.h"
#include "spec/params.h"

namespace copybench {

/// How a run ended. JSON and CSV spell it status_name(): "ok", "failed", "interrupted".
enum class RunStatus : uint8_t { ok, failed, interrupted };

/// Which end of the test measured: the sender (the server) or the receiver (the client).
enum class Side : uint8_t { sender, receiver };
inline constexpr Side kSides[] = {Side::sender, Side::receiver};

/// What a side did: sender/receiver in stream mode, responder/requester in rr.
enum class Role : uint8_t { sender, receiver, responder, requester };

const char* status_name(RunStatus status);
const char* side_name(Side side);
const char* role_name(Role role);

/// The inverses; each throws Error naming text that is none of the names.
RunStatus parse_status(std::string_view text);
Side parse_side(std::string_view text);
Role parse_role(std::string_view text);

/// The role of `side` in a test of `mode`.
Role role_of(Side side, TestMode mode);

/// One connection's figures on one side.
struct StreamFigures {
  int index = 0;
  uint64_t bytes_in_window = 0;
  uint64_t messages_in_window = 0;
  uint64_t bytes_total = 0;  // everything moved, warm-up and final drain included
  uint64_t messages_total = 0;
  std::optional<double> throughput_gbps;
  std::optional<std::string> error;
};

/// One perf_event_open counter over the window, summed over the side's threads.
struct CounterFigure {
  std::string name;                   // perf's name; ":k" = kernel mode only
  std::string scope;                  // user+kernel | kernel | user
  std::optional<uint64_t> value;      // null when unavailable (reason says why)
  std::optional<double> running_pct;  // time_running / time_enabled: < 100 when multiplexed
  int threads = 0;
  std::string reason;
};

/// CPU cost of the window on one side (getrusage of the process, /proc/stat of the machine).
struct CpuFigures {
  double process_user_s = 0;
  double process_system_s = 0;
  int64_t voluntary_switches = 0;
  int64_t involuntary_switches = 0;
  int cpus = 0;
  std::optional<double> system_busy_cpu_s;
  std::optional<double> system_busy_pct;
  std::optional<double> system_user_pct;
  std::optional<double> system_kernel_pct;
  std::optional<double> system_irq_pct;
  std::optional<double> system_softirq_pct;
  std::optional<double> system_steal_pct;
  std::optional<double> system_idle_pct;  // idle + iowait
  std::string system_reason;  // why the system figures are null
  // Each connection thread's time on a CPU / the window, in connection order (run/window_meter.h).
  std::vector<std::optional<double>> thread_on_cpu_pct;
  std::string thread_reason;  // why a thread's share is null
  std::optional<double> busiest_thread_pct() const;  // the largest share; null when none is known
};

/// A latency distribution in ns: a summary plus the non-empty histogram buckets.
struct LatencyFigures {
  std::string what;  // "send_call" (stream, sender) or "transaction" (rr, requester: full round trip)
  uint64_t count = 0;
  uint64_t min_ns = 0, max_ns = 0, sum_ns = 0;
  double mean_ns = 0;
  uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, p9999_ns = 0;
  std::vector<std::pair<uint64_t, uint64_t>> buckets;  // (lower bound ns, count)
};

/// One side's figures: "sender" (the server, which sends) or "receiver" (the client).
/// In rr mode the server is the responder and the client the requester; the names stay.
struct SideFigures {
  Side side = Side::sender;
  Role role = Role::sender;
  std::string host;             // hostname of the machine that measured
  int64_t window_start_ns = 0;  // after this side's START, on its own monotonic clock
  int64_t window_ns = 0;        // measured length of the window
  int64_t wall_ns = 0;          // from START until this side's connections had all ended
  uint64_t bytes_in_window = 0;
  uint64_t messages_in_window = 0;
  uint64_t bytes_total = 0;
  uint64_t messages_total = 0;
  uint64_t calls_total = 0;  // system calls that moved bytes: send/sendmsg or io_uring_enter (sender), receive calls (receiver)
  std::optional<uint64_t> submissions_total;  // io_uring SQEs; null when the side's strategy makes plain calls
  std::optional<uint64_t> zc_mapped_bytes;    // receiver, zerocopy-recv: bytes mapped (TCP_ZEROCOPY_RECEIVE)
  std::optional<uint64_t> zc_copied_bytes;    // receiver, zerocopy-recv: bytes copied
  std::string zc_mapped_note;                 // why nothing was mapped (zerocopy-recv), or empty
  std::optional<double> throughput_gbps;
  std::optional<double> messages_per_s;
  std::optional<double> time_per_msg_us;
  std::optional<double> calls_per_msg;
  std::vector<StreamFigures> streams;
  std::vector<CounterFigure> counters;  // empty: not counted (counters_reason says why)
  std::string counters_reason;
  // The share of the window the counters counted (alternating slices, run/counter_slicer.h);
  // the counts are scaled to the whole window. Null: they counted all of it.
  std::optional<double> counters_counted_pct;
  // With it: the rates (throughput, messages/s, time per message) come from the timed slices,
  // this long in all; null: from the whole window.
  std::optional<double> rates_timed_s;
  std::optional<CpuFigures> cpu;        // null when no window was measured
  std::optional<LatencyFigures> latency;
  std::string latency_reason;           // why latency is null
  std::optional<ProfileFigures> profile;  // --profile (METHODOLOGY.md section 20)
  std::string profile_reason;             // why profile is null
  const CounterFigure* counter(const std::string& name) const;
};

/// MSG_ZEROCOPY accounting of the sender, summed over its connections.
struct ZeroCopyFigures {
  uint64_t sends = 0;
  uint64_t notifications = 0;
  uint64_t completed = 0;
  uint64_t copied = 0;
  uint64_t enobufs_retries = 0;
  uint64_t buffer_waits = 0;
  std::optional<double> copied_pct;  // null when nothing completed
  bool balanced = false;             // every send has its completion
};

/// What set the rate, from the two sides' CPU figures (results/limits.h): a side whose busiest
/// connection thread was on a CPU for most of the window, or whose machine had no idle CPU left,
/// was saturated.
enum class Limit : uint8_t { sender_cpu, receiver_cpu, both_cpus, neither };

/// "sender_cpu", "receiver_cpu", "both_cpus", "neither" (JSON and CSV); limit_text says it in words.
const char* limit_name(Limit limit);
const char* limit_text(Limit limit);
Limit parse_limit(std::string_view text);  // throws Error

struct LimitFigures {
  Limit verdict = Limit::neither;
  std::string why;                // the figures that decided it, in words
  double thread_threshold_pct = 0;  // a thread on a CPU this much of the window is saturated
  double idle_threshold_pct = 0;    // a machine with at most this idle is saturated
  std::optional<double> sender_thread_pct, receiver_thread_pct;  // each side's busiest connection thread
  std::optional<double> sender_idle_pct, receiver_idle_pct;      // each side's machine, idle + iowait
  bool one_machine = false;         // both sides measured the same machine's CPUs
};

struct VerifyFigures {
  bool enabled = false;
  uint64_t messages_checked = 0;
  uint64_t corrupt_messages = 0;
  std::optional<uint64_t> missing_messages;  // needs the sender's totals
  std::optional<bool> bytes_match;           // receiver total == sender total after the drain
};

struct Environment {
  std::string hostname;
  std::string kernel;
  std::string cpu_model;
  int cores = 0;
  std::optional<int> path_mtu;       // of the test's connections, from the kernel
  std::optional<long> optmem_max;    // net.core.optmem_max in this side's namespace
  std::optional<int> perf_event_paranoid;
  std::string copybench_version;
};

struct RunResult {
  static constexpr int kSchemaVersion = 2;  // 2: counters, CPU, latency, mode
  RunStatus status = RunStatus::ok;
  std::string error;          // empty when ok
  std::string started_at;     // ISO 8601 UTC
  std::string server;         // host:port as connected
  TestParams params;
  Environment receiver_env;
  std::optional<Environment> sender_env;
  std::optional<SideFigures> sender;
  std::string sender_missing_reason;  // why sender is null
  std::optional<SideFigures> receiver;
  std::string receiver_missing_reason;  // why receiver is null (--reverse: the server's side)
  std::optional<ZeroCopyFigures> zerocopy;
  VerifyFigures verify;
  std::optional<LimitFigures> limited_by;
  std::string limited_by_reason;  // why limited_by is null
  /// --bidir: the forward and the reverse test, each complete; the figures above sum them
  /// (results/directions.h). Empty for one direction.
  std::vector<RunResult> directions;
};

/// Derives rates from counts and the window (throughput, messages/s, time per message).
void derive_rates(SideFigures& side, int threads);

/// Zero-copy figures from the sender's summed accounting.
ZeroCopyFigures zerocopy_figures(uint64_t sends, uint64_t notifications, uint64_t completed, uint64_t copied,
                                 uint64_t enobufs, uint64_t waits);

}  // namespace copybench
