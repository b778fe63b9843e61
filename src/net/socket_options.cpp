#include "net/socket_options.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace copybench {
namespace {

void set_int(int fd, int level, int option, int value, const char* name) {
  if (::setsockopt(fd, level, option, &value, sizeof value) != 0)
    throw_sys(fmt::format("setsockopt({}, {})", name, value), errno);
}

template <typename T>
std::optional<T> get_value(int fd, int level, int option) {
  T value{};
  socklen_t len = sizeof value;
  if (::getsockopt(fd, level, option, &value, &len) != 0) return std::nullopt;
  return value;
}

void set_buffers(int fd, uint64_t bytes) {
  if (bytes == 0) return;
  // The kernel doubles what it is given (for its own bookkeeping) and caps it at
  // net.core.wmem_max / rmem_max; what it kept is read back, not assumed.
  set_int(fd, SOL_SOCKET, SO_SNDBUF, static_cast<int>(bytes), "SO_SNDBUF");
  set_int(fd, SOL_SOCKET, SO_RCVBUF, static_cast<int>(bytes), "SO_RCVBUF");
}

}  // namespace

void set_knobs_before_connect(int fd, const SocketKnobs& knobs) {
  set_buffers(fd, knobs.window_bytes);
  if (knobs.mss_bytes > 0) set_int(fd, IPPROTO_TCP, TCP_MAXSEG, knobs.mss_bytes, "TCP_MAXSEG");
}

void set_knobs(int fd, const SocketKnobs& knobs) {
  set_knobs_before_connect(fd, knobs);
  if (!knobs.congestion.empty() &&
      ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, knobs.congestion.data(), knobs.congestion.size()) != 0)
    throw_sys(fmt::format("setsockopt(TCP_CONGESTION, {})", knobs.congestion), errno);
  if (knobs.nodelay) set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  if (knobs.max_pacing_bytes_per_s > 0) {
    const uint64_t rate = knobs.max_pacing_bytes_per_s;  // a u64 since Linux 4.20; a u32 caps at 34 Gbit/s
    if (::setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof rate) != 0)
      throw_sys(fmt::format("setsockopt(SO_MAX_PACING_RATE, {} B/s)", rate), errno);
  }
}

void bind_local_port(int fd, uint16_t port) {
  const auto family = get_value<int>(fd, SOL_SOCKET, SO_DOMAIN);
  set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  int rc = -1;
  if (family == AF_INET6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_any;
    rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  }
  if (rc != 0) throw_sys(fmt::format("bind to local port {} (--cport)", port), errno);
}

SocketGrant read_grant(int fd) {
  SocketGrant g;
  if (auto v = get_value<int>(fd, SOL_SOCKET, SO_SNDBUF)) g.sndbuf_bytes = static_cast<uint64_t>(*v);
  if (auto v = get_value<int>(fd, SOL_SOCKET, SO_RCVBUF)) g.rcvbuf_bytes = static_cast<uint64_t>(*v);
  char name[32] = {};
  socklen_t len = sizeof name - 1;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) == 0)
    g.congestion = std::string(name, strnlen(name, len));
  g.mss_bytes = get_value<int>(fd, IPPROTO_TCP, TCP_MAXSEG);
  if (auto v = get_value<int>(fd, IPPROTO_TCP, TCP_NODELAY)) g.nodelay = *v != 0;
  if (auto v = get_value<uint64_t>(fd, SOL_SOCKET, SO_MAX_PACING_RATE); v && *v != ~uint64_t{0})
    g.max_pacing_bytes_per_s = *v;
  sockaddr_storage a{};
  socklen_t alen = sizeof a;
  auto port_of = [&](const sockaddr_storage& s) -> std::optional<uint16_t> {
    if (s.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(s).sin_port);
    if (s.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(s).sin6_port);
    return std::nullopt;
  };
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &alen) == 0) g.local_port = port_of(a);
  alen = sizeof a;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &alen) == 0) g.peer_port = port_of(a);
  return g;
}

std::vector<std::string> available_congestion_controls() {
  std::ifstream in("/proc/sys/net/ipv4/tcp_available_congestion_control");
  std::vector<std::string> names;
  for (std::string name; in >> name;) names.push_back(name);
  return names;
}

void check_congestion_control(const std::string& name) {
  const bool shaped = !name.empty() && name.size() < 16 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  const auto names = available_congestion_controls();
  if (shaped && (names.empty() || std::find(names.begin(), names.end(), name) != names.end())) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
  throw UsageError(
      fmt::format("unknown congestion control '{}' (available here: {})", name,
                  list.empty() ? "unknown, /proc/sys/net/ipv4/tcp_available_congestion_control is unreadable" : list));
}

}  // namespace copybench
