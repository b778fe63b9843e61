// discard: recv(MSG_TRUNC). On a TCP socket the kernel takes the bytes off the receive queue
// and frees them without copying them anywhere (tcp(7), MSG_TRUNC; tcp_recvmsg_locked skips
// its skb_copy_datagram_msg), as iperf's --skip-rx-copy does. What is left to measure is the
// sender and the stack: the receiver's copy is gone. No byte reaches user memory, so --verify
// is refused (spec/params.cpp) and messages are counted from the byte counts.
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <memory>

#include "core/error.h"
#include "strategies/recv/probe_pair.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

// recv(MSG_TRUNC) as the system call itself, also in sanitizer builds: ASan's recv interceptor
// would take the returned count as bytes written into the one-byte sink, which MSG_TRUNC never
// writes.
ssize_t recv_truncating(int fd, char* sink, size_t len) {
  return ::syscall(SYS_recvfrom, static_cast<long>(fd), sink, len, static_cast<long>(MSG_TRUNC), nullptr, nullptr);
}

class DiscardRecv final : public RecvStrategy {
 public:
  explicit DiscardRecv(const RecvContext& c) : read_bytes_(std::max<size_t>(c.read_bytes, 1)) {}

  ssize_t receive(int fd, size_t max_bytes) override {
    // The buffer is never written: one byte stands for the whole length.
    ssize_t n;
    do n = recv_truncating(fd, &sink_, std::min(max_bytes, read_bytes_));
    while (n < 0 && errno == EINTR);
    if (n > 0) ++acct_.calls;
    return n;
  }

  std::span<const iovec> chunks() const override { return {}; }
  bool bytes_in_user_memory() const override { return false; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  size_t read_bytes_;
  char sink_ = 0;
  RecvAccounting acct_;
};

// Sends 4 bytes over loopback and reads them with MSG_TRUNC into a marked byte: the kernel must
// count all 4 and leave the byte alone.
std::string probe_discard() {
  auto pair = loopback_pair();
  if (!pair) return "";
  const char bytes[4] = {'a', 'b', 'c', 'd'};
  if (::send(pair->first.get(), bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) return "";
  char marker = 'x';
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = recv_truncating(pair->second.get(), &marker, sizeof bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "recv(MSG_TRUNC) on TCP: " + (n < 0 ? errno_text(errno) : std::string("no bytes"));
    got += static_cast<size_t>(n);
  }
  if (marker != 'x') return "recv(MSG_TRUNC) on TCP copied the bytes: this kernel does not discard them";
  return "";
}

}  // namespace

std::string discard_recv_unavailable() {
  static const std::string why = probe_discard();
  return why;
}

// The one-byte sink is all the user memory it needs.
size_t discard_recv_bytes(const RecvContext&) { return 1; }

std::unique_ptr<RecvStrategy> make_discard_recv(const RecvContext& context) {
  if (auto why = discard_recv_unavailable(); !why.empty()) throw Error("--recv discard: " + why);
  return std::make_unique<DiscardRecv>(context);
}

}  // namespace copybench
