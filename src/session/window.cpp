#include "session/window.h"

#include <algorithm>
#include <ctime>

#include "core/clock.h"

namespace copybench {

Snapshot CounterSet::snapshot() const {
  Snapshot s;
  s.t_ns = now_ns();
  for (int i = 0; i < n_; ++i) {
    s.bytes.push_back(counters_[i].bytes.load(std::memory_order_relaxed));
    s.messages.push_back(counters_[i].messages.load(std::memory_order_relaxed));
  }
  return s;
}

bool sleep_until(int64_t deadline_ns, const std::function<bool()>& stop) {
  constexpr int64_t kStepNs = 20'000'000;
  for (;;) {
    if (stop && stop()) return false;
    int64_t now = now_ns();
    if (now >= deadline_ns) return true;
    int64_t until = std::min(deadline_ns, now + kStepNs);
    timespec ts{until / 1'000'000'000, until % 1'000'000'000};
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }
}

void fill_totals(SideFigures& side, const CounterSet& counters) {
  auto final_counts = counters.snapshot();
  side.streams.resize(final_counts.bytes.size());
  side.bytes_total = side.messages_total = 0;
  for (size_t i = 0; i < final_counts.bytes.size(); ++i) {
    auto& s = side.streams[i];
    s.index = static_cast<int>(i);
    s.bytes_total = final_counts.bytes[i];
    s.messages_total = final_counts.messages[i];
    side.bytes_total += s.bytes_total;
    side.messages_total += s.messages_total;
  }
}

void fill_window(SideFigures& side, const Snapshot* start, const Snapshot* end, int64_t t0_ns) {
  if (!start || !end || end->t_ns <= start->t_ns) return;
  side.window_start_ns = start->t_ns - t0_ns;
  side.window_ns = end->t_ns - start->t_ns;
  side.bytes_in_window = side.messages_in_window = 0;
  for (size_t i = 0; i < end->bytes.size(); ++i) {
    auto& s = side.streams[i];
    s.bytes_in_window = end->bytes[i] - start->bytes[i];
    s.messages_in_window = end->messages[i] - start->messages[i];
    side.bytes_in_window += s.bytes_in_window;
    side.messages_in_window += s.messages_in_window;
  }
}

}  // namespace copybench
