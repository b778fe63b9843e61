#include "run/sender.h"

#include <sys/socket.h>

#include "core/error.h"

namespace copybench {

void run_sender(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                StreamCounters& counters, const std::atomic<bool>& stop) {
  const uint64_t size = params.message_bytes;
  uint64_t sequence = 0;
  try {
    while (!stop.load(std::memory_order_relaxed)) {
      Message& message = strategy.next_buffer(fd);
      // Without --verify nothing touches the payload per message: the buffers keep whatever
      // they held (zeros), as a sender of ready-made data would.
      if (params.verify) message.fill({connection, sequence});
      strategy.send(fd, message);
      ++sequence;
      counters.add(size, 1);
    }
  } catch (const Error&) {
    // Nothing may be freed while the kernel still holds it: drain (bounded) before reporting.
    try {
      strategy.drain(fd);
    } catch (const Error&) {
      // The send failure is the one worth reporting.
    }
    throw;
  }
  strategy.drain(fd);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace copybench
