// scatter: recvmsg() straight into the fields of messages laid out as the sender's are (8
// separate buffers per message, field lengths as core/message.h splits them), so each byte
// lands in its field with no copy in user space. One call asks for at most the read size
// (--recv-size) and covers as many whole messages as fit in it, at most IOV_MAX / 8 of them; a
// call that ends inside a message continues there.
#include <sys/socket.h>
#include <algorithm>
#include <cerrno>
#include <climits>

#include "core/message.h"
#include "net/data_calls.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

constexpr size_t kMaxMessagesPerCall = IOV_MAX / kFieldCount;

size_t messages_per_call(const RecvContext& c) {
  return std::clamp<size_t>(c.read_bytes / std::max<size_t>(c.message_bytes, 1), 1, kMaxMessagesPerCall);
}

class ScatterRecv final : public RecvStrategy {
 public:
  explicit ScatterRecv(const RecvContext& c) : read_bytes_(std::max<size_t>(c.read_bytes, 1)) {
    size_t count = messages_per_call(c);
    for (size_t m = 0; m < count; ++m) {
      messages_.push_back(std::make_unique<Message>(c.message_bytes));
      for (int i = 0; i < kFieldCount; ++i)
        if (messages_.back()->field_length(i) > 0) layout_.push_back(messages_.back()->iov()[i]);
    }
    iov_.reserve(layout_.size());
    chunks_.reserve(layout_.size());
  }

  ssize_t receive(int fd, size_t max_bytes) override {
    build_iov(std::min(max_bytes, read_bytes_));
    msghdr msg{};
    msg.msg_iov = iov_.data();
    msg.msg_iovlen = iov_.size();
    ssize_t n;
    do n = data_calls::recvmsg(fd, &msg, 0);
    while (n < 0 && errno == EINTR);
    chunks_.clear();
    if (n <= 0) return n;
    ++acct_.calls;
    size_t left = static_cast<size_t>(n);
    for (size_t k = 0; left > 0; ++k) {
      size_t take = std::min(left, iov_[k].iov_len);
      chunks_.push_back({iov_[k].iov_base, take});
      left -= take;
    }
    advance(static_cast<size_t>(n));
    return n;
  }

  std::span<const iovec> chunks() const override { return chunks_; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  // The fields from the current position to the end of the layout, at most max_bytes.
  void build_iov(size_t max_bytes) {
    iov_.clear();
    for (size_t k = entry_; k < layout_.size() && max_bytes > 0; ++k) {
      iovec v = layout_[k];
      if (k == entry_) v = {static_cast<std::byte*>(v.iov_base) + offset_, v.iov_len - offset_};
      v.iov_len = std::min(v.iov_len, max_bytes);
      max_bytes -= v.iov_len;
      iov_.push_back(v);
    }
  }

  void advance(size_t n) {
    n += offset_;
    while (n > 0 && n >= layout_[entry_].iov_len) {
      n -= layout_[entry_].iov_len;
      entry_ = (entry_ + 1) % layout_.size();
    }
    offset_ = n;
  }

  size_t read_bytes_;
  std::vector<std::unique_ptr<Message>> messages_;
  std::vector<iovec> layout_;  // every non-empty field of every message, in stream order
  size_t entry_ = 0;           // the layout entry the next byte goes to
  size_t offset_ = 0;          // and where in it
  std::vector<iovec> iov_;     // reserved once: the hot loop does not allocate
  std::vector<iovec> chunks_;
  RecvAccounting acct_;
};

}  // namespace

size_t scatter_recv_bytes(const RecvContext& context) {
  return messages_per_call(context) * Message::heap_bytes(context.message_bytes);
}

std::unique_ptr<RecvStrategy> make_scatter_recv(const RecvContext& context) {
  return std::make_unique<ScatterRecv>(context);
}

}  // namespace copybench
