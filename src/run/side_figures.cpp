#include "run/side_figures.h"

#include "core/clock.h"

namespace copybench {

void add_send_calls(ConnectionEnd& end, const SendAccounting& a) {
  end.calls += a.send_calls;
  if (a.uring) end.submissions = end.submissions.value_or(0) + a.submissions;
}

SideFigures side_figures(const SideMeasurements& m) {
  SideFigures side;
  side.side = m.side;
  side.role = role_of(m.side, m.mode);
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
  m.meter->fill(side, m.latency_what, m.no_latency_reason, m.zerocopy_sends);
  return side;
}

}  // namespace copybench
