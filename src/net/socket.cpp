#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/error.h"

namespace copybench {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

std::string format_address(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return fmt::format("{}:{}", host, port);
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  port = ntohs(in6->sin6_port);
  return fmt::format("[{}]:{}", host, port);
}

struct FreeAddrInfo {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};
using AddrInfo = std::unique_ptr<addrinfo, FreeAddrInfo>;

AddrInfo resolve(const std::string& host, uint16_t port, bool passive, int family = AF_UNSPEC) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* list = nullptr;
  auto service = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) throw Error(fmt::format("resolve '{}': {}", host, ::gai_strerror(rc)));
  return AddrInfo(list);
}

int wait_for(int fd, short events, int64_t deadline_ns) {
  for (;;) {
    int64_t left_ms = (deadline_ns - now_ns()) / 1'000'000;
    if (left_ms < 0) return 0;
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1 << 30)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return -1;
    if (rc == 0) continue;  // re-check the deadline
    return 1;
  }
}

}  // namespace

namespace {

// Binds and listens on the first of host's addresses that takes it; nullopt (with the errno
// of the last try) when none does. EADDRINUSE throws: another address would not help.
std::optional<Listener> try_listen(const std::string& host, uint16_t port, int* last_errno, int family = AF_UNSPEC) {
  AddrInfo addrs;
  try {
    addrs = resolve(host, port, true, family);
  } catch (const Error&) {
    *last_errno = EAFNOSUPPORT;
    return std::nullopt;
  }
  for (auto* ai = addrs.get(); ai; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      *last_errno = errno;
      continue;
    }
    int one = 1, v6only = family == AF_INET6 ? 1 : 0;  // -6: IPv6 alone, as iperf3 -6
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      *last_errno = errno;
      if (errno == EADDRINUSE) throw_sys(fmt::format("bind to {}", format_address(ai->ai_addr)), errno);
      continue;
    }
    if (::listen(fd.get(), 128) != 0) throw_sys("listen", errno);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    uint16_t bound = ntohs(sa->sa_family == AF_INET ? reinterpret_cast<sockaddr_in*>(sa)->sin_port
                                                    : reinterpret_cast<sockaddr_in6*>(sa)->sin6_port);
    return Listener{std::move(fd), bound, format_address(sa)};
  }
  return std::nullopt;
}

}  // namespace

Listener listen_tcp(const std::string& bind_host, uint16_t port, int family) {
  int last_errno = 0;
  if (!bind_host.empty() || family != AF_UNSPEC) {
    const std::string host = !bind_host.empty() ? bind_host : family == AF_INET ? "0.0.0.0" : "::";
    if (auto l = try_listen(host, port, &last_errno, family)) return std::move(*l);
    throw_sys(fmt::format("bind to {} port {}", host, port), last_errno);
  }
  // All addresses: an IPv6 wildcard socket that also takes IPv4; on a host without IPv6
  // (ipv6.disable=1, or a sandbox that forbids AF_INET6) the IPv4 wildcard.
  if (auto l = try_listen("::", port, &last_errno)) return std::move(*l);
  if (auto l = try_listen("0.0.0.0", port, &last_errno)) return std::move(*l);
  throw_sys(fmt::format("bind to 0.0.0.0 port {}", port), last_errno);
}

std::string numeric_host(const std::string& host, int family) {
  AddrInfo addrs;
  try {
    addrs = resolve(host, 0, false, family);
  } catch (const Error&) {
    throw Error(fmt::format("resolve '{}': no {} address", host, family == AF_INET ? "IPv4" : "IPv6"));
  }
  return peer_host(format_address(addrs->ai_addr));
}

