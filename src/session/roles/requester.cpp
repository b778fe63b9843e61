#include "session/roles/requester.h"

#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "session/roles/whole_message.h"
#include "strategies/send_util.h"

namespace copybench {

ConnectionTotals run_requester(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                               uint32_t connection, StreamCounters& counters, const std::atomic<bool>& stop,
                               LatencyHistogram* histogram, const std::atomic<bool>& recording) {
  ConnectionTotals totals;
  const uint64_t response_bytes = params.response_size();
  const uint64_t transaction_bytes = params.message_bytes + response_bytes;
  try {
    with_drain_on_error(strategy, fd, [&] {
      for (uint64_t sequence = 0; !stop.load(std::memory_order_relaxed); ++sequence) {
        Message& request = strategy.next_buffer(fd);
        if (params.verify) request.fill({connection, sequence});
        const int64_t t_send = now_ns();
        strategy.send(fd, request);
        const PatternKey key{connection, sequence};
        bool corrupt = false;
        if (!recv_whole(receiver, fd, response_bytes, params.verify ? &key : nullptr, corrupt, "response"))
          throw Error("the responder closed the connection mid-run");
        const int64_t t_done = now_ns();  // the check ran inside, range by range, as the bytes came
        if (histogram && recording.load(std::memory_order_relaxed))
          histogram->record(static_cast<uint64_t>(t_done - t_send));
        if (params.verify) {
          ++totals.messages_checked;
          if (corrupt) ++totals.corrupt_messages;
        }
        counters.add(transaction_bytes, 1);
      }
    });
    ::shutdown(fd, SHUT_WR);
    // The responder answers the half-close with its own once it has drained.
    bool unused = false;
    if (recv_whole(receiver, fd, 1, nullptr, unused, "end of the test"))
      throw Error("the responder sent bytes after the last transaction");
  } catch (const std::exception& e) {
    totals.error = e.what();
  }
  totals.recv_calls = receiver.accounting().calls;
  if (receiver.accounting().uring) totals.submissions = receiver.accounting().submissions;
  return totals;
}

}  // namespace copybench
