#include "metrics/tcp_info.h"

#include <fmt/format.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstddef>

#include "core/clock.h"
#include "core/error.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

namespace copybench {
namespace {

// Whether the kernel filled `field` (its last byte lies inside the returned length).
#define COPYBENCH_HAS(len, field) \
  ((len) >= offsetof(struct tcp_info, field) + sizeof(static_cast<struct tcp_info*>(nullptr)->field))

struct Need {
  size_t end;  // offset just past the field
  const char* what;
};

// The newer fields copybench reads, each with the first kernel whose tcp_info has it.
const Need kNeeds[] = {
    {offsetof(tcp_info, tcpi_pacing_rate) + sizeof(uint64_t), "tcpi_pacing_rate (Linux 3.15)"},
    {offsetof(tcp_info, tcpi_notsent_bytes) + sizeof(uint32_t), "tcpi_notsent_bytes (Linux 4.6)"},
    {offsetof(tcp_info, tcpi_min_rtt) + sizeof(uint32_t), "tcpi_min_rtt (Linux 4.6)"},
    {offsetof(tcp_info, tcpi_delivery_rate) + sizeof(uint64_t), "tcpi_delivery_rate (Linux 4.9)"},
    {offsetof(tcp_info, tcpi_sndbuf_limited) + sizeof(uint64_t),
     "tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited (Linux 4.10)"},
};

}  // namespace

void decode_tcp_info(const void* raw, size_t len, TcpSample& s) {
  const auto* info = static_cast<const tcp_info*>(raw);
  s.info_bytes = len;
  for (const auto& need : kNeeds)
    if (len < need.end) s.missing += fmt::format("{}{}", s.missing.empty() ? "" : ", ", need.what);
  if (!s.missing.empty()) s.missing = fmt::format("this kernel's tcp_info ({} bytes) lacks {}", len, s.missing);
  if (COPYBENCH_HAS(len, tcpi_total_retrans)) s.total_retrans = info->tcpi_total_retrans;
  if (COPYBENCH_HAS(len, tcpi_rttvar)) {
    s.rtt_us = info->tcpi_rtt;
    s.rttvar_us = info->tcpi_rttvar;
  }
  if (COPYBENCH_HAS(len, tcpi_snd_cwnd)) s.snd_cwnd = info->tcpi_snd_cwnd;
  if (COPYBENCH_HAS(len, tcpi_snd_mss)) s.snd_mss = info->tcpi_snd_mss;
  if (COPYBENCH_HAS(len, tcpi_pacing_rate)) s.pacing_rate_Bps = info->tcpi_pacing_rate;
  if (COPYBENCH_HAS(len, tcpi_notsent_bytes)) s.notsent_bytes = info->tcpi_notsent_bytes;
  if (COPYBENCH_HAS(len, tcpi_min_rtt)) s.min_rtt_us = info->tcpi_min_rtt;
  if (COPYBENCH_HAS(len, tcpi_delivery_rate)) s.delivery_rate_Bps = info->tcpi_delivery_rate;
  if (COPYBENCH_HAS(len, tcpi_sndbuf_limited)) {
    s.busy_us = info->tcpi_busy_time;
    s.rwnd_limited_us = info->tcpi_rwnd_limited;
    s.sndbuf_limited_us = info->tcpi_sndbuf_limited;
  }
}

TcpSample sample_tcp(int fd) {
  TcpSample s;
  s.t_ns = now_ns();
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    s.error = fmt::format("getsockopt(TCP_INFO): {}", errno_text(errno));
    return s;
  }
  decode_tcp_info(&info, len, s);
  uint32_t mem[SK_MEMINFO_VARS] = {};
  socklen_t mem_len = sizeof mem;
  if (::getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &mem_len) != 0) {
    s.meminfo_error = fmt::format("getsockopt(SO_MEMINFO): {} (Linux 4.6 has it)", errno_text(errno));
  } else if (mem_len < sizeof(uint32_t) * (SK_MEMINFO_OPTMEM + 1)) {
    s.meminfo_error = fmt::format("SO_MEMINFO returned {} bytes, too few for the option memory", mem_len);
  } else {
    s.send_queue_bytes = mem[SK_MEMINFO_WMEM_QUEUED];
    s.recv_queue_bytes = mem[SK_MEMINFO_RMEM_ALLOC];
    s.optmem_bytes = mem[SK_MEMINFO_OPTMEM];
  }
  return s;
}

#undef COPYBENCH_HAS

}  // namespace copybench
