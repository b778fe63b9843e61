#include "session/profile_meter.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/clock.h"
#include "core/error.h"
#include "metrics/cpu_buckets.h"

namespace copybench {
namespace {

SampleFigures sample_figures(const SampleView& view, int hz, bool kernel_known) {
  SampleFigures f{hz, view.samples, view.kernel_samples, {}, {}};
  for (const BucketInfo& info : bucket_infos()) {
    const uint64_t n = view.buckets[static_cast<size_t>(info.bucket)];
    const bool user = info.bucket == Bucket::user_space || info.bucket == Bucket::copy_user_space;
    std::optional<double> pct;
    if ((user || kernel_known) && view.samples > 0)
      pct = 100.0 * static_cast<double>(n) / static_cast<double>(view.samples);
    f.buckets.push_back({info.key, n, pct});
  }
  for (const SampledFunction& fn : view.top)
    f.top.push_back({fn.function, bucket_info(fn.bucket).key, fn.samples,
                     view.samples ? 100.0 * static_cast<double>(fn.samples) / static_cast<double>(view.samples) : 0.0});
  return f;
}

}  // namespace

int64_t profile_slice_ns(int64_t duration_ns) { return std::clamp<int64_t>(duration_ns / 10, 5'000'000, 250'000'000); }

ProfileMeter::ProfileMeter(const std::vector<pid_t>& tids, std::function<Snapshot()> snapshot, int64_t slice_ns,
                           SamplerSetup setup)
    : sources_(EventSources::detect()),
      events_(tids, sources_),
      sampler_(tids, sources_.cpus, sources_.cpus_reason, setup),
      snapshot_(std::move(snapshot)),
      slice_ns_(slice_ns) {}

ProfileMeter::~ProfileMeter() { switcher_.stop(); }

void ProfileMeter::set(bool on) {
  const int err_events = on ? events_.enable() : events_.disable();
  const int err_samples = on ? sampler_.enable() : sampler_.disable();
  if ((err_events || err_samples) && error_.empty())
    error_ = std::string("turning the profile ") + (on ? "on" : "off") +
             " failed: " + errno_text(err_events ? err_events : err_samples);
}

void ProfileMeter::begin() {
  if (began_) return;
  began_ = true;
  set(true);
  on_ = true;
  last_ = snapshot_();
  switcher_.start(last_.t_ns + slice_ns_, slice_ns_, [this] { flip(); });
}

void ProfileMeter::account(Snapshot now) {
  const int64_t ns = now.t_ns - last_.t_ns;
  const uint64_t bytes = sum_of(now.bytes) - sum_of(last_.bytes),
                 messages = sum_of(now.messages) - sum_of(last_.messages);
  if (on_) {
    on_ns_ += ns, on_bytes_ += bytes, on_messages_ += messages, ++slices_on_;
  } else {
    off_ns_ += ns, off_bytes_ += bytes, off_messages_ += messages, ++slices_off_;
  }
  last_ = std::move(now);
}

void ProfileMeter::flip() {
  account(snapshot_());
  on_ = !on_;
  set(on_);
}

void ProfileMeter::end() {
  if (!began_ || ended_) return;
  ended_ = true;
  switcher_.stop();
  account(snapshot_());  // the last slice, cut short by the window's end
  if (on_) set(false);
  on_ = false;
  sampler_.finish();
}

ProfileFigures ProfileMeter::figures(bool zerocopy_sends) const {
  ProfileFigures p;
  p.slice_ns = slice_ns_;
  p.slices_on = slices_on_, p.slices_off = slices_off_;
  p.on_ns = on_ns_, p.off_ns = off_ns_;
  p.on_bytes = on_bytes_, p.off_bytes = off_bytes_, p.on_messages = on_messages_, p.off_messages = off_messages_;
  p.zerocopy_sends = zerocopy_sends;
  for (const EventCount& c : events_.read()) {
    EventFigure e{c.name, c.key, c.scope, c.count, c.reason};
    if (!error_.empty()) e.count.reset(), e.reason = error_;
    p.events.push_back(std::move(e));
  }
  p.kernel_caveat = sampler_.kernel_caveat();
  p.threads_caveat = sampler_.threads_caveat();
  const auto threads = sampler_.threads_view(), machine = sampler_.machine_view();
  if (threads && error_.empty()) p.threads = sample_figures(*threads, sampler_.frequency_hz(), p.kernel_caveat.empty());
  if (machine && error_.empty()) p.machine = sample_figures(*machine, sampler_.frequency_hz(), p.kernel_caveat.empty());
  p.threads_reason = !error_.empty() ? error_ : sampler_.threads_reason();
  p.machine_reason = !error_.empty() ? error_ : sampler_.machine_reason();
  p.samples_lost = sampler_.lost();
  p.throttled = sampler_.throttled();
  return p;
}

}  // namespace copybench
