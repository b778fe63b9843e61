// uring: one io_uring multishot receive (IORING_OP_RECV with IORING_RECV_MULTISHOT, Linux 6.0)
// drawing on a provided buffer ring (IORING_REGISTER_PBUF_RING, 5.19). One submission keeps
// receiving: each completion names the buffer the kernel filled (IORING_CQE_F_BUFFER) and says
// with IORING_CQE_F_MORE whether the request goes on; one without it (every buffer full:
// -ENOBUFS, or the completion queue overflowed) is armed again. The kernel still copies into
// the buffers, so --verify checks every byte; a buffer goes back to the ring once its bytes
// have been handed over. io_uring does not wait in the socket, so SO_RCVTIMEO does not apply:
// each wait is bounded here (10 s, as the socket's). See io_uring_setup_buf_ring(3) and
// io_uring_prep_recv_multishot(3); Debian 12's liburing 2.3 has no io_uring_setup_buf_ring,
// so the ring is mapped and registered here.
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <algorithm>
#include <bit>
#include <cerrno>
#include <memory>

#include "core/clock.h"
#include "core/error.h"
#include "strategies/recv/probe_pair.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/uring_ring.h"

namespace copybench {
namespace {

constexpr int64_t kWaitNs = 10'000'000'000;  // as SO_RCVTIMEO on the data connections
constexpr uint16_t kGroup = 0;               // the buffer group: one per ring
constexpr uint64_t kRecvTag = 1, kCancelTag = 2;
constexpr size_t kRingBytes = 16 << 20;  // the buffers of one connection, about
constexpr unsigned kMinBuffers = 4, kMaxBuffers = 64;

// Buffers of `buffer_bytes` in one connection's ring: as many as fit in about kRingBytes, a power
// of two (the ring's mask) from kMinBuffers to kMaxBuffers.
unsigned buffer_count(size_t buffer_bytes) {
  return static_cast<unsigned>(std::bit_floor(std::clamp<size_t>(kRingBytes / buffer_bytes, kMinBuffers, kMaxBuffers)));
}

// The provided buffer ring and its buffers, registered with `ring`; RAII.
class BufferRing {
 public:
  BufferRing(io_uring* ring, unsigned count, size_t buffer_bytes)
      : ring_(ring),
        count_(count),
        buffer_bytes_(buffer_bytes),
        map_bytes_(std::max<size_t>(count * sizeof(io_uring_buf), 4096)),
        buffers_(std::make_unique<std::byte[]>(count * buffer_bytes)) {
    void* map = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) throw_sys("mmap of the io_uring buffer ring", errno);
    ring_buffers_ = static_cast<io_uring_buf_ring*>(map);
    io_uring_buf_ring_init(ring_buffers_);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uintptr_t>(ring_buffers_);
    reg.ring_entries = count;
    reg.bgid = kGroup;
    if (int rc = io_uring_register_buf_ring(ring_, &reg, 0); rc < 0) {
      ::munmap(ring_buffers_, map_bytes_);
      throw Error(
          fmt::format("io_uring_register_buf_ring: {} (provided buffer rings need Linux 5.19)", errno_text(-rc)));
    }
    for (unsigned id = 0; id < count; ++id)
      io_uring_buf_ring_add(ring_buffers_, buffer(id), static_cast<unsigned>(buffer_bytes_),
                            static_cast<unsigned short>(id), io_uring_buf_ring_mask(count), static_cast<int>(id));
    io_uring_buf_ring_advance(ring_buffers_, static_cast<int>(count));
  }
  ~BufferRing() {
    io_uring_unregister_buf_ring(ring_, kGroup);
    ::munmap(ring_buffers_, map_bytes_);
  }
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  std::byte* buffer(unsigned id) const { return buffers_.get() + id * buffer_bytes_; }
  /// Hands buffer `id` back to the kernel.
  void recycle(unsigned id) {
    io_uring_buf_ring_add(ring_buffers_, buffer(id), static_cast<unsigned>(buffer_bytes_),
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(count_), 0);
    io_uring_buf_ring_advance(ring_buffers_, 1);
  }
  unsigned count() const { return count_; }

