#pragma once
// The socket knobs a test sets on its data connections, as iperf3's -w, -C, -M, -N, --cport and
// -b set them, and what the kernel granted, read back with getsockopt: the kernel doubles
// SO_SNDBUF and SO_RCVBUF and caps them at net.core.wmem_max / rmem_max, and it may refuse a
// congestion control or clamp an MSS.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace copybench {

/// What a test asks of one data connection's socket; each 0 or empty leaves the kernel's own.
struct SocketKnobs {
  uint64_t window_bytes = 0;            // SO_SNDBUF and SO_RCVBUF (before connect on the client)
  std::string congestion;               // TCP_CONGESTION
  int mss_bytes = 0;                    // TCP_MAXSEG (before connect on the client: its SYN carries it)
  bool nodelay = false;                 // TCP_NODELAY
  uint64_t max_pacing_bytes_per_s = 0;  // SO_MAX_PACING_RATE (the sender's, --pacing kernel)
};

/// What one socket has, read back after the knobs were set (each null when getsockopt failed).
struct SocketGrant {
  std::optional<uint64_t> sndbuf_bytes, rcvbuf_bytes;  // SO_SNDBUF, SO_RCVBUF as the kernel keeps them
  std::optional<std::string> congestion;               // TCP_CONGESTION in use
  std::optional<int> mss_bytes;                        // TCP_MAXSEG: the MSS in use once connected
  std::optional<bool> nodelay;                         // TCP_NODELAY
  std::optional<uint64_t> max_pacing_bytes_per_s;      // SO_MAX_PACING_RATE (null: unlimited)
  std::optional<uint16_t> local_port, peer_port;       // getsockname / getpeername (--cport)
};

/// Sets the buffer sizes and the MSS: the knobs that must be set before connect() (on a
/// client) to reach the handshake. Throws Error naming the option and errno.
void set_knobs_before_connect(int fd, const SocketKnobs& knobs);

/// Sets every knob (the buffers and MSS again are harmless on a connected socket: the server's
/// half); throws Error naming the option and errno.
void set_knobs(int fd, const SocketKnobs& knobs);

/// Binds a socket about to connect to local `port` (--cport) on its family's wildcard address,
/// SO_REUSEADDR set so a port whose last connection is in TIME_WAIT can be taken again.
void bind_local_port(int fd, uint16_t port);

SocketGrant read_grant(int fd);

/// The names in /proc/sys/net/ipv4/tcp_available_congestion_control (empty when unreadable).
std::vector<std::string> available_congestion_controls();

/// Throws UsageError "unknown congestion control 'X' (available here: reno cubic)" when
/// `name` is not one of available_congestion_controls(); a name of the wrong shape likewise.
void check_congestion_control(const std::string& name);

}  // namespace copybench
