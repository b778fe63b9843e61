#include "session/tcp_watch.h"

#include <fmt/format.h>
#include <algorithm>
#include <limits>
#include <string>

namespace copybench {
namespace {

std::optional<double> as_double(std::optional<uint32_t> v) { return v ? std::optional<double>(*v) : std::nullopt; }

std::optional<uint64_t> widen(std::optional<uint32_t> v) { return v ? std::optional<uint64_t>(*v) : std::nullopt; }

// A chrono clock's share of the window. The kernel keeps these in jiffies (1 to 10 ms), so a
// share may overshoot 100% by one tick over a short window: it is capped there.
std::optional<double> share_pct(std::optional<uint64_t> from_us, std::optional<uint64_t> to_us, double window_us) {
  if (!from_us || !to_us || *to_us < *from_us || window_us <= 0) return std::nullopt;
  return std::min(100.0, static_cast<double>(*to_us - *from_us) / window_us * 100);
}

void add_reason(std::string& reason, const std::string& more) {
  if (!more.empty()) reason += (reason.empty() ? "" : "; ") + more;
}

}  // namespace

TcpFigures tcp_figures(const TcpSample& first, const TcpSample& last) {
  TcpFigures t;
  if (!first.error.empty() || !last.error.empty()) {
    t.reason = !first.error.empty() ? "at the window's start: " + first.error : "at the window's end: " + last.error;
    return t;
  }
  if (first.total_retrans && last.total_retrans && *last.total_retrans >= *first.total_retrans)
    t.retransmits = *last.total_retrans - *first.total_retrans;
  t.rtt_us = as_double(last.rtt_us);
  t.rttvar_us = as_double(last.rttvar_us);
  t.min_rtt_us = as_double(last.min_rtt_us);
  t.snd_cwnd = as_double(last.snd_cwnd);
  if (last.delivery_rate_Bps) t.delivery_rate_gbps = static_cast<double>(*last.delivery_rate_Bps) * 8 / 1e9;
  if (last.pacing_rate_Bps) {
    if (*last.pacing_rate_Bps == std::numeric_limits<uint64_t>::max())
      add_reason(t.reason, "pacing_rate_gbps: the connection is not paced (tcpi_pacing_rate is ~0)");
    else t.pacing_rate_gbps = static_cast<double>(*last.pacing_rate_Bps) * 8 / 1e9;
  }
  t.unsent_bytes = widen(last.notsent_bytes);
  const double window_us = static_cast<double>(last.t_ns - first.t_ns) / 1e3;
  t.busy_pct = share_pct(first.busy_us, last.busy_us, window_us);
  t.rwnd_limited_pct = share_pct(first.rwnd_limited_us, last.rwnd_limited_us, window_us);
  t.sndbuf_limited_pct = share_pct(first.sndbuf_limited_us, last.sndbuf_limited_us, window_us);
  t.send_queue_start_bytes = widen(first.send_queue_bytes);
  t.send_queue_end_bytes = widen(last.send_queue_bytes);
  t.recv_queue_start_bytes = widen(first.recv_queue_bytes);
  t.recv_queue_end_bytes = widen(last.recv_queue_bytes);
  t.optmem_start_bytes = widen(first.optmem_bytes);
  t.optmem_end_bytes = widen(last.optmem_bytes);
  add_reason(t.reason, last.missing);
  add_reason(t.reason, !first.meminfo_error.empty() ? first.meminfo_error : last.meminfo_error);
  return t;
}

IntervalFigures interval_figures(const Snapshot& from, const Snapshot& to, const std::vector<TcpSample>& tcp_from,
                                 const std::vector<TcpSample>& tcp_to, int64_t window_start_ns) {
  IntervalFigures v;
  v.start_s = static_cast<double>(from.t_ns - window_start_ns) / 1e9;
  v.end_s = static_cast<double>(to.t_ns - window_start_ns) / 1e9;
  for (size_t i = 0; i < to.bytes.size() && i < from.bytes.size(); ++i) {
    v.bytes += to.bytes[i] - from.bytes[i];
    v.messages += to.messages[i] - from.messages[i];
  }
  if (to.t_ns > from.t_ns)
    v.throughput_gbps = static_cast<double>(v.bytes) * 8 / static_cast<double>(to.t_ns - from.t_ns);
  double cwnd = 0, rtt = 0;
  int cwnds = 0, rtts = 0;
  for (size_t i = 0; i < tcp_to.size(); ++i) {
    const auto& end = tcp_to[i];
    if (i < tcp_from.size() && tcp_from[i].total_retrans && end.total_retrans &&
        *end.total_retrans >= *tcp_from[i].total_retrans)
      v.retransmits = v.retransmits.value_or(0) + (*end.total_retrans - *tcp_from[i].total_retrans);
    if (end.snd_cwnd) cwnd += *end.snd_cwnd, ++cwnds;
    if (end.rtt_us) rtt += *end.rtt_us, ++rtts;
  }
  if (cwnds) v.snd_cwnd = cwnd / cwnds;
  if (rtts) v.rtt_us = rtt / rtts;
  return v;
}

}  // namespace copybench
