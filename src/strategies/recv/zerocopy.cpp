// zerocopy-recv: TCP_ZEROCOPY_RECEIVE. The socket is mmap()ed once; each receive asks the
// kernel to map the received payload's pages into that area instead of copying them, and to
// copy into a buffer what it cannot map. See the kernel's tcp_mmap.c selftest and
// Documentation/networking/tcp_mmap (Linux 4.18; the copy buffer since 5.11).
//
// The kernel maps a page only when it is a whole, single (not compound) page of payload at
// offset 0 of its fragment. So segments must carry a page multiple of payload: before
// connecting we set TCP_MAXSEG to the largest page multiple that the path MTU and TCP_MAXSEG's
// own limit (32767) allow, plus the 12 bytes of the TCP timestamp option, which the sender
// subtracts again (as tcp_mmap -M does): 7 pages (28684) on loopback.
// Even then, pages filled by a copying sender come from compound page fragments and do not
// map; on loopback and veth only a MSG_ZEROCOPY sender's pages, copied by the kernel into
// order-0 pages before local delivery, can. Whatever was not mapped is counted as copied.
#include <fmt/format.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <memory>

#include "core/error.h"
#include "net/data_calls.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

constexpr int kWaitMs = 10'000;        // as SO_RCVTIMEO on the data connections
constexpr int kHeaderBytes = 40 + 32;  // IPv6 (the larger) + TCP with the timestamp option
constexpr int kTimestampOptionBytes = 12;
constexpr long kMaxUserMss = 32767;  // TCP_MAXSEG refuses more (MAX_TCP_WINDOW, tcp(7))
// The mapped area: half of a message, at least 128 KiB (what the read size used to give it).
constexpr size_t kMinMapBytes = 256 * 1024;

size_t page_bytes() { return static_cast<size_t>(::sysconf(_SC_PAGESIZE)); }

class ZeroCopyRecv final : public RecvStrategy {
 public:
  explicit ZeroCopyRecv(const RecvContext& c)
      : page_(page_bytes()),
        map_bytes_(std::max(page_, std::max(c.message_bytes, kMinMapBytes) / 2 / page_ * page_)),
        copy_bytes_(std::max<size_t>(c.read_bytes, 1)),  // --recv-size
        copy_(std::make_unique<std::byte[]>(copy_bytes_)),
        path_mtu_(c.path_mtu) {
    acct_.zerocopy = true;
  }

  ~ZeroCopyRecv() override {
    if (area_ != MAP_FAILED) ::munmap(area_, map_bytes_);
  }

  void before_connect(int fd) override {
    long pages = path_mtu_ > kHeaderBytes ? (path_mtu_ - kHeaderBytes) / static_cast<long>(page_) : 0;
    pages = std::min(pages, (kMaxUserMss - kTimestampOptionBytes) / static_cast<long>(page_));
    if (pages < 1) {
      acct_.setup = fmt::format("TCP_MAXSEG left alone: a path MTU of {} B cannot carry a page of payload", path_mtu_);
      return;
    }
    int maxseg = static_cast<int>(pages * static_cast<long>(page_)) + kTimestampOptionBytes;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &maxseg, sizeof maxseg) != 0)
      throw_sys("setsockopt(TCP_MAXSEG)", errno);
    acct_.setup = fmt::format("TCP_MAXSEG {} B: {} pages of payload per segment", maxseg, pages);
  }

  void prepare(int fd) override {
    area_ = ::mmap(nullptr, map_bytes_, PROT_READ, MAP_SHARED, fd, 0);
    if (area_ == MAP_FAILED) throw_sys("mmap of the socket for TCP_ZEROCOPY_RECEIVE", errno);
  }

  ssize_t receive(int fd, size_t max_bytes) override {
    count_ = 0;
    if (max_bytes < 2 * page_) return copy_with_recv(fd, max_bytes);  // too small to map a page
    if (!wait_readable(fd)) return -1;
    tcp_zerocopy_receive zc{};
    zc.address = reinterpret_cast<uintptr_t>(area_);
    zc.length = static_cast<uint32_t>(std::min(map_bytes_, max_bytes / 2 / page_ * page_));
    zc.copybuf_address = reinterpret_cast<uintptr_t>(copy_.get());
    zc.copybuf_len = static_cast<int32_t>(std::min(copy_bytes_, max_bytes - zc.length));
    socklen_t len = sizeof zc;
    ++acct_.calls;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &len) != 0) {
      if (errno == EIO) return copy_with_recv(fd, max_bytes);  // nothing queued and the peer is done: EOF
      return -1;
    }
    if (zc.err != 0) return errno = zc.err < 0 ? -zc.err : zc.err, -1;
    if (zc.length > 0) add(area_, zc.length, acct_.bytes_mapped);
    if (zc.copybuf_len < 0) return errno = -zc.copybuf_len, -1;
    if (zc.copybuf_len > 0) add(copy_.get(), static_cast<size_t>(zc.copybuf_len), acct_.bytes_copied);
    if (count_ == 0) return copy_with_recv(fd, max_bytes);  // e.g. EOF: recv() says so
    return static_cast<ssize_t>(zc.length) + std::max(zc.copybuf_len, 0);
  }

  std::span<const iovec> chunks() const override { return {chunks_, count_}; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  // getsockopt(TCP_ZEROCOPY_RECEIVE) never blocks: wait as a blocking recv() would.
  bool wait_readable(int fd) {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      ++acct_.calls;
      int rc = ::poll(&p, 1, kWaitMs);
      if (rc > 0) return true;
      if (rc == 0) return errno = EAGAIN, false;
      if (errno != EINTR) return false;
    }
  }

  ssize_t copy_with_recv(int fd, size_t max_bytes) {
    ssize_t n;
    do n = data_calls::recv(fd, copy_.get(), std::min(max_bytes, copy_bytes_), 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
      ++acct_.calls;
      add(copy_.get(), static_cast<size_t>(n), acct_.bytes_copied);
    }
    return n;
  }

  void add(void* base, size_t len, uint64_t& counter) {
    chunks_[count_++] = {base, len};
    counter += len;
  }

  size_t page_;
  size_t map_bytes_;   // the mapped area: whole pages
  size_t copy_bytes_;  // the copy buffer: the read size
  std::unique_ptr<std::byte[]> copy_;
  int path_mtu_;
  void* area_ = MAP_FAILED;
  iovec chunks_[2]{};  // the mapped pages first, then the copied bytes that follow them
  size_t count_ = 0;
  RecvAccounting acct_;
};

}  // namespace

// The copy buffer; the mapped pages are the socket's, not ours.
size_t zerocopy_recv_bytes(const RecvContext& context) { return std::max<size_t>(context.read_bytes, 1); }

std::unique_ptr<RecvStrategy> make_zerocopy_recv(const RecvContext& context) {
  return std::make_unique<ZeroCopyRecv>(context);
}

}  // namespace copybench
