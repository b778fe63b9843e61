#include "strategies/zc_tracker.h"

namespace copybench {

void ZcTracker::complete(uint32_t lo, uint32_t hi) {
  if (lo != completed_below_) {
    pending_[lo] = hi;
    return;
  }
  completed_below_ = hi + 1;
  // Absorb ranges that arrived early and now touch the contiguous prefix.
  for (auto it = pending_.find(completed_below_); it != pending_.end(); it = pending_.find(completed_below_)) {
    completed_below_ = it->second + 1;
    pending_.erase(it);
  }
}

}  // namespace copybench
