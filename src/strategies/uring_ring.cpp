#include "strategies/uring_ring.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <cerrno>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace copybench {
namespace {

__kernel_timespec timespec_of(int64_t ns) {
  if (ns < 0) ns = 0;
  return {ns / 1'000'000'000, ns % 1'000'000'000};
}

std::string memlock_text() {
  rlimit r{};
  if (::getrlimit(RLIMIT_MEMLOCK, &r) != 0) return "unknown";
  return r.rlim_cur == RLIM_INFINITY ? "unlimited" : fmt::format("{} KiB", r.rlim_cur / 1024);
}

// io_uring_setup's failures in the user's terms.
std::string setup_failure(int err) {
  switch (err) {
    case ENOMEM:
      return fmt::format(
          "io_uring_setup: out of locked memory (RLIMIT_MEMLOCK is {}; raise it, e.g. ulimit -l unlimited)",
          memlock_text());
    case EPERM: return "io_uring_setup: not permitted (kernel.io_uring_disabled, or a seccomp filter of the container)";
    case ENOSYS: return "io_uring_setup: this kernel has no io_uring";
    default: return "io_uring_setup: " + errno_text(err);
  }
}

// The kernel's opcode table, read once per process.
struct Probe {
  std::string failure;  // io_uring itself unavailable
  std::vector<bool> supported;
};

const Probe& probe() {
  static const Probe p = [] {
    Probe out;
    io_uring ring{};
    if (int rc = io_uring_queue_init(2, &ring, 0); rc < 0) {
      out.failure = setup_failure(-rc);
      return out;
    }
    if (io_uring_probe* pr = io_uring_get_probe_ring(&ring)) {
      for (int op = 0; op <= pr->last_op; ++op) out.supported.push_back(io_uring_opcode_supported(pr, op));
      io_uring_free_probe(pr);
    } else {
      out.failure = "io_uring: IORING_REGISTER_PROBE failed (kernel before 5.6?)";
    }
    io_uring_queue_exit(&ring);
    return out;
  }();
  return p;
}

}  // namespace

std::string uring_missing(std::initializer_list<std::pair<int, const char*>> ops) {
  const auto& p = probe();
  if (!p.failure.empty()) return p.failure;
  for (const auto& [op, name] : ops)
    if (op < 0 || static_cast<size_t>(op) >= p.supported.size() || !p.supported[op])
      return fmt::format("io_uring: {} is not supported by this kernel", name);
  return "";
}

UringRing::UringRing(unsigned sq_entries, unsigned cq_entries) {
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE;
  params.cq_entries = cq_entries;
  // COOP_TASKRUN (5.19): completions are run when this thread enters the kernel anyway,
  // instead of interrupting it; the sender always waits in io_uring_enter.
  params.flags |= IORING_SETUP_COOP_TASKRUN;
  int rc = io_uring_queue_init_params(sq_entries, &ring_, &params);
  if (rc == -EINVAL) {
    params = {};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = cq_entries;
    rc = io_uring_queue_init_params(sq_entries, &ring_, &params);
  }
  if (rc < 0) throw Error(setup_failure(-rc));
}

UringRing::~UringRing() { io_uring_queue_exit(&ring_); }

void UringRing::register_buffers(const iovec* buffers, unsigned count) {
  int rc = io_uring_register_buffers(&ring_, buffers, count);
  if (rc == 0) return;
  size_t bytes = 0;
  for (unsigned i = 0; i < count; ++i) bytes += buffers[i].iov_len;
  if (rc == -ENOMEM)
    throw Error(
        fmt::format("io_uring_register_buffers: out of locked memory (RLIMIT_MEMLOCK is {}; the {} KiB of "
                    "registered buffers need more; raise it, e.g. ulimit -l unlimited)",
                    memlock_text(), bytes / 1024));
  throw Error(fmt::format("io_uring_register_buffers ({} buffers, {} KiB): {}", count, bytes / 1024, errno_text(-rc)));
}

io_uring_sqe* UringRing::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  if (!s) throw Error("io_uring: submission queue full");
  return s;
}

bool UringRing::submit_and_wait(unsigned wait_nr, int64_t timeout_ns) {
  const int64_t deadline = now_ns() + timeout_ns;
  for (;;) {
    unsigned queued = io_uring_sq_ready(&ring_);
    if (queued == 0 && io_uring_cq_ready(&ring_) >= wait_nr) return true;
    auto ts = timespec_of(deadline - now_ns());
    io_uring_cqe* cqe = nullptr;
    ++enter_calls_;
    int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, wait_nr, &ts, nullptr);
    // rc is not always the number submitted (liburing returns early when a completion was
    // already posted), so count what left the submission queue.
    submissions_ += queued - io_uring_sq_ready(&ring_);
    if (rc < 0 && rc != -ETIME && rc != -EINTR) throw_sys("io_uring_enter", -rc);
    if (io_uring_sq_ready(&ring_) == 0 && io_uring_cq_ready(&ring_) >= wait_nr) return true;
    if (now_ns() >= deadline) return false;
  }
}

io_uring_cqe* UringRing::peek() {
  io_uring_cqe* cqe = nullptr;
  return io_uring_peek_cqe(&ring_, &cqe) == 0 ? cqe : nullptr;
}

io_uring_cqe* UringRing::next(int64_t timeout_ns) {
  if (auto* cqe = peek()) return cqe;
  const int64_t deadline = now_ns() + timeout_ns;
  for (;;) {
    auto ts = timespec_of(deadline - now_ns());
    io_uring_cqe* cqe = nullptr;
    ++enter_calls_;
    int rc = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
    if (rc == 0 && cqe) return cqe;
    if (rc < 0 && rc != -ETIME && rc != -EINTR) throw_sys("io_uring_enter", -rc);
    if (now_ns() >= deadline) return nullptr;
  }
}

void UringRing::cancel_all(int fd, const std::function<void(const io_uring_cqe&)>& on_cqe) noexcept {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  if (!s) return;
  io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
  s->user_data = ~0ull;
  io_uring_submit(&ring_);
  // Every request answers the cancel with a completion; the cancel itself answers too.
  const int64_t deadline = now_ns() + 1'000'000'000;
  while (now_ns() < deadline) {
    auto ts = timespec_of(deadline - now_ns());
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe_timeout(&ring_, &cqe, &ts) != 0 || !cqe) break;
    bool done = cqe->user_data == ~0ull;
    if (!done && on_cqe) on_cqe(*cqe);
    io_uring_cqe_seen(&ring_, cqe);
    if (done && !io_uring_cq_ready(&ring_)) break;
  }
}

}  // namespace copybench
