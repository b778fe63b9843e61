#pragma once
// What one test is: the parameters a client asks for and a server checks. Each field is
// declared once more, with its option, JSON key, wire slot, default and range, in the
// parameter table (spec/param_table.h); everything that names parameters is derived from it.
#include <cstdint>
#include <string>

namespace copybench {

inline constexpr int kMaxThreads = 256;
inline constexpr int64_t kMaxDurationNs = 24ll * 3600 * 1'000'000'000;
inline constexpr int64_t kAutoDurationCeilingNs = 30'000'000'000;

/// stream: the server sends messages, the client receives. rr: request/response, one
/// transaction in flight per connection; the client sends a message, the server answers.
enum class TestMode : uint8_t { stream = 1, rr = 2 };

/// Which way the stream's bytes flow. forward: the server sends, the client receives (the
/// study's setup); reverse (-R, as iperf3): the client sends, the server receives; bidir: both
/// at once, --threads connections each way (the client runs a forward and a reverse test side
/// by side, started together). Stream mode only: rr has both directions in every transaction.
enum class Direction : uint8_t { forward = 0, reverse = 1, bidir = 2 };

/// --pin: where each connection's threads run (run/affinity.h).
enum class PinMode : uint8_t { none = 0, same = 1, split = 2 };

/// --pacing: how a --rate is held. user (the default): the sender sleeps until its messages' time
/// comes (a token bucket per connection, session/roles/pacer.h); kernel: SO_MAX_PACING_RATE on
/// the sender's socket, TCP's own pacing (without an fq qdisc since Linux 4.13), which paces the
/// wire but lets the sender's writes run ahead into its send buffer (METHODOLOGY.md section 21).
enum class Pacing : uint8_t { user = 0, kernel = 1 };

/// The most bytes a --window may ask for: the kernel doubles it into an int.
inline constexpr uint64_t kMaxWindowBytes = 1ull << 30;
inline constexpr uint64_t kMinWindowBytes = 1024;
/// TCP_MAXSEG's range in Linux (TCP_MIN_MSS, MAX_TCP_WINDOW).
inline constexpr int kMinMssBytes = 88;
inline constexpr int kMaxMssBytes = 32767;
inline constexpr size_t kMaxTitleBytes = 200;

const char* mode_name(TestMode mode);
TestMode parse_mode(const std::string& text);  // throws UsageError

/// "same" | "split" | "none"; throws UsageError for anything else.
PinMode parse_pin(const std::string& text);
const char* pin_name(PinMode mode);

/// "forward" | "reverse" | "bidir"; throws UsageError for anything else.
Direction parse_direction(const std::string& text);
const char* direction_name(Direction direction);

/// "user" | "kernel"; throws UsageError for anything else.
Pacing parse_pacing(const std::string& text);
const char* pacing_name(Pacing pacing);

struct TestParams {
  std::string strategy = "one-copy";   // canonical name from the strategy registry
  std::string recv_strategy = "recv";  // the receiving end's strategy (strategies/recv/): the server's in --reverse
  TestMode mode = TestMode::stream;
  uint64_t message_bytes = 64 * 1024;  // stream: each message; rr: each request
  uint64_t response_bytes = 0;         // rr: each response (0: same as message_bytes)
  uint64_t recv_bytes = 0;             // stream: bytes asked per receive call (0: default_recv_bytes)
  int threads = 1;
  int64_t warmup_ns = 1'000'000'000;
  int64_t duration_ns = 5'000'000'000;  // with auto_duration: the ceiling
  bool auto_duration = false;           // the client ends the window once the rate is stable
  int64_t interval_ns = 0;              // --interval: a report per interval on both sides (0: none)
  PinMode pin = PinMode::none;
  Direction direction = Direction::forward;
  bool verify = false;
  bool counters = true;  // perf_event_open counters on both sides
  bool latency = true;   // stream: time each send call into a histogram (rr always times)
  bool profile = false;  // --profile: count data-path events and sample the CPU on both sides
  // The rate and the socket knobs (params/param_rows_socket.cpp), as iperf3 names them.
  uint64_t rate_bps = 0;         // --rate: bits/s of payload per connection (0: max, unpaced)
  Pacing pacing = Pacing::user;  // --pacing: how the rate is held (METHODOLOGY.md section 21: why user)
  uint64_t window_bytes = 0;     // -w: SO_SNDBUF and SO_RCVBUF on both ends (0: the kernel's autotuning)
  std::string congestion;        // -C: TCP_CONGESTION on both ends ("": the system's default)
  int mss_bytes = 0;             // -M: TCP_MAXSEG (0: the path's)
  bool nodelay = false;          // -N: TCP_NODELAY in stream mode (rr sets it always)
  int cport = 0;                 // --cport: the client's first data connection's source port (0: any)
  std::string title;             // -T: a label carried into every output and the report

  uint64_t response_size() const { return response_bytes ? response_bytes : message_bytes; }
  uint64_t recv_size() const;  // recv_bytes, or the default rule's size for this message size
};

/// --recv-size auto (the default): the bytes a stream receiver asks for per call, given the
/// message size. Chosen from measurements (docs/PERFORMANCE.md, "The receive size").
uint64_t default_recv_bytes(uint64_t message_bytes);

/// "5s", "500ms" (fixed) or "auto" / "auto:20s" (stable-rate window, ceiling 30 s or as given).
void set_duration(TestParams& params, const std::string& text);

/// The option's text again ("auto:30s", "5s", "1500ms"), to hand on to a client process.
std::string duration_text(const TestParams& params);

/// The most intervals one window may have: a side's intervals travel in its RESULT.
inline constexpr int64_t kMaxIntervals = 10'000;

/// Throws UsageError with one line naming the first bad value: row by row of the table, its
/// range and its `needs` rule; then whole milliseconds for the durations.
void validate(const TestParams& params);

}  // namespace copybench
