#pragma once
// --profile on one side: the kernel's data-path events counted and the CPU sampled on the
// side's test threads (and the machine), in alternating slices of the window: on, off, on, ...
// The off slices are the same run without the profile, so comparing the side's rate in the
// two kinds of slice measures what profiling cost (METHODOLOGY.md section 20).
#include <sys/types.h>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/sampler.h"
#include "metrics/tracepoints.h"
#include "results/profile.h"
#include "session/slice_timer.h"
#include "session/window.h"

namespace copybench {

/// The slice length for a requested window: a tenth of it, within 5 to 250 ms.
int64_t profile_slice_ns(int64_t duration_ns);

class ProfileMeter {
 public:
  /// Opens the events and the sampler on `tids`, disabled, and loads the symbol tables:
  /// before START, like the counters. `snapshot` reads the side's byte and message counters.
  ProfileMeter(const std::vector<pid_t>& tids, std::function<Snapshot()> snapshot, int64_t slice_ns,
               SamplerSetup setup = {});
  ProfileMeter(const ProfileMeter&) = delete;
  ProfileMeter& operator=(const ProfileMeter&) = delete;
  ~ProfileMeter();

  /// The window's start: profile on, and a thread of its own turns it off and on every slice.
  void begin();
  /// The window's end: the switching stops, the profile goes off, the sampler is read out.
  /// Idempotent.
  void end();

  /// Valid after end(). `zerocopy_sends`: this side's sends pinned pages instead of copying.
  ProfileFigures figures(bool zerocopy_sends) const;

 private:
  void account(Snapshot now);  // the slice that ends at `now`
  void flip();                 // at a slice's edge: account it, turn the profile the other way
  void set(bool on);

  EventSources sources_;
  EventCounters events_;
  CpuSampler sampler_;
  std::function<Snapshot()> snapshot_;
  const int64_t slice_ns_;
  SliceTimer switcher_;
  // Written by the switching thread between begin() and end(), read after it has joined.
  bool on_ = false;
  Snapshot last_;
  int64_t on_ns_ = 0, off_ns_ = 0;
  uint64_t on_bytes_ = 0, off_bytes_ = 0, on_messages_ = 0, off_messages_ = 0;
  int slices_on_ = 0, slices_off_ = 0;
  std::string error_;  // turning the profile on or off failed: its figures are unknown
  bool began_ = false, ended_ = false;
};

}  // namespace copybench
