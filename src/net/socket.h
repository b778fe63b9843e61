#pragma once
// RAII sockets and the few blocking helpers the control path needs. Every wait is bounded.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace copybench {

/// Owns one file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1);
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

/// A listening TCP socket and the port it got (useful with port 0).
struct Listener {
  Fd fd;
  uint16_t port = 0;
  std::string address;  // as bound, printable
};

/// Binds and listens on `bind_host` (empty: all addresses, IPv6 dual-stack when available).
/// `family` AF_INET or AF_INET6 (-4, -6) takes that family's addresses alone: its wildcard when
/// bind_host is empty, and an AF_INET6 socket refuses IPv4 (IPV6_V6ONLY).
Listener listen_tcp(const std::string& bind_host, uint16_t port, int family = 0 /* AF_UNSPEC */);

/// The first address of `family` (AF_INET or AF_INET6) that host resolves to, numeric
/// ("192.0.2.1", "::1"), for a client told -4 or -6; throws Error naming the host.
std::string numeric_host(const std::string& host, int family);

/// Connects to host:port (IPv4 or IPv6) within timeout_ms; errors name the address.
/// `before_connect`, when given, sets options on the new socket that the handshake must carry
/// (TCP_MAXSEG); it may throw.
Fd connect_tcp(const std::string& host, uint16_t port, int timeout_ms,
               const std::function<void(int)>& before_connect = {});

/// Accepts one connection, waiting at most timeout_ms; returns an empty Fd on timeout, or when
/// accept() failed, with its errno in `*error` (0 on timeout).
Fd accept_within(int listen_fd, int timeout_ms, std::string* peer = nullptr, int* error = nullptr);

/// The host part of a peer as format_address prints it ("[::1]:5000" -> "::1").
std::string peer_host(const std::string& peer);

/// For a control connection: keepalive probes from idle_ms on and TCP_USER_TIMEOUT of
/// timeout_ms, so that a peer gone silent (no FIN, no RST) ends the connection with ETIMEDOUT.
void set_silence_timeout(int fd, int idle_ms, int timeout_ms);

/// Sends all of buf before deadline_ns (monotonic); throws on error or timeout.
void send_all(int fd, const void* buf, size_t len, int64_t deadline_ns, const char* what);

/// Receives exactly len bytes before deadline_ns; returns false on a clean EOF before any
/// byte, throws on error, timeout or EOF mid-way. `part_of`, when given, says these are the last
/// len bytes of a read of that many: an EOF is then mid-way, and the message counts the whole.
bool recv_exact(int fd, void* buf, size_t len, int64_t deadline_ns, const char* what, size_t part_of = 0);

/// Sets SO_SNDTIMEO/SO_RCVTIMEO so that blocking data-path calls cannot hang forever.
void set_io_timeouts(int fd, int send_timeout_ms, int recv_timeout_ms);

/// Whether the peer has closed or reset the connection; looks without reading anything.
bool peer_closed(int fd);

/// Resets a TCP connection now (RST) and keeps the fd: connect(AF_UNSPEC) drops what the
/// socket still queued for sending, so the kernel lets go of zero-copy pages it would otherwise
/// hold for a peer that stopped reading; their completions then arrive on the error queue.
void reset_connection(int fd);

/// The kernel's path MTU for a connected TCP socket (IP_MTU / IPV6_MTU), or -1 if unknown.
int path_mtu(int fd);

}  // namespace copybench
