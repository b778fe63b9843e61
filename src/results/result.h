#pragma once
// Every figure of a run as plain data, per side. Writers (report/) render it; nothing here
// formats text. Unknown values are std::nullopt and become null, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/socket_options.h"
#include "params/params.h"
#include "results/profile.h"

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

/// TCP's view of one connection over the window, from TCP_INFO and SO_MEMINFO read at its two
/// edges (metrics/tcp_info.h); for a side, its connections together, as each field says.
struct TcpFigures {
  std::optional<uint64_t> retransmits;       // tcpi_total_retrans, end - start (side: sum)
  std::optional<double> rtt_us;              // tcpi_rtt at the end (side: mean)
  std::optional<double> rttvar_us;           // tcpi_rttvar at the end (side: mean)
  std::optional<double> min_rtt_us;          // tcpi_min_rtt at the end (side: mean)
  std::optional<double> snd_cwnd;            // tcpi_snd_cwnd at the end, segments (side: mean)
  std::optional<double> delivery_rate_gbps;  // tcpi_delivery_rate at the end (side: sum)
  std::optional<double> pacing_rate_gbps;    // tcpi_pacing_rate at the end (side: sum); null: not paced
  std::optional<uint64_t> unsent_bytes;      // tcpi_notsent_bytes at the end (side: sum)
  // The kernel's chrono clocks (tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited), end -
  // start, as shares of the window (side: mean). busy_pct includes the two limited ones.
  std::optional<double> busy_pct, rwnd_limited_pct, sndbuf_limited_pct;
  // SO_MEMINFO at the window's start and end (side: sum).
  std::optional<uint64_t> send_queue_start_bytes, send_queue_end_bytes;
  std::optional<uint64_t> recv_queue_start_bytes, recv_queue_end_bytes;
  std::optional<uint64_t> optmem_start_bytes, optmem_end_bytes;
  std::string reason;  // why the null fields are null; empty when none is
};

/// One --interval of a side: its connections together, from the byte counters and TCP_INFO
/// read at the interval's edges. The last interval ends with the window (it may be shorter).
struct IntervalFigures {
  double start_s = 0, end_s = 0;  // from the window's start, on this side's clock
  uint64_t bytes = 0;
  uint64_t messages = 0;
  std::optional<double> throughput_gbps;
  std::optional<uint64_t> retransmits;  // tcpi_total_retrans over the interval, summed
  std::optional<double> snd_cwnd;       // mean over the connections at the interval's end
  std::optional<double> rtt_us;         // mean over the connections at the interval's end
};

/// One connection's figures on one side.
struct StreamFigures {
  int index = 0;
  uint64_t bytes_in_window = 0;
  uint64_t messages_in_window = 0;
  uint64_t bytes_total = 0;  // everything moved, warm-up and final drain included
  uint64_t messages_total = 0;
  std::optional<double> throughput_gbps;
  std::optional<std::string> error;
  std::optional<TcpFigures> tcp_info;  // null when no window was measured
  std::optional<bool>
      rate_held;  // --rate: its throughput within the tolerance of the target; null: no target or no rate
};

/// Whether a side held --rate (results/knobs.h): held, not reached (below the target by more
/// than the tolerance), exceeded (above it by more).
enum class RateVerdict : uint8_t { held, not_reached, exceeded };
const char* rate_verdict_name(RateVerdict verdict);  // "held", "not_reached", "exceeded"
const char* rate_verdict_text(RateVerdict verdict);  // in words: "held", "not reached", "exceeded"
RateVerdict parse_rate_verdict(std::string_view text);

