#include "run/rr.h"

#include <cerrno>
#include <fmt/format.h>
#include <memory>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"

namespace copybench {
namespace {

// Reads exactly `len` bytes with plain blocking recv() calls (no poll: a transaction's latency
// is what is measured; the socket's SO_RCVTIMEO bounds each wait). Returns false on EOF before
// the first byte; throws on EOF inside, a timeout or an error.
bool recv_whole(int fd, std::byte* buf, size_t len, uint64_t& recv_calls, const char* what) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = ::recv(fd, buf + got, len - got, 0);
    if (n > 0) {
      ++recv_calls;
      got += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got == 0) return false;
      throw Error(fmt::format("the peer closed the connection inside a {}", what));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) throw Error(fmt::format("no {} for 10 s", what));
    throw_sys(fmt::format("recv {}", what), errno);
  }
  return true;
}

// Drains (bounded) before rethrowing: no buffer may be freed while the kernel holds it.
template <typename F>
void with_drain_on_error(SendStrategy& strategy, int fd, F body) {
  try {
    body();
  } catch (const Error&) {
    try {
      strategy.drain(fd);
    } catch (const Error&) {
      // The first failure is the one worth reporting.
    }
    throw;
  }
  strategy.drain(fd);
}

}  // namespace

ReceiverTotals run_requester(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                             StreamCounters& counters, const std::atomic<bool>& stop, LatencyHistogram* histogram,
                             const std::atomic<bool>& recording) {
  ReceiverTotals totals;
  const uint64_t response_bytes = params.response_size();
  const uint64_t transaction_bytes = params.message_bytes + response_bytes;
  auto response = std::make_unique<std::byte[]>(response_bytes);
  try {
    with_drain_on_error(strategy, fd, [&] {
      for (uint64_t sequence = 0; !stop.load(std::memory_order_relaxed); ++sequence) {
        Message& request = strategy.next_buffer(fd);
        if (params.verify) request.fill({connection, sequence});
        const int64_t t_send = now_ns();
        strategy.send(fd, request);
        if (!recv_whole(fd, response.get(), response_bytes, totals.recv_calls, "response"))
          throw Error("the responder closed the connection mid-run");
        const int64_t t_done = now_ns();
        if (histogram && recording.load(std::memory_order_relaxed)) histogram->record(static_cast<uint64_t>(t_done - t_send));
        if (params.verify) {
          ++totals.messages_checked;
          if (!check_pattern({connection, sequence}, 0, response.get(), response_bytes)) ++totals.corrupt_messages;
        }
        counters.add(transaction_bytes, 1);
      }
    });
    ::shutdown(fd, SHUT_WR);
    // The responder answers the half-close with its own once it has drained.
    if (recv_whole(fd, response.get(), 1, totals.recv_calls, "end of the test"))
      throw Error("the responder sent bytes after the last transaction");
  } catch (const std::exception& e) {
    totals.error = e.what();
  }
  return totals;
}

void run_responder(int fd, SendStrategy& strategy, const TestParams& params, uint32_t connection,
                   StreamCounters& counters, const std::atomic<bool>& abandon, ReceiverTotals& totals) {
  const uint64_t request_bytes = params.message_bytes;
  const uint64_t transaction_bytes = request_bytes + params.response_size();
  auto request = std::make_unique<std::byte[]>(request_bytes);
  with_drain_on_error(strategy, fd, [&] {
    for (uint64_t sequence = 0; !abandon.load(std::memory_order_relaxed); ++sequence) {
      if (!recv_whole(fd, request.get(), request_bytes, totals.recv_calls, "request")) break;  // requester done
      if (params.verify) {
        ++totals.messages_checked;
        if (!check_pattern({connection, sequence}, 0, request.get(), request_bytes)) ++totals.corrupt_messages;
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
