#include "session/roles/sender.h"

#include <sys/socket.h>
#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "net/socket.h"
#include "session/roles/pacer.h"
#include "strategies/send_util.h"

namespace copybench {

uint64_t send_timing_interval(uint64_t message_bytes) {
  return std::max<uint64_t>(1, kTimeEveryMessageFromBytes / std::max<uint64_t>(1, message_bytes));
}

void run_sender(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection, StreamCounters& counters,
                const std::atomic<bool>& stop, LatencyHistogram* histogram, const std::atomic<bool>& recording) {
  const uint64_t size = params.message_bytes;
  const uint64_t timed_every = send_timing_interval(size);
  uint64_t sequence = 0, until_timed = 0;
  // --pacing kernel paces in the socket (SO_MAX_PACING_RATE, roles.cpp socket_knobs): no wait here.
  Pacer pacer(params.pacing == Pacing::user ? params.rate_bps : 0, size);
  // Nothing may be freed while the kernel still holds it: drain (bounded) also after a failure.
  with_drain_on_error(strategy, fd, [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (!pacer.wait(stop)) break;
      Message& message = strategy.next_buffer(fd);
      // Without --verify nothing touches the payload per message: the buffers keep whatever
      // they held (zeros), as a sender of ready-made data would.
      if (params.verify) message.fill({connection, sequence});
      if (histogram && until_timed-- == 0) {
        until_timed = timed_every - 1;
        const int64_t t_start = now_ns();
        strategy.send(fd, message);
        const int64_t t_end = now_ns();
        if (recording.load(std::memory_order_relaxed)) histogram->record(static_cast<uint64_t>(t_end - t_start));
      } else {
        strategy.send(fd, message);
      }
      ++sequence;
      counters.add(size, 1);
    }
  });
  ::shutdown(fd, SHUT_WR);
}

}  // namespace copybench
