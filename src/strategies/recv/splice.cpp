// splice: splice() the socket's bytes into a pipe, then the pipe into /dev/null. The pages go
// from the socket's receive queue into the pipe by reference (tcp_splice_read, skb_splice_bits)
// and /dev/null releases them (splice_write_null); nothing is copied into user memory. See
// splice(2). Two calls per read (more when /dev/null takes the pipe's bytes in parts); no byte
// reaches user memory, so --verify is refused (spec/params.cpp) and messages are counted from
// the byte counts.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <bit>
#include <cerrno>
#include <memory>

#include "core/error.h"
#include "strategies/recv/probe_pair.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

constexpr size_t kMaxPipeBytes = 1 << 20;  // fs.pipe-max-size's default: what any user may ask

// A pipe and /dev/null, owned; the pipe made as large as the reads (within kMaxPipeBytes).
struct Sink {
  Fd read_end, write_end, null;
  size_t pipe_bytes = 0;

  explicit Sink(size_t wanted_bytes) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("pipe for splice", errno);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    null.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!null) throw_sys("open /dev/null for splice", errno);
    // A refusal (fs.pipe-user-pages-soft used up) keeps the default size, which works too.
    (void)::fcntl(write_end.get(), F_SETPIPE_SZ, static_cast<int>(std::min(wanted_bytes, kMaxPipeBytes)));
    int size = ::fcntl(write_end.get(), F_GETPIPE_SZ);
    if (size <= 0) throw_sys("fcntl(F_GETPIPE_SZ)", errno);
    pipe_bytes = static_cast<size_t>(size);
  }

  // Moves `len` bytes from fd into the pipe (at most; what arrived), then all of them on to
  // /dev/null. Returns what splice(2) returned for the socket; counts each call in `calls`.
  ssize_t splice_through(int fd, size_t len, uint64_t& calls) const {
    ssize_t n;
    do n = ::splice(fd, nullptr, write_end.get(), nullptr, len, SPLICE_F_MOVE);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    ++calls;
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      ssize_t m = ::splice(read_end.get(), nullptr, null.get(), nullptr, left, SPLICE_F_MOVE);
      if (m < 0 && errno == EINTR) continue;
      if (m <= 0) return errno = m == 0 ? EIO : errno, -1;
      ++calls;
      left -= static_cast<size_t>(m);
    }
    return n;
  }
};

class SpliceRecv final : public RecvStrategy {
 public:
  explicit SpliceRecv(const RecvContext& c) : read_bytes_(std::max<size_t>(c.read_bytes, 1)), sink_(read_bytes_) {}

  ssize_t receive(int fd, size_t max_bytes) override {
    return sink_.splice_through(fd, std::min({max_bytes, read_bytes_, sink_.pipe_bytes}), acct_.calls);
  }

  std::span<const iovec> chunks() const override { return {}; }
  bool bytes_in_user_memory() const override { return false; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  size_t read_bytes_;
  Sink sink_;
  RecvAccounting acct_;
};

// 4 bytes over loopback, spliced through a pipe into /dev/null.
std::string probe_splice() {
  auto pair = loopback_pair();
  if (!pair) return "";
  try {
    Sink sink(4096);
    const char bytes[4] = {'a', 'b', 'c', 'd'};
    if (::send(pair->first.get(), bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) return "";
    uint64_t calls = 0;
    for (size_t got = 0; got < sizeof bytes;) {
      ssize_t n = sink.splice_through(pair->second.get(), sizeof bytes - got, calls);
      if (n <= 0)
        return "splice() from a TCP socket to /dev/null: " + (n < 0 ? errno_text(errno) : std::string("no bytes"));
      got += static_cast<size_t>(n);
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

std::string splice_recv_unavailable() {
  static const std::string why = probe_splice();
  return why;
}

// The pipe's pages (kernel memory, but the server's to budget): the read size within
// kMaxPipeBytes, at least one page, as the kernel rounds F_SETPIPE_SZ up to a power of two pages.
size_t splice_recv_bytes(const RecvContext& context) {
  return std::bit_ceil(std::clamp<size_t>(context.read_bytes, 4096, kMaxPipeBytes));
}

std::unique_ptr<RecvStrategy> make_splice_recv(const RecvContext& context) {
  if (auto why = splice_recv_unavailable(); !why.empty()) throw Error("--recv splice: " + why);
  return std::make_unique<SpliceRecv>(context);
}

}  // namespace copybench
