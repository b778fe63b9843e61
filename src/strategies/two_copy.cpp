// two-copy (the study's A1): one send() per field, 8 system calls per message.
#include <fmt/format.h>

#include "strategies/send_util.h"

namespace copybench {
namespace {

class TwoCopy final : public SendStrategy {
 public:
  explicit TwoCopy(size_t message_bytes) : message_(message_bytes) {}
  Message& next_buffer(int) override { return message_; }

  void send(int fd, Message& message) override {
    for (int i = 0; i < kFieldCount; ++i) send_whole(fd, message.field(i), message.field_length(i), acct_);
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  Message message_;
  SendAccounting acct_;
};

}  // namespace

std::unique_ptr<SendStrategy> make_two_copy(size_t message_bytes) { return std::make_unique<TwoCopy>(message_bytes); }

}  // namespace copybench
