#include "session/roles/responder.h"

#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "session/roles/whole_message.h"
#include "strategies/send_util.h"

namespace copybench {

void run_responder(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                   uint32_t connection, StreamCounters& counters, const std::atomic<bool>& abandon,
                   ConnectionTotals& totals) {
  const uint64_t request_bytes = params.message_bytes;
  const uint64_t transaction_bytes = request_bytes + params.response_size();
  with_drain_on_error(strategy, fd, [&] {
    for (uint64_t sequence = 0; !abandon.load(std::memory_order_relaxed); ++sequence) {
      const PatternKey key{connection, sequence};
      bool corrupt = false;
      bool more = recv_whole(receiver, fd, request_bytes, params.verify ? &key : nullptr, corrupt, "request");
      totals.recv_calls = receiver.accounting().calls;
      if (!more) break;  // the requester is done
      if (params.verify) {
        ++totals.messages_checked;
        if (corrupt) ++totals.corrupt_messages;
      }
      Message& response = strategy.next_buffer(fd);
      if (params.verify) response.fill({connection, sequence});
      strategy.send(fd, response);
      counters.add(transaction_bytes, 1);
    }
  });
  ::shutdown(fd, SHUT_WR);
}

}  // namespace copybench
