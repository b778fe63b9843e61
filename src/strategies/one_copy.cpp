// one-copy (the study's A2): one sendmsg() whose iovec points at the 8 fields; the kernel
// gathers them in a single copy into socket buffers.
#include <fmt/format.h>

#include "strategies/send_util.h"

namespace copybench {
namespace {

class OneCopy final : public SendStrategy {
 public:
  explicit OneCopy(size_t message_bytes) : message_(message_bytes) {}
  Message& next_buffer(int) override { return message_; }

  void send(int fd, Message& message) override {
    auto iov = message.iov();  // a copy: partial sends advance it
    sendmsg_all(
        fd, iov.data(), kFieldCount, message.size(), 0, acct_, [] {}, [](int) { return false; });
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  Message message_;
  SendAccounting acct_;
};

}  // namespace

std::unique_ptr<SendStrategy> make_one_copy(size_t message_bytes) { return std::make_unique<OneCopy>(message_bytes); }

}  // namespace copybench
