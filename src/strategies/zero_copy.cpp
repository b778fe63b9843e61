// zero-copy (the study's A3): sendmsg(MSG_ZEROCOPY) after SO_ZEROCOPY. The kernel pins the
// pages instead of copying them and reports on the socket error queue when it is done with
// them; until then a buffer must not be rewritten, so messages come from a pool. Where the
// kernel had to copy after all (loopback and veth deliver to a local socket, which always
// copies), the notification carries SO_EE_CODE_ZEROCOPY_COPIED. See msg_zerocopy.rst.
#include <fmt/format.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/clock.h"
#include "strategies/send_util.h"
#include "strategies/zc_tracker.h"

namespace copybench {
namespace {

constexpr int64_t kCompletionTimeoutNs = 10'000'000'000;

class ZeroCopy final : public SendStrategy {
 public:
  explicit ZeroCopy(size_t message_bytes) {
    size_t n = zc_pool_messages(message_bytes);
    pool_.reserve(n);
    for (size_t i = 0; i < n; ++i) pool_.push_back({std::make_unique<Message>(message_bytes), 0, false});
    acct_.zerocopy = true;
  }

  void prepare(int fd) override {
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) != 0)
      throw_sys("setsockopt(SO_ZEROCOPY) refused", errno);
  }

  Message& next_buffer(int fd) override {
    current_ = (current_ + 1) % pool_.size();
    auto& slot = pool_[current_];
    if (slot.in_flight && !tracker_.released(slot.last_id)) {
      ++acct_.zc_buffer_waits;
      wait_until([&] { return tracker_.released(slot.last_id); }, fd, "buffer release");
    }
    slot.in_flight = false;
    return *slot.message;
  }

  void send(int fd, Message& message) override {
    auto iov = message.iov();
    auto& slot = pool_[current_];
    sendmsg_all(
        fd, iov.data(), kFieldCount, message.size(), MSG_ZEROCOPY, acct_,
        [&] {
          enobufs_since_ns_ = 0;
          slot.last_id = tracker_.issue();
          slot.in_flight = true;
          ++acct_.zc_sends;
        },
        [&](int err) {
          if (err != ENOBUFS) return false;
          // Back-pressure: pending notifications exhausted optmem_max, or pinned pages the
          // locked-memory limit. Reap, then retry.
          ++acct_.zc_enobufs;
          if (enobufs_since_ns_ == 0) enobufs_since_ns_ = now_ns();
          if (now_ns() - enobufs_since_ns_ > kCompletionTimeoutNs)
            throw Error("sendmsg(MSG_ZEROCOPY): ENOBUFS for 10 s (net.core.optmem_max or RLIMIT_MEMLOCK too small?)");
          if (reap(fd) == 0) wait_for_error_queue(fd, 10);
          return true;
        });
  }

  void drain(int fd) override {
    reap(fd);
    wait_until([&] { return tracker_.all_released(); }, fd, "final completions");
  }

  bool holds_buffers() const override { return !tracker_.all_released(); }

  void reap_released(int fd) noexcept override {
    try {
      reap(fd);
    } catch (const Error&) {
      // The socket is gone: its completions will not come; the pool stays held.
    }
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  struct Slot {
    std::unique_ptr<Message> message;
    uint32_t last_id;
    bool in_flight;
  };

  template <typename Done>
  void wait_until(Done done, int fd, const char* what) {
    int64_t deadline = now_ns() + kCompletionTimeoutNs;
    while (!done()) {
      if (reap(fd) > 0) continue;
      if (now_ns() > deadline)
        throw Error(fmt::format("zero-copy {}: no completion for {} s ({} sends outstanding)", what,
                                kCompletionTimeoutNs / 1'000'000'000, tracker_.outstanding()));
      wait_for_error_queue(fd, 100);
    }
  }

  static void wait_for_error_queue(int fd, int timeout_ms) {
    pollfd p{fd, 0, 0};  // POLLERR is always reported: it signals a non-empty error queue
    ::poll(&p, 1, timeout_ms);
  }

  // Reads every notification queued now; returns how many.
  int reap(int fd) {
    int read = 0;
    for (;;) {
      alignas(cmsghdr) char control[128];
      msghdr msg{};
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      if (data_calls::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return read;
        throw_sys("recvmsg(MSG_ERRQUEUE)", errno);
      }
      for (auto* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) record(cm);
      ++read;
    }
  }

  void record(const cmsghdr* cm) {
    bool ip_err = (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
                  (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR);
    if (!ip_err) return;
    sock_extended_err err;
    std::memcpy(&err, CMSG_DATA(cm), sizeof err);
    if (err.ee_origin != SO_EE_ORIGIN_ZEROCOPY || err.ee_errno != 0) return;
    uint32_t count = err.ee_data - err.ee_info + 1;
    tracker_.complete(err.ee_info, err.ee_data);
    ++acct_.zc_notifications;
    acct_.zc_completed += count;
    if (err.ee_code & SO_EE_CODE_ZEROCOPY_COPIED) acct_.zc_copied += count;
  }

  std::vector<Slot> pool_;
  size_t current_ = 0;
  int64_t enobufs_since_ns_ = 0;  // start of the current run of ENOBUFS answers
  ZcTracker tracker_;
  SendAccounting acct_;
};

}  // namespace

std::unique_ptr<SendStrategy> make_zero_copy(size_t message_bytes) { return std::make_unique<ZeroCopy>(message_bytes); }

}  // namespace copybench
