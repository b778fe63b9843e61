// pack: the copy that two-copy never makes. The 8 fields are copied (memcpy) into one
// contiguous buffer in user space, which then goes out with one send(): a user-space copy plus
// the kernel's copy into socket buffers, measured next to one-copy's gather by the kernel.
#include <cstring>
#include <memory>

#include "strategies/send_util.h"

namespace copybench {
namespace {

class Pack final : public SendStrategy {
 public:
  explicit Pack(size_t message_bytes)
      : message_(message_bytes), packed_(std::make_unique<std::byte[]>(std::max<size_t>(message_bytes, 1))) {}
  Message& next_buffer(int) override { return message_; }

  void send(int fd, Message& message) override {
    std::byte* out = packed_.get();
    for (int i = 0; i < kFieldCount; ++i) {
      std::memcpy(out, message.field(i), message.field_length(i));
      out += message.field_length(i);
    }
    send_whole(fd, packed_.get(), message.size(), acct_);
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  Message message_;
  std::unique_ptr<std::byte[]> packed_;  // allocated (zeroed) with the connection, like the fields
  SendAccounting acct_;
};

}  // namespace

size_t pack_buffer_bytes(size_t message_bytes) {
  return Message::heap_bytes(message_bytes) + std::max<size_t>(message_bytes, 1);
}

std::unique_ptr<SendStrategy> make_pack(size_t message_bytes) { return std::make_unique<Pack>(message_bytes); }

}  // namespace copybench
