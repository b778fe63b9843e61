#include "session/window_meter.h"

#include <cmath>

#include "core/clock.h"
#include "core/error.h"
#include "session/tcp_watch.h"

namespace copybench {

WindowMeter::WindowMeter(const TestParams& params, int timed_streams)
    : counters_on_(params.counters),
      profile_on_(params.profile),
      // Counters tax every context switch of the threads they count: with them the rates and
      // latencies come from the slices they do not run in. --profile slices the window its own
      // way and is a cost the user asked for.
      sliced_(params.counters && !params.profile),
      slice_ns_(profile_slice_ns(params.duration_ns)),
      hist_(static_cast<size_t>(timed_streams)) {}

void WindowMeter::open_counters(const std::vector<pid_t>& connection_tids, pid_t coordinator_tid,
                                const CounterSet* streams) {
  thread_cpu_ = ThreadCpuMeter(connection_tids);
  std::vector<pid_t> tids = connection_tids;
  tids.push_back(coordinator_tid);
  if (sliced_)
    slicer_ = std::make_unique<CounterSlicer>(tids, recording_, slice_ns_, streams);  // opens per counted slice
  else if (counters_on_) counters_ = std::make_unique<ThreadCounters>(tids);
  if (!profile_on_) return;
  if (!streams) {
    profile_error_ = "this side cannot profile: no stream counters to slice the window with";
    return;
  }
  try {  // a profile that cannot be set up costs the profile, never the test
    profile_ = std::make_unique<ProfileMeter>(
        tids, [streams] { return streams->snapshot(); }, slice_ns_);
  } catch (const std::exception& e) {
    profile_error_ = std::string("the profile could not be set up: ") + e.what();
  }
}

// A counter that cannot be started or stopped costs the counters, never the test.
void WindowMeter::begin() {
  cpu_.start();
  thread_cpu_.start(now_ns());
  recording_.store(true, std::memory_order_relaxed);
  if (slicer_) slicer_->begin();
  if (counters_) {
    try {
      counters_->start();
    } catch (const Error& e) {
      counters_error_ = e.what();
      counters_.reset();
    }
  }
  if (profile_) profile_->begin();
  began_ = true;
}

void WindowMeter::end() {
  if (!began_ || ended_) return;
  recording_.store(false, std::memory_order_relaxed);
  if (slicer_) slicer_->end();  // before the other meters: its thread must not flip the flag again
  thread_cpu_.stop(now_ns());
  cpu_.stop();
  if (counters_) {
    try {
      counters_->stop();
    } catch (const Error& e) {
      counters_error_ = e.what();
      counters_.reset();
    }
  }
  if (profile_) profile_->end();  // last: joining its threads must not delay the other meters
  ended_ = true;
}

// With counters: the rates of the timed slices, which no counting slowed down (the window's
// byte and message counts stay whole).
void WindowMeter::rates_from_timed_slices(SideFigures& side) const {
  const int64_t ns = slicer_->timed_ns();
  const uint64_t messages = slicer_->timed_messages();
  // Timed slices in which nothing moved while the window did (a short window, a sender stalled
  // on completions for a slice or two) sample a bursty flow too thinly to give its rate: the
  // rates then come from the whole window, and rates_timed_s stays empty to say so.
  if (ns <= 0 || side.streams.empty() || slicer_->timed_bytes() == 0) return;
  const double seconds = ns / 1e9;
  side.rates_timed_s = seconds;
  side.throughput_gbps = slicer_->timed_bytes() * 8.0 / ns;
  side.messages_per_s = messages / seconds;
  side.time_per_msg_us =
      messages > 0 ? std::optional<double>(seconds * 1e6 * side.streams.size() / messages) : std::nullopt;
}

void WindowMeter::fill(SideFigures& side, const std::string& latency_what, const std::string& no_latency_reason,
                       bool zerocopy_sends) const {
  const bool measured = began_ && ended_;
  fill_profile(side, measured, zerocopy_sends);
  fill_counters(side, measured);
  if (measured) fill_cpu(side);
  if (hist_.empty()) {
    side.latency_reason = no_latency_reason;
  } else if (!measured) {
    side.latency_reason = "no window was measured";
  } else {
    LatencyHistogram all;
    for (const auto& h : hist_) all.merge(h);
    side.latency = latency_figures(all, latency_what);
  }
}

void WindowMeter::fill_profile(SideFigures& side, bool measured, bool zerocopy_sends) const {
  if (!profile_on_) side.profile_reason = "profiling was off (--profile not given)";
  else if (!profile_error_.empty()) side.profile_reason = profile_error_;
  else if (!measured || !profile_) side.profile_reason = "no window was measured";
  else side.profile = profile_->figures(zerocopy_sends);
}

void WindowMeter::fill_counters(SideFigures& side, bool measured) const {
  if (!counters_on_) {
    side.counters_reason = "counters were turned off (--no-counters)";
  } else if (!counters_error_.empty()) {
    side.counters_reason = counters_error_;
  } else if (!measured || (!counters_ && !slicer_)) {
    side.counters_reason = "no window was measured";
  } else if (slicer_ && (slicer_->readings().empty() || slicer_->counted_ns() <= 0)) {
    side.counters_reason =
        !slicer_->error().empty()
            ? "the counters count in slices of the window, and none could be counted: " + slicer_->error()
            : "the window ended before a counted slice (the counters count in alternating slices)";
  } else {
    // Sliced (rr): counted in part of the window, scaled to all of it.
    const double scale =
        slicer_ ? static_cast<double>(slicer_->window_ns()) / static_cast<double>(slicer_->counted_ns()) : 1.0;
    if (slicer_) {
      side.counters_counted_pct = 100.0 * slicer_->counted_ns() / slicer_->window_ns();
      rates_from_timed_slices(side);
    }
    for (auto& reading : slicer_ ? slicer_->readings() : counters_->read()) {
      auto value = reading.value;
      auto reason = reading.reason;
      if (slicer_ && value) value = static_cast<uint64_t>(std::llround(static_cast<double>(*value) * scale));
      if (slicer_ && value && !slicer_->error().empty())
        reason += (reason.empty() ? "" : "; ") + ("counted in fewer slices: " + slicer_->error());
      side.counters.push_back({reading.name, reading.scope, value, reading.running_pct, reading.threads, reason});
    }
  }
}

void WindowMeter::fill_cpu(SideFigures& side) const {
  const auto u = cpu_.usage();
  side.cpu = CpuFigures{.process_user_s = u.process_user_s,
                        .process_system_s = u.process_system_s,
                        .voluntary_switches = u.voluntary_switches,
                        .involuntary_switches = u.involuntary_switches,
                        .cpus = u.cpus,
                        .system_busy_cpu_s = u.system_busy_cpu_s,
                        .system_busy_pct = u.system_busy_pct,
                        .system_user_pct = u.system_user_pct,
                        .system_kernel_pct = u.system_system_pct,
                        .system_irq_pct = u.system_irq_pct,
                        .system_softirq_pct = u.system_softirq_pct,
                        .system_steal_pct = u.system_steal_pct,
                        .system_idle_pct = u.system_idle_pct,
                        .system_reason = u.system_reason,
                        .thread_on_cpu_pct = thread_cpu_.on_cpu_pct(),
                        .thread_reason = thread_cpu_.reason()};
}

LatencyFigures latency_figures(const LatencyHistogram& h, const std::string& what) {
  LatencyFigures l;
  l.what = what;
  l.count = h.count();
  l.min_ns = h.min();
  l.max_ns = h.max();
  l.sum_ns = h.sum();
  l.mean_ns = h.mean();
  l.p50_ns = h.percentile(50);
  l.p90_ns = h.percentile(90);
  l.p99_ns = h.percentile(99);
  l.p999_ns = h.percentile(99.9);
  l.p9999_ns = h.percentile(99.99);
  l.buckets = h.buckets();
  return l;
}

void WindowEdges::watch(TcpReader reader, int64_t interval_ns, IntervalSink sink) {
  reader_ = std::move(reader);
  interval_ns_ = interval_ns;
  sink_ = std::move(sink);
}

void WindowEdges::open() {
  meter_.begin();
  first_ = counters_.snapshot();
  first_tcp_ = read_sockets();
  if (interval_ns_ > 0) {
    previous_ = *first_;
    previous_tcp_ = first_tcp_;
    next_tick_ns_ = first_->t_ns + interval_ns_;
  }
}

void WindowEdges::tick() {
  if (!first_ || last_ || interval_ns_ <= 0) return;
  auto tcp = read_sockets();
  end_interval(counters_.snapshot(), std::move(tcp));
  // Intervals stay on the window's grid; a late wake-up makes one longer, never the next shorter.
  while (next_tick_ns_ <= previous_.t_ns) next_tick_ns_ += interval_ns_;
}

void WindowEdges::close() {
  last_tcp_ = read_sockets();
  last_ = counters_.snapshot();
  meter_.end();
  if (first_ && interval_ns_ > 0 && last_->t_ns > previous_.t_ns) end_interval(*last_, last_tcp_);
  next_tick_ns_ = INT64_MAX;
}

void WindowEdges::end_interval(const Snapshot& now, std::vector<TcpSample> tcp) {
  intervals_.push_back(interval_figures(previous_, now, previous_tcp_, tcp, first_->t_ns));
  previous_ = now;
  previous_tcp_ = std::move(tcp);
  if (sink_) sink_(intervals_.back());
}

void WindowEdges::abandon() { meter_.end(); }

}  // namespace copybench