Fd connect_tcp(const std::string& host, uint16_t port, int timeout_ms, const std::function<void(int)>& before_connect) {
  auto addrs = resolve(host, port, false);
  std::string failure;
  for (auto* ai = addrs.get(); ai; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!fd) throw_sys("socket", errno);
    auto where = format_address(ai->ai_addr);
    if (before_connect) before_connect(fd.get());
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      int ready = wait_for(fd.get(), POLLOUT, now_ns() + int64_t{timeout_ms} * 1'000'000);
      if (ready == 0) {
        failure = fmt::format("connect to {}: timed out after {} ms", where, timeout_ms);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err ? -1 : 0;
      errno = err;
    }
    if (rc != 0) {
      failure = fmt::format("connect to {}: {}", where, errno_text(errno));
      continue;
    }
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    return fd;
  }
  throw Error(failure.empty() ? fmt::format("connect to {}: no address", host) : failure);
}

Fd accept_within(int listen_fd, int timeout_ms, std::string* peer, int* error) {
  if (error) *error = 0;
  pollfd p{listen_fd, POLLIN, 0};
  int rc = ::poll(&p, 1, timeout_ms);
  if (rc <= 0) return Fd{};
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  Fd fd(::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
  if (!fd && error && errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) *error = errno;
  if (fd && peer) *peer = format_address(reinterpret_cast<sockaddr*>(&ss));
  return fd;
}

std::string peer_host(const std::string& peer) {
  if (!peer.empty() && peer.front() == '[') return peer.substr(1, peer.find(']') - 1);
  return peer.substr(0, peer.rfind(':'));
}

void set_silence_timeout(int fd, int idle_ms, int timeout_ms) {
  const int one = 1, idle_s = std::max(1, idle_ms / 1000), interval_s = 1;
  const int count = std::max(1, (timeout_ms - idle_s * 1000) / 1000 + 1);
  const auto user_timeout = static_cast<unsigned>(timeout_ms);
  if (::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout) != 0)
    throw_sys("set keepalive and TCP_USER_TIMEOUT", errno);
}

void send_all(int fd, const void* buf, size_t len, int64_t deadline_ns, const char* what) {
  auto* p = static_cast<const char*>(buf);
  while (len > 0) {
    int ready = wait_for(fd, POLLOUT, deadline_ns);
    if (ready == 0) throw Error(fmt::format("{}: timed out", what));
    ssize_t n = ::send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_sys(what, errno);
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

bool recv_exact(int fd, void* buf, size_t len, int64_t deadline_ns, const char* what, size_t part_of) {
  auto* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < len) {
    int ready = wait_for(fd, POLLIN, deadline_ns);
    if (ready == 0) throw Error(fmt::format("{}: timed out", what));
    ssize_t n = ::recv(fd, p + got, len - got, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_sys(what, errno);
    }
    if (n == 0) {
      if (got == 0 && part_of == 0) return false;
      const size_t whole = part_of ? part_of : len, before = part_of ? part_of - len : 0;
      throw Error(fmt::format("{}: connection closed after {} of {} bytes", what, before + got, whole));
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

void set_io_timeouts(int fd, int send_timeout_ms, int recv_timeout_ms) {
  timeval snd{send_timeout_ms / 1000, (send_timeout_ms % 1000) * 1000};
  timeval rcv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd) != 0) throw_sys("setsockopt(SO_SNDTIMEO)", errno);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv) != 0) throw_sys("setsockopt(SO_RCVTIMEO)", errno);
}

bool peer_closed(int fd) {
  pollfd p{fd, POLLRDHUP, 0};  // POLLRDHUP: the peer's FIN, even with bytes still unread
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void reset_connection(int fd) {
  // tcp_disconnect(): see connect(2), "dissolve the association" with AF_UNSPEC.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  (void)::connect(fd, &unspec, sizeof unspec);
}

int path_mtu(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return -1;
  int mtu = -1;
  socklen_t mlen = sizeof mtu;
  int rc = ss.ss_family == AF_INET ? ::getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &mlen)
                                   : ::getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &mlen);
  return rc == 0 ? mtu : -1;
}

}  // namespace copybench
