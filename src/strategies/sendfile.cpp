// sendfile: the 8 fields live back to back in a memfd (shared memory in the page cache, mapped
// MAP_SHARED), and one sendfile() per message hands the kernel that file range. The kernel
// splices references to the page-cache pages into the socket's skbs (do_splice_direct →
// splice_to_socket → tcp_sendmsg_locked with MSG_SPLICE_PAGES): no copy on the sending side.
//
// Reuse hazard. Unlike MSG_ZEROCOPY, sendfile() reports no completion: when it returns, skbs
// in the send queue (and, over loopback or veth, in the receiver's queue) may still point at
// the pages, and rewriting a message there changes bytes already "sent". So messages come from
// a pool rotated through the memfd (a buffer is rewritten as late as possible), and --verify
// reports what reached the receiver: corrupt messages with this strategy are the path's reuse
// hazard, a finding (METHODOLOGY.md, "sendfile and splice: no completion"). See sendfile(2).
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include "strategies/message_arena.h"
#include "strategies/send_util.h"

namespace copybench {
namespace {

class SendFile final : public SendStrategy {
 public:
  explicit SendFile(size_t message_bytes)
      : arena_(message_bytes, zc_pool_messages(message_bytes), 0, MessageArena::Backing::memfd) {}

  Message& next_buffer(int) override {
    current_ = (current_ + 1) % arena_.size();
    return arena_.message(current_);
  }

  void send(int fd, Message& message) override {
    off_t offset = arena_.file_offset(current_);
    size_t left = message.size();
    while (left > 0) {
      ssize_t n = data_calls::sendfile(fd, arena_.memfd(), &offset, left);  // advances offset
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_send_error("sendfile", errno);
      }
      if (n == 0) throw Error("sendfile moved nothing (the message lies past the memfd's end)");
      ++acct_.send_calls;
      if (static_cast<size_t>(n) < left) ++acct_.partial_sends;
      left -= static_cast<size_t>(n);
    }
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  MessageArena arena_;
  size_t current_ = 0;
  SendAccounting acct_;
};

// One page of a memfd through sendfile() into a socket pair: what the strategy relies on.
std::string probe_sendfile() {
  Fd file(::memfd_create("copybench-probe", MFD_CLOEXEC));
  if (!file) return "memfd_create: " + errno_text(errno) + " (Linux 3.17 or later)";
  if (::ftruncate(file.get(), 4096) != 0) return "ftruncate of a memfd: " + errno_text(errno);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return "socketpair: " + errno_text(errno);
  Fd a(sv[0]), b(sv[1]);
  off_t offset = 0;
  if (::sendfile(a.get(), file.get(), &offset, 4096) != 4096)
    return "sendfile from a memfd to a socket: " + errno_text(errno);
  return "";
}

}  // namespace

std::string sendfile_unavailable() {
  static const std::string missing = probe_sendfile();
  return missing;
}

size_t sendfile_buffer_bytes(size_t message_bytes) {
  return MessageArena::bytes(message_bytes, zc_pool_messages(message_bytes), 0);
}

std::unique_ptr<SendStrategy> make_sendfile(size_t message_bytes) {
  if (auto missing = sendfile_unavailable(); !missing.empty()) throw Error(missing);
  return std::make_unique<SendFile>(message_bytes);
}

}  // namespace copybench
