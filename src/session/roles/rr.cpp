#include "session/roles/rr.h"

#include <cerrno>
#include <fmt/format.h>
#include <memory>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "strategies/send_util.h"
#include "net/socket.h"

namespace copybench {
namespace {

// Reads exactly `len` bytes (one message) with the receive strategy; with `check`, verifies
// every byte against that message's pattern wherever the strategy put it, and sets `corrupt`.
// The recv strategy blocks in recv() itself (no poll: a transaction's latency is what is
// measured; SO_RCVTIMEO bounds each wait). Returns false on EOF before the first byte; throws
// on EOF inside, a timeout or an error.
bool recv_whole(RecvStrategy& receiver, int fd, size_t len, const PatternKey* check, bool& corrupt, const char* what) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = receiver.receive(fd, len - got);
    if (n > 0) {
      size_t at = got;  // discard and splice hand over no chunks: the count is all there is
      for (const iovec& c : receiver.chunks()) {
        if (check && !check_pattern(*check, at, static_cast<const std::byte*>(c.iov_base), c.iov_len)) corrupt = true;
        at += c.iov_len;
      }
      got += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got == 0) return false;
      throw Error(fmt::format("the peer closed the connection inside a {}", what));
    }
    if (errno == EAGAIN) throw Error(fmt::format("no {} for 10 s", what));
    throw_sys(fmt::format("receive {}", what), errno);
  }
  return true;
}

}  // namespace

ReceiverTotals run_requester(int fd, SendStrategy& strategy, RecvStrategy& receiver, const TestParams& params,
                             uint32_t connection, StreamCounters& counters, const std::atomic<bool>& stop,
                             LatencyHistogram* histogram, const std::atomic<bool>& recording) {
  ReceiverTotals totals;
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
        if (histogram && recording.load(std::memory_order_relaxed)) histogram->record(static_cast<uint64_t>(t_done - t_send));
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

void run_responder(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                   StreamCounters& counters, const std::atomic<bool>& abandon, ReceiverTotals& totals) {
  const uint64_t request_bytes = params.message_bytes;
  const uint64_t transaction_bytes = request_bytes + params.response_size();
  // The server reads with plain recv(): the receive strategy is the client's choice and is not
  // on the wire (METHODOLOGY.md, section 3).
  auto receiver = make_plain_recv(rr_context(request_bytes, -1));
  with_drain_on_error(strategy, fd, [&] {
    for (uint64_t sequence = 0; !abandon.load(std::memory_order_relaxed); ++sequence) {
      const PatternKey key{connection, sequence};
      bool corrupt = false;
      bool more = recv_whole(*receiver, fd, request_bytes, params.verify ? &key : nullptr, corrupt, "request");
      totals.recv_calls = receiver->accounting().calls;
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
