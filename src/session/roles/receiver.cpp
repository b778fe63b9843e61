#include "session/roles/receiver.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "core/error.h"
#include "core/message.h"

namespace copybench {
namespace {

// Tracks message boundaries across reads and, with verify, checks each range as it arrives.
class MessageCursor {
 public:
  MessageCursor(uint64_t message_bytes, uint32_t connection, bool verify)
      : size_(message_bytes), connection_(connection), verify_(verify) {}

  /// Consumes `len` received bytes; returns how many messages completed.
  uint64_t consume(const std::byte* data, size_t len, ConnectionTotals& totals) {
    uint64_t completed = 0;
    while (len > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(len, size_ - offset_));
      if (verify_ && !corrupt_ && !check_pattern({connection_, sequence_}, offset_, data, take)) corrupt_ = true;
      offset_ += take;
      data += take;
      len -= take;
      if (offset_ == size_) {
        if (verify_) {
          ++totals.messages_checked;
          if (corrupt_) ++totals.corrupt_messages;
        }
        corrupt_ = false;
        offset_ = 0;
        ++sequence_;
        ++completed;
      }
    }
    return completed;
  }

  /// Counts `len` received bytes that never reached user memory (discard, splice: nothing to
  /// check); returns how many messages completed.
  uint64_t count(uint64_t len) {
    const uint64_t through = offset_ + len;
    sequence_ += through / size_;
    offset_ = through % size_;
    return through / size_;
  }

  uint64_t partial_bytes() const { return offset_; }

 private:
  uint64_t size_;
  uint32_t connection_;
  bool verify_;
  uint64_t sequence_ = 0;
  uint64_t offset_ = 0;
  bool corrupt_ = false;
};

}  // namespace

ConnectionTotals run_receiver(int fd, RecvStrategy& strategy, const TestParams& params, uint32_t connection,
                              StreamCounters& counters, const std::atomic<bool>& stop_sent) {
  ConnectionTotals totals;
  MessageCursor cursor(params.message_bytes, connection, params.verify);
  for (;;) {
    ssize_t n = strategy.receive(fd, SIZE_MAX);  // as much as the strategy reads at once
    if (n > 0) {
      uint64_t completed = 0;
      if (!strategy.bytes_in_user_memory()) completed = cursor.count(static_cast<uint64_t>(n));
      for (const iovec& chunk : strategy.chunks())
        completed += cursor.consume(static_cast<const std::byte*>(chunk.iov_base), chunk.iov_len, totals);
      counters.add(static_cast<uint64_t>(n), completed);
      continue;
    }
    if (n == 0) {
      if (!stop_sent.load(std::memory_order_acquire)) totals.error = "the sender closed the connection mid-run";
      break;
    }
    totals.error = errno == EAGAIN ? "no data from the sender for 10 s" : "receive: " + errno_text(errno);
    break;
  }
  totals.recv_calls = strategy.accounting().calls;
  if (strategy.accounting().uring) totals.submissions = strategy.accounting().submissions;
  totals.trailing_bytes = cursor.partial_bytes();
  return totals;
}

}  // namespace copybench