 private:
  io_uring* ring_;
  unsigned count_;  // a power of two
  size_t buffer_bytes_;
  size_t map_bytes_;
  std::unique_ptr<std::byte[]> buffers_;
  io_uring_buf_ring* ring_buffers_ = nullptr;
};

// A multishot receive on one socket: arms it, reads its completions, cancels it at the end.
class Multishot {
 public:
  Multishot(unsigned buffers, size_t buffer_bytes)
      : ring_(4, 2 * buffers), buffers_(ring_.get(), buffers, buffer_bytes) {}
  ~Multishot() { cancel(); }
  Multishot(const Multishot&) = delete;
  Multishot& operator=(const Multishot&) = delete;

  struct Completion {
    int res = 0;      // bytes, 0 at EOF, -errno
    int buffer = -1;  // the buffer holding the bytes (res > 0)
    bool timed_out = false;
  };

  /// The next completion of the receive on fd, arming it first when it is not running;
  /// -ENOBUFS (every buffer in use) comes back as itself.
  Completion next(int fd) {
    if (!armed_) arm(fd);
    io_uring_cqe* cqe = ring_.peek();
    if (!cqe && io_uring_sq_ready(ring_.get()) > 0) {
      if (ring_.submit_and_wait(1, kWaitNs)) cqe = ring_.peek();
    } else if (!cqe) {
      cqe = ring_.next(kWaitNs);
    }
    if (!cqe) return {0, -1, true};
    Completion c{cqe->res, -1, false};
    const unsigned flags = cqe->flags;
    const bool ours = cqe->user_data == kRecvTag;
    ring_.seen(cqe);
    if (!ours) return next(fd);  // nothing else is submitted on this ring while it runs
    if (!(flags & IORING_CQE_F_MORE)) armed_ = false;
    if (flags & IORING_CQE_F_BUFFER) {
      c.buffer = static_cast<int>(flags >> IORING_CQE_BUFFER_SHIFT);
      if (c.res <= 0) recycle(c.buffer), c.buffer = -1;  // an EOF or error that took a buffer gives it back
    }
    if (c.res > 0 && c.buffer < 0) c.res = -EIO;  // bytes without a buffer: not the kernel's contract
    return c;
  }

  std::byte* buffer(int id) const { return buffers_.buffer(static_cast<unsigned>(id)); }
  void recycle(int id) { buffers_.recycle(static_cast<unsigned>(id)); }
  const UringRing& ring() const { return ring_; }

 private:
  void arm(int fd) {
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = kGroup;
    s->user_data = kRecvTag;
    armed_ = true;
  }

  // Stops the receive and waits (at most 1 s) for its last completion, so the kernel writes
  // into no buffer once they are freed.
  void cancel() noexcept {
    if (!armed_) return;
    if (io_uring_sq_ready(ring_.get()) > 0) {  // armed, never submitted
      io_uring_submit(ring_.get());
    }
    io_uring_sqe* s = io_uring_get_sqe(ring_.get());
    if (!s) return;
    io_uring_prep_cancel64(s, kRecvTag, 0);
    s->user_data = kCancelTag;
    io_uring_submit(ring_.get());
    const int64_t deadline = now_ns() + 1'000'000'000;
    while (armed_ && now_ns() < deadline) {
      __kernel_timespec ts{0, 100'000'000};
      io_uring_cqe* cqe = nullptr;
      if (io_uring_wait_cqe_timeout(ring_.get(), &cqe, &ts) != 0 || !cqe) continue;
      if (cqe->user_data == kRecvTag && !(cqe->flags & IORING_CQE_F_MORE)) armed_ = false;
      io_uring_cqe_seen(ring_.get(), cqe);
    }
  }

