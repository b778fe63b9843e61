#pragma once
// --rate --pacing user: a token bucket per connection, as iperf3's -b holds a stream to its
// rate in user space. Each message has its time on a fixed schedule (the first message's start
// plus the payload so far at the rate); once the sender is a timer period (kTimerNs) ahead it
// sleeps until the next message's time, so a late wake-up is made up by the messages after it
// (up to kMaxLagNs of them at once) and the average holds.
#include <atomic>
#include <cstdint>

namespace copybench {

class Pacer {
 public:
  /// A sender that falls this far behind its schedule (blocked in a full send buffer, descheduled)
  /// catches up at most this much at full speed: the bucket's depth, in time.
  static constexpr int64_t kMaxLagNs = 50'000'000;
  /// The sender sleeps only once it is this far ahead of its schedule, and then until the next
  /// message's time: one wake-up per period, not per message (iperf3's --pacing-timer default).
  static constexpr int64_t kTimerNs = 1'000'000;

  /// `rate_bps` of payload in messages of `message_bytes`; 0: never waits.
  Pacer(uint64_t rate_bps, uint64_t message_bytes);

  /// Sleeps until the next message's time (in slices, so a STOP is seen within 20 ms); false
  /// when `stop` came first. The first call starts the schedule; sets this thread's timer slack
  /// to 1 us, so a sleep ends near its time rather than up to 50 us late.
  /// Unpaced, it is one inline test per message.
  bool wait(const std::atomic<bool>& stop) { return gap_ns_ <= 0 || wait_for_schedule(stop); }

 private:
  bool wait_for_schedule(const std::atomic<bool>& stop);

  double gap_ns_ = 0;   // one message at the rate
  double next_ns_ = 0;  // when the next message may leave (0: not started)
};

}  // namespace copybench
