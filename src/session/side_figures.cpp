#include "session/side_figures.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "results/tcp_figures.h"
#include "session/tcp_watch.h"

namespace copybench {

ConnectionEnd connection_end(const ConnectionTotals& totals, const SendAccounting* sent) {
  ConnectionEnd end{.error = totals.error, .calls = totals.recv_calls, .submissions = totals.submissions};
  if (sent) {
    end.calls += sent->send_calls;
    if (sent->uring) end.submissions = end.submissions.value_or(0) + sent->submissions;
  }
  return end;
}

std::optional<ZeroCopyFigures> zerocopy_of(const std::vector<SendAccounting>& connections) {
  SendAccounting sum;
  for (const auto& a : connections) {
    sum.zerocopy = sum.zerocopy || a.zerocopy;
    sum.zc_sends += a.zc_sends;
    sum.zc_notifications += a.zc_notifications;
    sum.zc_completed += a.zc_completed;
    sum.zc_copied += a.zc_copied;
    sum.zc_enobufs += a.zc_enobufs;
    sum.zc_buffer_waits += a.zc_buffer_waits;
  }
  if (!sum.zerocopy) return std::nullopt;
  return zerocopy_figures(sum.zc_sends, sum.zc_notifications, sum.zc_completed, sum.zc_copied, sum.zc_enobufs,
                          sum.zc_buffer_waits);
}

void add_receive_copy(SideFigures& side, const std::vector<RecvAccounting>& connections) {
  if (connections.empty() || !connections.front().zerocopy) return;
  uint64_t mapped = 0, copied = 0;
  for (const auto& a : connections) mapped += a.bytes_mapped, copied += a.bytes_copied;
  side.zc_mapped_bytes = mapped;
  side.zc_copied_bytes = copied;
  const auto& setup = connections.front().setup;
  if (mapped == 0)
    side.zc_mapped_note = fmt::format(
        "the kernel mapped no page ({}): it maps only whole, single pages of payload; a copying sender's data "
        "sits in compound pages, and messages under two pages are read with recv()",
        setup.empty() ? "TCP_MAXSEG left alone" : setup);
  else side.zc_mapped_note = setup;
}

namespace {

// Each connection's TCP_INFO over the window, the side's together, and the intervals so far
// (a window cut short keeps those it finished).
void fill_tcp(SideFigures& side, const WindowEdges& window) {
  const auto &first = window.first_tcp(), &last = window.last_tcp();
  if (!window.watched()) side.tcp_info_reason = "TCP_INFO was not read on this side";
  else if (!window.last() || first.size() != side.streams.size() || last.size() != first.size())
    side.tcp_info_reason = "no window was measured";
  else {
    for (size_t i = 0; i < first.size(); ++i) side.streams[i].tcp_info = tcp_figures(first[i], last[i]);
    side.tcp_info = side_tcp_figures(side.streams);
  }
  side.intervals = window.intervals();
  if (window.interval_ns() <= 0) side.intervals_reason = "no --interval was asked for";
  else if (side.intervals.empty()) side.intervals_reason = "no interval of the window was measured";
}

}  // namespace

SideFigures side_figures(const SideMeasurements& m) {
  SideFigures side;
  side.side = m.role->side;
  side.role = m.role->role;
  fill_totals(side, *m.counters);
  fill_window(side, m.window->first(), m.window->last(), m.start_ns);
  if (m.start_ns > 0) side.wall_ns = now_ns() - m.start_ns;
  for (size_t i = 0; i < m.connections.size() && i < side.streams.size(); ++i) {
    const auto& c = m.connections[i];
    if (!c.error.empty()) side.streams[i].error = c.error;
    side.calls_total += c.calls;
    if (c.submissions) side.submissions_total = side.submissions_total.value_or(0) + *c.submissions;
  }
  derive_rates(side, m.counters->size());
  fill_tcp(side, *m.window);
  m.meter->fill(side, m.role->latency_what, m.role->no_latency_reason, m.zerocopy_sends);
  return side;
}

}  // namespace copybench
