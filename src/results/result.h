#pragma once
// Every figure of a run as plain data, per side. Writers (report/) render it; nothing here
// formats text. Unknown values are std::nullopt and become null, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/params.h"

namespace copybench {

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

/// One side's figures: "sender" (the server, which sends) or "receiver" (the client).
struct SideFigures {
  std::string side;
  std::string host;             // hostname of the machine that measured
  int64_t window_start_ns = 0;  // after this side's START, on its own monotonic clock
  int64_t window_ns = 0;        // measured length of the window
  int64_t wall_ns = 0;          // from START until this side's connections had all ended
  uint64_t bytes_in_window = 0;
  uint64_t messages_in_window = 0;
  uint64_t bytes_total = 0;
  uint64_t messages_total = 0;
  uint64_t calls_total = 0;  // send/sendmsg calls (sender) or recv calls (receiver)
  std::optional<double> throughput_gbps;
  std::optional<double> messages_per_s;
  std::optional<double> time_per_msg_us;
  std::optional<double> calls_per_msg;
  std::vector<StreamFigures> streams;
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
  std::string copybench_version;
};

struct RunResult {
  static constexpr int kSchemaVersion = 1;
  std::string status = "ok";  // ok | failed | interrupted
  std::string error;          // empty when ok
  std::string started_at;     // ISO 8601 UTC
  std::string server;         // host:port as connected
  TestParams params;
  Environment receiver_env;
  std::optional<Environment> sender_env;
  std::optional<SideFigures> sender;
  std::string sender_missing_reason;  // why sender is null
  std::optional<SideFigures> receiver;
  std::optional<ZeroCopyFigures> zerocopy;
  VerifyFigures verify;
};

/// Derives rates from counts and the window (throughput, messages/s, time per message).
void derive_rates(SideFigures& side, int threads);

/// Zero-copy figures from the sender's summed accounting.
ZeroCopyFigures zerocopy_figures(uint64_t sends, uint64_t notifications, uint64_t completed, uint64_t copied,
                                 uint64_t enobufs, uint64_t waits);

}  // namespace copybench
