#include "results/tcp_figures.h"

#include <cmath>
#include <string>

namespace copybench {
namespace {

// Sums or means of one field over the connections that know it; null when none does.
template <typename T, typename Field>
std::optional<T> total_of(const std::vector<const TcpFigures*>& all, Field field) {
  std::optional<T> sum;
  for (const auto* t : all)
    if (const auto& v = t->*field) sum = sum.value_or(T{}) + *v;
  return sum;
}

template <typename Field>
std::optional<double> mean_of(const std::vector<const TcpFigures*>& all, Field field) {
  double sum = 0;
  int n = 0;
  for (const auto* t : all)
    if (const auto& v = t->*field) sum += static_cast<double>(*v), ++n;
  return n ? std::optional<double>(sum / n) : std::nullopt;
}

}  // namespace

std::optional<TcpFigures> side_tcp_figures(const std::vector<StreamFigures>& streams) {
  std::vector<const TcpFigures*> all;
  for (const auto& s : streams)
    if (s.tcp_info) all.push_back(&*s.tcp_info);
  if (all.empty()) return std::nullopt;
  TcpFigures t;
  t.retransmits = total_of<uint64_t>(all, &TcpFigures::retransmits);
  t.rtt_us = mean_of(all, &TcpFigures::rtt_us);
  t.rttvar_us = mean_of(all, &TcpFigures::rttvar_us);
  t.min_rtt_us = mean_of(all, &TcpFigures::min_rtt_us);
  t.snd_cwnd = mean_of(all, &TcpFigures::snd_cwnd);
  t.delivery_rate_gbps = total_of<double>(all, &TcpFigures::delivery_rate_gbps);
  t.pacing_rate_gbps = total_of<double>(all, &TcpFigures::pacing_rate_gbps);
  t.unsent_bytes = total_of<uint64_t>(all, &TcpFigures::unsent_bytes);
  t.busy_pct = mean_of(all, &TcpFigures::busy_pct);
  t.rwnd_limited_pct = mean_of(all, &TcpFigures::rwnd_limited_pct);
  t.sndbuf_limited_pct = mean_of(all, &TcpFigures::sndbuf_limited_pct);
  t.send_queue_start_bytes = total_of<uint64_t>(all, &TcpFigures::send_queue_start_bytes);
  t.send_queue_end_bytes = total_of<uint64_t>(all, &TcpFigures::send_queue_end_bytes);
  t.recv_queue_start_bytes = total_of<uint64_t>(all, &TcpFigures::recv_queue_start_bytes);
  t.recv_queue_end_bytes = total_of<uint64_t>(all, &TcpFigures::recv_queue_end_bytes);
  t.optmem_start_bytes = total_of<uint64_t>(all, &TcpFigures::optmem_start_bytes);
  t.optmem_end_bytes = total_of<uint64_t>(all, &TcpFigures::optmem_end_bytes);
  for (const auto* c : all)  // the connections share one kernel: the first reason says it
    if (!c->reason.empty()) {
      t.reason = c->reason;
      break;
    }
  return t;
}

std::optional<double> interval_cv_pct(const std::vector<IntervalFigures>& intervals) {
  std::vector<double> rates;
  double full_s = intervals.empty() ? 0 : intervals.front().end_s - intervals.front().start_s;
  for (size_t i = 0; i < intervals.size(); ++i) {
    const auto& v = intervals[i];
    if (!v.throughput_gbps) continue;
    if (i + 1 == intervals.size() && i > 0 && v.end_s - v.start_s < full_s / 2) continue;  // a short last interval
    rates.push_back(*v.throughput_gbps);
  }
  if (rates.size() < 2) return std::nullopt;
  double mean = 0;
  for (double r : rates) mean += r;
  mean /= static_cast<double>(rates.size());
  if (mean <= 0) return std::nullopt;
  double var = 0;
  for (double r : rates) var += (r - mean) * (r - mean);
  var /= static_cast<double>(rates.size() - 1);
  return std::sqrt(var) / mean * 100;
}

}  // namespace copybench