  UringRing ring_;  // destroyed after the buffer ring is unregistered
  BufferRing buffers_;
  bool armed_ = false;  // the receive is queued or running (its last completion not yet read)
};

class UringRecv final : public RecvStrategy {
 public:
  // Buffers of the read size (--recv-size), as many as fit in about 16 MiB, 4 to 64.
  explicit UringRecv(const RecvContext& c)
      : buffer_bytes_(std::max<size_t>(c.read_bytes, 1)), shot_(buffer_count(buffer_bytes_), buffer_bytes_) {
    acct_.uring = true;
  }

  ssize_t receive(int fd, size_t max_bytes) override {
    chunk_ = {};
    if (left_ == 0) {
      if (held_ >= 0) shot_.recycle(held_), held_ = -1;  // its bytes were handed over at the last call
      for (;;) {
        auto c = shot_.next(fd);
        account();
        if (c.timed_out) return errno = EAGAIN, -1;
        if (c.res == -ENOBUFS) continue;  // every buffer was full; they are back now: armed again
        if (c.res < 0) return errno = -c.res, -1;
        if (c.res == 0) return 0;  // EOF
        held_ = c.buffer, at_ = 0, left_ = static_cast<size_t>(c.res);
        break;
      }
    }
    // A completion can hold more than the caller asked for (rr reads one response): the rest
    // is handed over at the next calls.
    size_t take = std::min(left_, max_bytes);
    chunk_ = {shot_.buffer(held_) + at_, take};
    at_ += take;
    left_ -= take;
    return static_cast<ssize_t>(take);
  }

  std::span<const iovec> chunks() const override { return {&chunk_, chunk_.iov_len ? 1u : 0u}; }
  const RecvAccounting& accounting() const override { return acct_; }

 private:
  void account() {
    acct_.calls = shot_.ring().enter_calls();
    acct_.submissions = shot_.ring().submissions();
  }

  size_t buffer_bytes_;
  Multishot shot_;
  int held_ = -1;    // the buffer whose bytes are being handed over
  size_t at_ = 0;    // where in it
  size_t left_ = 0;  // and how many are left
  iovec chunk_{};
  RecvAccounting acct_;
};

// The opcode, then a multishot receive of 4 bytes over loopback: it must complete with the
// bytes in a provided buffer and go on (IORING_CQE_F_MORE).
std::string probe_uring_recv() {
  if (auto missing = uring_missing({{IORING_OP_RECV, "IORING_OP_RECV"}}); !missing.empty()) return missing;
  auto pair = loopback_pair();
  if (!pair) return "";
  try {
    Multishot shot(kMinBuffers, 4096);
    const char bytes[4] = {'a', 'b', 'c', 'd'};
    if (::send(pair->first.get(), bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) return "";
    auto c = shot.next(pair->second.get());
    if (c.timed_out) return "io_uring multishot receive: no completion within 10 s";
    if (c.res == -EINVAL) return "io_uring: IORING_RECV_MULTISHOT is not supported by this kernel (Linux 6.0)";
    if (c.res < 0) return "io_uring multishot receive: " + errno_text(-c.res);
    if (c.res == 0 || c.buffer < 0) return "io_uring multishot receive: no bytes in a provided buffer";
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

std::string uring_recv_unavailable() {
  static const std::string why = probe_uring_recv();
  return why;
}

size_t uring_recv_bytes(const RecvContext& context) {
  size_t buffer_bytes = std::max<size_t>(context.read_bytes, 1);
  return buffer_count(buffer_bytes) * buffer_bytes;
}

std::unique_ptr<RecvStrategy> make_uring_recv(const RecvContext& context) {
  if (auto why = uring_recv_unavailable(); !why.empty()) throw Error("--recv uring: " + why);
  return std::make_unique<UringRecv>(context);
}

}  // namespace copybench
