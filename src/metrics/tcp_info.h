#pragma once
// TCP's own view of one connection: getsockopt(TCP_INFO) and getsockopt(SO_MEMINFO), read by a
// coordinating thread at the window's edges and at each --interval (docs/METHODOLOGY.md, "TCP's
// view of each connection"). struct tcp_info only grows: the kernel fills as many bytes as it
// knows, so a field past the returned length is one this kernel lacks, and stays null.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace copybench {

struct TcpSample {
  int64_t t_ns = 0;         // CLOCK_MONOTONIC when read
  std::string error;        // TCP_INFO failed (the socket is gone): every field is null
  uint32_t info_bytes = 0;  // bytes of struct tcp_info the kernel filled
  std::string missing;      // fields past info_bytes, each with the kernel that has it
  // tcp_info (units as the kernel gives them)
  std::optional<uint32_t> total_retrans;      // tcpi_total_retrans: segments retransmitted, ever
  std::optional<uint32_t> rtt_us;             // tcpi_rtt: smoothed RTT
  std::optional<uint32_t> rttvar_us;          // tcpi_rttvar: its mean deviation
  std::optional<uint32_t> min_rtt_us;         // tcpi_min_rtt (Linux 4.6)
  std::optional<uint32_t> snd_cwnd;           // tcpi_snd_cwnd: congestion window, in segments
  std::optional<uint32_t> snd_mss;            // tcpi_snd_mss
  std::optional<uint64_t> pacing_rate_Bps;    // tcpi_pacing_rate (Linux 3.15); ~0: not paced
  std::optional<uint64_t> delivery_rate_Bps;  // tcpi_delivery_rate (Linux 4.9)
  std::optional<uint32_t> notsent_bytes;      // tcpi_notsent_bytes (Linux 4.6): written, not yet sent
  std::optional<uint64_t> busy_us;            // tcpi_busy_time (Linux 4.10): sending, any state
  std::optional<uint64_t> rwnd_limited_us;    // tcpi_rwnd_limited: waiting on the peer's window
  std::optional<uint64_t> sndbuf_limited_us;  // tcpi_sndbuf_limited: waiting on the send buffer
  // SO_MEMINFO (Linux 4.6)
  std::string meminfo_error;                 // why the three below are null
  std::optional<uint32_t> send_queue_bytes;  // SK_MEMINFO_WMEM_QUEUED: queued to send, unacked included
  std::optional<uint32_t> recv_queue_bytes;  // SK_MEMINFO_RMEM_ALLOC: received, not yet read
  std::optional<uint32_t> optmem_bytes;      // SK_MEMINFO_OPTMEM: option memory (MSG_ZEROCOPY's notifications)
};

/// Reads `fd`'s TCP_INFO and SO_MEMINFO now; never throws (a failure is the sample's error).
TcpSample sample_tcp(int fd);

/// The tcp_info fields of `info` (a struct tcp_info), of which the kernel filled `len` bytes:
/// the fields past `len` stay null and `missing` names them (sample_tcp's decoding, for tests).
void decode_tcp_info(const void* info, size_t len, TcpSample& sample);

}  // namespace copybench
