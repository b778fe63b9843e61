#include "run/window_meter.h"

#include "core/error.h"

namespace copybench {

WindowMeter::WindowMeter(const TestParams& params, int timed_streams)
    : counters_on_(params.counters),
      profile_on_(params.profile),
      slice_ns_(profile_slice_ns(params.duration_ns)),
      hist_(static_cast<size_t>(timed_streams)) {}

void WindowMeter::open_counters(const std::vector<pid_t>& tids, const CounterSet* streams) {
  if (counters_on_) counters_ = std::make_unique<ThreadCounters>(tids);
  if (!profile_on_) return;
  if (!streams) {
    profile_error_ = "this side cannot profile: no stream counters to slice the window with";
    return;
  }
  try {  // a profile that cannot be set up costs the profile, never the test
    profile_ = std::make_unique<ProfileMeter>(tids, [streams] { return streams->snapshot(); }, slice_ns_);
  } catch (const std::exception& e) {
    profile_error_ = std::string("the profile could not be set up: ") + e.what();
  }
}

// A counter that cannot be started or stopped costs the counters, never the test.
void WindowMeter::begin() {
  if (counters_) {
    try {
      counters_->start();
    } catch (const Error& e) {
      counters_error_ = e.what();
      counters_.reset();
    }
  }
  cpu_.start();
  recording_.store(true, std::memory_order_relaxed);
  if (profile_) profile_->begin();
  began_ = true;
}

void WindowMeter::end() {
  if (!began_ || ended_) return;
  recording_.store(false, std::memory_order_relaxed);
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

void WindowMeter::fill(SideFigures& side, const std::string& latency_what, const std::string& no_latency_reason,
                       bool zerocopy_sends) const {
  const bool measured = began_ && ended_;
  if (!profile_on_) side.profile_reason = "profiling was off (--profile not given)";
  else if (!profile_error_.empty()) side.profile_reason = profile_error_;
  else if (!measured || !profile_) side.profile_reason = "no window was measured";
  else side.profile = profile_->figures(zerocopy_sends);
  if (!counters_on_) {
    side.counters_reason = "counters were turned off (--no-counters)";
  } else if (!counters_error_.empty()) {
    side.counters_reason = counters_error_;
  } else if (!measured || !counters_) {
    side.counters_reason = "no window was measured";
  } else {
    for (auto& reading : counters_->read())
      side.counters.push_back({reading.name, reading.scope, reading.value, reading.running_pct, reading.threads, reading.reason});
  }
  if (measured) {
    auto u = cpu_.usage();
    side.cpu = CpuFigures{u.process_user_s,       u.process_system_s,  u.voluntary_switches, u.involuntary_switches,
                          u.cpus,                 u.system_busy_cpu_s, u.system_busy_pct,    u.system_user_pct,
                          u.system_system_pct,    u.system_irq_pct,    u.system_softirq_pct, u.system_steal_pct,
                          u.system_reason};
  }
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

void WindowEdges::open() {
  meter_.begin();
  first_ = counters_.snapshot();
}

void WindowEdges::close() {
  last_ = counters_.snapshot();
  meter_.end();
}

void WindowEdges::abandon() { meter_.end(); }

}  // namespace copybench
