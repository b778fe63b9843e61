#pragma once
// Bookkeeping for MSG_ZEROCOPY notification ids (see the kernel's msg_zerocopy.rst): every send
// call that queues data gets the next 32-bit id; the kernel reports completed ids as ranges
// [lo, hi] on the error queue, possibly coalesced and, in principle, out of order.
#include <cstdint>
#include <map>

namespace copybench {

class ZcTracker {
 public:
  /// The id the kernel assigns to the next successful zero-copy send call.
  uint32_t issue() { return next_id_++; }

  /// Records the kernel's completion of ids lo..hi (inclusive, 32-bit wrap allowed).
  void complete(uint32_t lo, uint32_t hi);

  /// True once every id up to and including `id` has completed.
  bool released(uint32_t id) const { return static_cast<int32_t>(id - completed_below_) < 0; }

  /// True when no issued id is outstanding.
  bool all_released() const { return completed_below_ == next_id_; }

  uint32_t outstanding() const { return next_id_ - completed_below_; }

 private:
  uint32_t next_id_ = 0;
  uint32_t completed_below_ = 0;          // every id before this has completed
  std::map<uint32_t, uint32_t> pending_;  // out-of-order ranges: lo -> hi
};

}  // namespace copybench
