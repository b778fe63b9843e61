// recv (the default): recv() into one contiguous buffer, as large as the biggest read.
#include <sys/socket.h>
#include <cerrno>
#include <memory>

#include "net/data_calls.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

class PlainRecv final : public RecvStrategy {
 public:
  explicit PlainRecv(const RecvContext& c)
      : capacity_(std::max<size_t>(c.read_bytes, 1)), buffer_(std::make_unique<std::byte[]>(capacity_)) {}

  ssize_t receive(int fd, size_t max_bytes) override {
    ssize_t n;
    do n = data_calls::recv(fd, buffer_.get(), std::min(max_bytes, capacity_), 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) ++acct_.calls;
    chunk_ = {buffer_.get(), n > 0 ? static_cast<size_t>(n) : 0};
    return n;
  }

  std::span<const iovec> chunks() const override { return {&chunk_, chunk_.iov_len ? 1u : 0u}; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  size_t capacity_;
  std::unique_ptr<std::byte[]> buffer_;  // value-initialised: its pages are touched before the test
  iovec chunk_{};
  RecvAccounting acct_;
};

}  // namespace

std::unique_ptr<RecvStrategy> make_plain_recv(const RecvContext& context) {
  return std::make_unique<PlainRecv>(context);
}

}  // namespace copybench
