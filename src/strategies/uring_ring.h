#pragma once
// One io_uring per connection's strategy (so one per sending thread), owned RAII, with every
// wait bounded: io_uring sends poll the socket instead of blocking in it, so the socket's
// SO_SNDTIMEO does not apply and the 10 s limit has to be kept here. See io_uring_enter(2).
#include <liburing.h>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

namespace copybench {

// IORING_SEND_ZC_REPORT_USAGE and IORING_NOTIF_USAGE_ZC_COPIED came with Linux 6.2; Debian 12's
// liburing 2.3 header predates them (the values are the kernel's ABI, include/uapi/linux/io_uring.h).
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

/// Empty when this kernel's io_uring supports every opcode in `ops` (probed once with
/// IORING_REGISTER_PROBE), else one line naming the first that is missing or why io_uring
/// itself is unavailable.
std::string uring_missing(std::initializer_list<std::pair<int, const char*>> ops);

class UringRing {
 public:
  /// Throws Error with one line (out of locked memory: RLIMIT_MEMLOCK; io_uring disabled).
  UringRing(unsigned sq_entries, unsigned cq_entries);
  ~UringRing();
  UringRing(const UringRing&) = delete;
  UringRing& operator=(const UringRing&) = delete;

  io_uring* get() { return &ring_; }
  /// Registers `count` buffers once (IORING_REGISTER_BUFFERS: the kernel pins their pages for
  /// the ring's life, charged to RLIMIT_MEMLOCK without CAP_IPC_LOCK). Throws Error with one
  /// line; out of locked memory names the limit and the bytes asked for.
  void register_buffers(const iovec* buffers, unsigned count);
  /// A free submission entry (the rings are sized so that one always is).
  io_uring_sqe* sqe();
  /// Submits what is queued and waits until `wait_nr` completions are posted, at most
  /// `timeout_ns`; one io_uring_enter. Returns false on timeout. Throws Error on failure.
  bool submit_and_wait(unsigned wait_nr, int64_t timeout_ns);
  /// The next posted completion, waiting at most timeout_ns (an io_uring_enter only when none
  /// is posted yet); nullptr on timeout. Mark it with seen() once read.
  io_uring_cqe* next(int64_t timeout_ns);
  /// A completion already posted, or nullptr; never enters the kernel.
  io_uring_cqe* peek();
  void seen(io_uring_cqe* cqe) { io_uring_cqe_seen(&ring_, cqe); }
  /// Cancels every request on `fd` and waits (at most 1 s) for their completions, so no
  /// request can touch a buffer after it is freed. Best effort; never throws.
  /// `on_cqe`, when given, sees every other completion read meanwhile (a strategy's accounting).
  void cancel_all(int fd, const std::function<void(const io_uring_cqe&)>& on_cqe = {}) noexcept;

  uint64_t enter_calls() const { return enter_calls_; }
  uint64_t submissions() const { return submissions_; }

 private:
  io_uring ring_{};
  uint64_t enter_calls_ = 0;  // io_uring_enter system calls made through this object
  uint64_t submissions_ = 0;  // SQEs handed to the kernel
};

}  // namespace copybench
