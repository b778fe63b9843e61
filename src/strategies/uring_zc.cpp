// uring-zc: io_uring IORING_OP_SENDMSG_ZC, the 8-entry iovec of one-copy sent without a copy
// where the device allows it. Each request completes twice: first with the bytes sent (flag
// IORING_CQE_F_MORE: a notification will follow), then with a notification (IORING_CQE_F_NOTIF)
// once the kernel no longer holds the pages. With IORING_SEND_ZC_REPORT_USAGE the
// notification's res carries IORING_NOTIF_USAGE_ZC_COPIED when the kernel copied after all
// (loopback and veth deliver to a local socket, which always copies). A buffer is rewritten
// only after its notification, so messages come from a pool as in zero-copy.
//
// TCP byte order: one request in flight per socket. The next message is submitted only after
// the previous one's first completion, and MSG_WAITALL makes io_uring retry a short send
// itself. Notifications are collected whenever the ring is entered. See io_uring_prep_send_zc(3).
#include <fmt/format.h>
#include <algorithm>
#include <vector>

#include "strategies/send_util.h"
#include "strategies/uring_ring.h"

namespace copybench {
namespace {

constexpr int64_t kCompletionTimeoutNs = 10'000'000'000;

class UringZeroCopy final : public SendStrategy {
 public:
  explicit UringZeroCopy(size_t message_bytes)
      : pool_(zc_pool_messages(message_bytes)), ring_(4, static_cast<unsigned>(2 * kZcPoolMax + 8)) {
    for (auto& slot : pool_) slot.message = std::make_unique<Message>(message_bytes);
    acct_.uring = true;
    acct_.zerocopy = true;
  }

  Message& next_buffer(int fd) override {
    current_ = (current_ + 1) % pool_.size();
    if (pool_[current_].held) {
      ++acct_.zc_buffer_waits;
      wait_until([&] { return !pool_[current_].held; }, fd, "buffer release");
    }
    return *pool_[current_].message;
  }

  void send(int fd, Message& message) override {
    auto& slot = pool_[current_];
    slot.iov = message.iov();  // the request reads these until its first completion
    slot.msg = {};
    slot.msg.msg_iov = slot.iov.data();
    slot.msg.msg_iovlen = kFieldCount;
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_sendmsg_zc(sqe, fd, &slot.msg, MSG_WAITALL | MSG_NOSIGNAL);
    sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE;
    sqe->user_data = current_;
    slot.in_flight = true;
    slot.held = true;
    slot.sent = -1;
    if (!ring_.submit_and_wait(1, kCompletionTimeoutNs))
      fail(fd, "io_uring send timed out: the receiver stopped reading");
    wait_until([&] { return !slot.in_flight; }, fd, "send");
    if (slot.sent == -EINVAL)
      fail(fd, "io_uring: IORING_SEND_ZC_REPORT_USAGE is not supported by this kernel (Linux 6.2 or later)");
    if (slot.sent < 0) {
      ring_.cancel_all(fd);
      account();
      throw_send_error("io_uring sendmsg_zc", -slot.sent);
    }
    if (static_cast<size_t>(slot.sent) != message.size()) {
      ++acct_.partial_sends;
      fail(fd, "io_uring sendmsg_zc completed short despite MSG_WAITALL");
    }
  }

  void drain(int fd) override {
    wait_until([&] { return !holds_buffers(); }, fd, "final notifications");
  }

  bool holds_buffers() const override {
    return std::any_of(pool_.begin(), pool_.end(), [](const Slot& s) { return s.held; });
  }

  void reap_released(int /*fd*/) noexcept override {
    while (io_uring_cqe* cqe = ring_.peek()) {
      record(*cqe);
      ring_.seen(cqe);
    }
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  struct Slot {
    std::unique_ptr<Message> message;
    std::array<iovec, kFieldCount> iov{};
    msghdr msg{};
    bool in_flight = false;  // first completion not yet read
    bool held = false;       // the kernel may still read the pages: no notification yet
    int sent = 0;            // the first completion's res
  };

  [[noreturn]] void fail(int fd, const std::string& why) {
    ring_.cancel_all(fd);
    account();
    throw Error(why);
  }

  void account() {
    acct_.send_calls = ring_.enter_calls();
    acct_.submissions = ring_.submissions();
  }

  // Reads completions until done(), entering the kernel only when none is posted.
  template <typename Done>
  void wait_until(Done done, int fd, const char* what) {
    while (!done()) {
      io_uring_cqe* cqe = ring_.next(kCompletionTimeoutNs);
      if (!cqe) fail(fd, fmt::format("io_uring zero-copy {}: no completion for 10 s", what));
      record(*cqe);
      ring_.seen(cqe);
    }
    account();
  }

  void record(const io_uring_cqe& cqe) {
    if (cqe.user_data >= pool_.size()) return;  // a cancel's own completion
    Slot& slot = pool_[cqe.user_data];
    if (cqe.flags & IORING_CQE_F_NOTIF) {
      slot.held = false;
      ++acct_.zc_notifications;
      ++acct_.zc_completed;  // unlike MSG_ZEROCOPY's ranges, one notification per request
      if (static_cast<uint32_t>(cqe.res) & IORING_NOTIF_USAGE_ZC_COPIED) ++acct_.zc_copied;
      return;
    }
    slot.in_flight = false;
    slot.sent = cqe.res;
    if (cqe.flags & IORING_CQE_F_MORE) ++acct_.zc_sends;  // a notification is owed
    else slot.held = false;                               // failed early: nothing pinned
  }

  std::vector<Slot> pool_;
  size_t current_ = 0;
  UringRing ring_;  // declared after the pool: torn down before the buffers are freed
  SendAccounting acct_;
};

}  // namespace

std::string uring_zc_unavailable() { return uring_missing({{IORING_OP_SENDMSG_ZC, "IORING_OP_SENDMSG_ZC"}}); }

std::unique_ptr<SendStrategy> make_uring_zc(size_t message_bytes) {
  if (auto missing = uring_zc_unavailable(); !missing.empty()) throw Error(missing);
  return std::make_unique<UringZeroCopy>(message_bytes);
}

}  // namespace copybench
