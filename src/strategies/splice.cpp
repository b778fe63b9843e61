// splice: vmsplice() maps the 8 fields' pages into a pipe (references, no copy; no
// SPLICE_F_GIFT, so the pages stay ours), then splice() moves those references from the pipe
// into the socket (splice_to_socket → tcp_sendmsg_locked with MSG_SPLICE_PAGES), until the
// whole message went. A message larger than the pipe goes in several rounds.
//
// Reuse hazard, as with sendfile: nothing says when the kernel has let go of the pages (the
// skbs in the send queue, and over loopback or veth in the receiver's queue, still point at
// them), so a rewritten buffer can change bytes in flight. Messages come from a pool, rewritten
// as late as possible, and --verify reports corrupt messages as the path's finding
// (METHODOLOGY.md, "sendfile and splice: no completion"). The fields are placed apart in one
// anonymous mapping rather than on the heap, so that what the kernel still references after the
// test keeps its bytes instead of being handed out again by malloc. See vmsplice(2), splice(2).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <fstream>

#include "strategies/message_arena.h"
#include "strategies/send_util.h"

namespace copybench {
namespace {

constexpr size_t kFieldGap = 16;  // a malloc chunk's header between fields

size_t pipe_max_bytes() {
  std::ifstream in("/proc/sys/fs/pipe-max-size");
  size_t v = 0;
  return in >> v && v > 0 ? v : 1u << 20;
}

// A pipe holds one page reference per slot, and each field may start and end mid-page: room for
// a whole message where fs.pipe-max-size allows, else the message goes in rounds.
size_t pipe_bytes_for(size_t message_bytes) {
  size_t slots = message_bytes / 4096 + 2 * kFieldCount + 1;
  return std::clamp<size_t>(slots * 4096, 64 * 1024, pipe_max_bytes());
}

class Splice final : public SendStrategy {
 public:
  explicit Splice(size_t message_bytes)
      : arena_(message_bytes, zc_pool_messages(message_bytes), kFieldGap, MessageArena::Backing::anonymous) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("pipe2", errno);
    read_end_.reset(fds[0]);
    write_end_.reset(fds[1]);
    // Best effort: a user over fs.pipe-user-pages-soft keeps the default 64 KiB (more rounds).
    ::fcntl(write_end_.get(), F_SETPIPE_SZ, static_cast<int>(pipe_bytes_for(message_bytes)));
  }

  Message& next_buffer(int) override {
    current_ = (current_ + 1) % arena_.size();
    return arena_.message(current_);
  }

  void send(int fd, Message& message) override {
    auto iov = message.iov();  // a copy: partial vmsplices advance it
    int first = 0;
    size_t left = message.size();
    while (left > 0) {
      // The pipe is empty here, so vmsplice does not block: it takes what fits and returns.
      size_t in_pipe = gather(iov.data(), &first, left);
      while (in_pipe > 0) {
        // SPLICE_F_MORE while more of this message follows, as one sendmsg() of it would push
        // only at its end.
        unsigned flags = left > in_pipe ? SPLICE_F_MORE : 0;
        ssize_t n = data_calls::splice(read_end_.get(), nullptr, fd, nullptr, in_pipe, flags);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw_send_error("splice", errno);
        }
        if (n == 0) throw Error("splice into the socket moved nothing");
        ++acct_.send_calls;
        if (static_cast<size_t>(n) < in_pipe) ++acct_.partial_sends;
        in_pipe -= static_cast<size_t>(n);
        left -= static_cast<size_t>(n);
      }
    }
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  // vmsplice()s what fits of iov[*first..] into the empty pipe; returns the bytes it took.
  size_t gather(iovec* iov, int* first, size_t left) {
    for (;;) {
      ssize_t n = data_calls::vmsplice(write_end_.get(), iov + *first, static_cast<size_t>(kFieldCount - *first), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_sys("vmsplice", errno);
      }
      if (n == 0) throw Error("vmsplice into an empty pipe took nothing");
      ++acct_.send_calls;
      if (static_cast<size_t>(n) < left) ++acct_.partial_sends;
      advance_iov(iov, kFieldCount, first, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
  }

  MessageArena arena_;
  Fd read_end_, write_end_;
  size_t current_ = 0;
  SendAccounting acct_;
};

// A page through vmsplice and splice into a socket pair: what the strategy relies on.
std::string probe_splice() {
  int p[2], sv[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "pipe2: " + errno_text(errno);
  Fd r(p[0]), w(p[1]);
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return "socketpair: " + errno_text(errno);
  Fd a(sv[0]), b(sv[1]);
  static char page[4096];
  iovec iov{page, sizeof page};
  if (::vmsplice(w.get(), &iov, 1, 0) != static_cast<ssize_t>(sizeof page)) return "vmsplice: " + errno_text(errno);
  if (::splice(r.get(), nullptr, a.get(), nullptr, sizeof page, 0) != static_cast<ssize_t>(sizeof page))
    return "splice from a pipe to a socket: " + errno_text(errno);
  return "";
}

}  // namespace

std::string splice_unavailable() {
  static const std::string missing = probe_splice();
  return missing;
}

size_t splice_buffer_bytes(size_t message_bytes) {
  return MessageArena::bytes(message_bytes, zc_pool_messages(message_bytes), kFieldGap);
}

std::unique_ptr<SendStrategy> make_splice(size_t message_bytes) {
  if (auto missing = splice_unavailable(); !missing.empty()) throw Error(missing);
  return std::make_unique<Splice>(message_bytes);
}

}  // namespace copybench