/// --rate on one side: each connection's throughput in the window against the target.
struct RateFigures {
  double target_gbps = 0;                    // per connection, as --rate asked
  double tolerance_pct = 0;                  // a connection within this of the target held it
  std::optional<double> achieved_gbps;       // the mean of the connections' throughputs
  std::optional<double> min_gbps, max_gbps;  // the slowest and the fastest connection
  int connections = 0, connections_held = 0;
  std::optional<RateVerdict> verdict;  // held only when every connection held; null: no connection's rate known
  std::string reason;                  // why verdict is null
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
  std::string system_reason;              // why the system figures are null
  // Each connection thread's time on a CPU / the window, in connection order (run/window_meter.h).
  std::vector<std::optional<double>> thread_on_cpu_pct;
  std::string thread_reason;                         // why a thread's share is null
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
  uint64_t calls_total =
      0;  // system calls that moved bytes: send/sendmsg or io_uring_enter (sender), receive calls (receiver)
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
  std::optional<CpuFigures> cpu;  // null when no window was measured
  std::optional<LatencyFigures> latency;
  std::string latency_reason;              // why latency is null
  std::optional<ProfileFigures> profile;   // --profile (METHODOLOGY.md section 20)
  std::string profile_reason;              // why profile is null
  std::optional<TcpFigures> tcp_info;      // the connections' TCP_INFO together
  std::string tcp_info_reason;             // why tcp_info is null
  std::vector<IntervalFigures> intervals;  // --interval; empty: intervals_reason says why
  std::string intervals_reason;
  std::optional<RateFigures> rate;  // --rate; null: rate_reason says why
  std::string rate_reason;
  std::optional<SocketGrant> socket;  // what its first data connection's socket got (read back after setup)
  std::string socket_reason;          // why socket is null
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
/// When no CPU was saturated, the sender's TCP chrono clocks (TcpFigures) may say what held it:
/// its own send buffer, or the receiver's window, for most of the window.
enum class Limit : uint8_t { sender_cpu, receiver_cpu, both_cpus, neither, sender_sndbuf, receiver_window };

/// "sender_cpu", "receiver_cpu", "both_cpus", "neither", "sender_sndbuf", "receiver_window"
/// (JSON and CSV); limit_text says it in words.
const char* limit_name(Limit limit);
const char* limit_text(Limit limit);
Limit parse_limit(std::string_view text);  // throws Error

struct LimitFigures {
  Limit verdict = Limit::neither;
  std::string why;                  // the figures that decided it, in words
  double thread_threshold_pct = 0;  // a thread on a CPU this much of the window is saturated
  double idle_threshold_pct = 0;    // a machine with at most this idle is saturated
  std::optional<double> sender_thread_pct, receiver_thread_pct;  // each side's busiest connection thread
  std::optional<double> sender_idle_pct, receiver_idle_pct;      // each side's machine, idle + iowait
  bool one_machine = false;                                      // both sides measured the same machine's CPUs
  double tcp_limited_threshold_pct = 0;                          // a sender held this much of the window by one cause
  // The sender's TCP chrono shares of the window (stream mode; null in rr or where unknown).
  std::optional<double> sender_busy_pct, sender_rwnd_limited_pct, sender_sndbuf_limited_pct;
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
  std::optional<int> path_mtu;     // of the test's connections, from the kernel
  std::optional<long> optmem_max;  // net.core.optmem_max in this side's namespace
  std::optional<int> perf_event_paranoid;
  std::string copybench_version;
};

struct RunResult {
  static constexpr int kSchemaVersion = 3;  // 2: counters, CPU, latency, mode; 3: tcp_info, intervals
  RunStatus status = RunStatus::ok;
  std::string error;       // empty when ok
  std::string started_at;  // ISO 8601 UTC
  std::string server;      // host:port as connected
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

  /// One side's figures, the reason they are missing, and its machine.
  std::optional<SideFigures>& figures(Side side) { return side == Side::sender ? sender : receiver; }
  std::string& missing_reason(Side side) {
    return side == Side::sender ? sender_missing_reason : receiver_missing_reason;
  }
  void set_environment(Side side, Environment environment) {
    if (side == Side::sender) sender_env = std::move(environment);
    else receiver_env = std::move(environment);
  }
};

/// Derives rates from counts and the window (throughput, messages/s, time per message).
void derive_rates(SideFigures& side, int threads);

/// Zero-copy figures from the sender's summed accounting.
ZeroCopyFigures zerocopy_figures(uint64_t sends, uint64_t notifications, uint64_t completed, uint64_t copied,
                                 uint64_t enobufs, uint64_t waits);

}  // namespace copybench
