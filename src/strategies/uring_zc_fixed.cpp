// uring-zc-fixed: io_uring zero-copy sends from registered buffers. The pool's messages live in
// one anonymous mapping, registered once per connection (IORING_REGISTER_BUFFERS: the kernel
// pins those pages up front, for the ring's life), so a send neither looks up nor pins user
// pages: each field is one IORING_OP_SEND_ZC with IORING_RECVSEND_FIXED_BUF
// (io_uring_prep_send_zc_fixed), the registered buffer's index and the field's address in it.
// One buffer covers the whole pool: IORING_MAX_REG_BUFFERS (16384) and one pin per field do
// not come into it, and the fields stay 8 separately placed ranges.
//
// Each request completes twice, as in uring-zc: first with the bytes sent (IORING_CQE_F_MORE:
// a notification follows), then with IORING_CQE_F_NOTIF once the kernel no longer reads the
// pages, its res flagged IORING_NOTIF_USAGE_ZC_COPIED (IORING_SEND_ZC_REPORT_USAGE) where the
// kernel copied after all (loopback and veth always do). A message's buffer is rewritten only
// after all of its fields' notifications.
//
// A notification belongs to a request whose first completion said one follows (F_MORE). When a
// field's send fails, the kernel cancels the rest of the chain (-ECANCELED, no F_MORE) and still
// posts a notification for each of those (seen on 6.18, flagged "copied"): nothing of theirs was
// sent or pinned, so they count as notifications read, never as sends completed or copied.
//
// TCP byte order, as in uring: the 8 requests are linked (IOSQE_IO_LINK) and sent with
// MSG_WAITALL, one io_uring_enter per message, and the next message is submitted only after
// this one's first completions: one chain in flight per socket. See io_uring_prep_send_zc(3),
// io_uring_register_buffers(3).
#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <bit>
#include <string_view>
#include <vector>

#include "strategies/message_arena.h"
#include "strategies/send_util.h"
#include "strategies/uring_ring.h"

namespace copybench {
namespace {

constexpr int64_t kCompletionTimeoutNs = 10'000'000'000;
constexpr size_t kFieldGap = 16;  // apart as heap fields are
constexpr uint64_t kCancelTag = ~0ull;

// Every request of every pooled message may owe a notification at once; the first completions
// of one message come on top. The kernel's limit is 65536 entries.
unsigned cq_entries_for(size_t pool) {
  return static_cast<unsigned>(std::min<size_t>(std::bit_ceil(kFieldCount * (pool + 1) + 8), 65536));
}

class UringZeroCopyFixed final : public SendStrategy {
 public:
  explicit UringZeroCopyFixed(size_t message_bytes)
      : arena_(message_bytes, zc_pool_messages(message_bytes), kFieldGap, MessageArena::Backing::anonymous),
        slots_(arena_.size()),
        ring_(kFieldCount, cq_entries_for(arena_.size())) {
    iovec whole{arena_.base(), arena_.mapped_bytes()};
    ring_.register_buffers(&whole, 1);
    acct_.uring = true;
    acct_.zerocopy = true;
  }

  Message& next_buffer(int fd) override {
    current_ = (current_ + 1) % slots_.size();
    if (slots_[current_].held()) {
      ++acct_.zc_buffer_waits;
      wait_until([&] { return !slots_[current_].held(); }, fd, "buffer release");
    }
    return arena_.message(current_);
  }

  void send(int fd, Message& message) override {
    Slot& slot = slots_[current_];
    slot = {};
    io_uring_sqe* last = nullptr;
    for (int i = 0; i < kFieldCount; ++i) {
      if (message.field_length(i) == 0) continue;
      last = ring_.sqe();
      io_uring_prep_send_zc_fixed(last, fd, message.field(i), message.field_length(i), MSG_WAITALL | MSG_NOSIGNAL,
                                  IORING_SEND_ZC_REPORT_USAGE, 0);
      last->flags |= IOSQE_IO_LINK;
      last->user_data = current_ * kFieldCount + static_cast<uint64_t>(i);
      slot.expected[i] = message.field_length(i);
      slot.state[i] = Field::awaiting_first;
    }
    last->flags &= static_cast<uint8_t>(~IOSQE_IO_LINK);  // the chain ends with the message
    if (!ring_.submit_and_wait(1, kCompletionTimeoutNs))
      fail(fd, "io_uring send timed out: the receiver stopped reading");
    wait_until([&] { return !slot.awaiting_first(); }, fd, "send");
    if (slot.failure == -EINVAL)
      fail(fd,
           "io_uring: IORING_SEND_ZC_REPORT_USAGE or fixed-buffer zero-copy send is not supported by this kernel "
           "(Linux 6.2 or later)");
    if (slot.failure < 0) {
      cancel(fd);
      account();
      throw_send_error("io_uring send_zc (fixed buffer)", -slot.failure);
    }
    if (slot.short_send) {
      ++acct_.partial_sends;
      fail(fd, "io_uring send_zc (fixed buffer) completed short despite MSG_WAITALL");
    }
  }

  void drain(int fd) override {
    wait_until([&] { return !holds_buffers(); }, fd, "final notifications");
  }

  bool holds_buffers() const override {
    return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.held(); });
  }

  void reap_released(int /*fd*/) noexcept override {
    while (io_uring_cqe* cqe = ring_.peek()) {
      record(*cqe);
      ring_.seen(cqe);
    }
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  // Where each field's request stands between its two completions.
  enum class Field : uint8_t {
    idle,               // nothing owed (or never sent: an empty field)
    awaiting_first,     // submitted; its first completion not read yet
    owes_notification,  // its first completion had F_MORE; the notification not read yet
    notified_early,     // its notification was read before its first completion (counted then)
  };

  struct Slot {
    std::array<size_t, kFieldCount> expected{};  // each field's length, for its first completion
    std::array<Field, kFieldCount> state{};
    std::array<bool, kFieldCount> early_copied{};  // a notified_early field's notification said "copied"
    int failure = 0;                               // the first failed request's res (a -ECANCELED only if alone)
    bool short_send = false;
    bool awaiting_first() const {  // a first completion not read yet
      return std::any_of(state.begin(), state.end(),
                         [](Field f) { return f == Field::awaiting_first || f == Field::notified_early; });
    }
    bool held() const {  // a completion of either kind still owed
      return std::any_of(state.begin(), state.end(), [](Field f) { return f != Field::idle; });
    }
  };

  [[noreturn]] void fail(int fd, const std::string& why) {
    cancel(fd);
    account();
    throw Error(why);
  }

  // The cancelled requests' completions (and notifications) still count: a slot is released
  // only by its own notifications.
  void cancel(int fd) {
    ring_.cancel_all(fd, [this](const io_uring_cqe& cqe) { record(cqe); });
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
      if (!cqe && std::string_view(what) == "send") fail(fd, "io_uring send timed out: the receiver stopped reading");
      if (!cqe) fail(fd, fmt::format("io_uring zero-copy {}: no completion for 10 s", what));
      record(*cqe);
      ring_.seen(cqe);
    }
    account();
  }

  void record(const io_uring_cqe& cqe) {
    if (cqe.user_data == kCancelTag || cqe.user_data >= slots_.size() * kFieldCount) return;
    Slot& slot = slots_[cqe.user_data / kFieldCount];
    const size_t field = cqe.user_data % kFieldCount;
    Field& state = slot.state[field];
    if (cqe.flags & IORING_CQE_F_NOTIF) {
      ++acct_.zc_notifications;
      const bool copied = static_cast<uint32_t>(cqe.res) & IORING_NOTIF_USAGE_ZC_COPIED;
      if (state == Field::owes_notification) {
        state = Field::idle;
        count_completed(copied);
      } else if (state == Field::awaiting_first) {
        state = Field::notified_early;
        slot.early_copied[field] = copied;
        count_completed(copied);
      }
      // idle: a cancelled request's notification (see the top of this file); no send of it.
      return;
    }
    const bool owed = cqe.flags & IORING_CQE_F_MORE;
    if (owed) ++acct_.zc_sends;
    if (state == Field::notified_early && !owed) {  // that early notification was a cancelled one's
      --acct_.zc_completed;
      if (slot.early_copied[field]) --acct_.zc_copied;
    }
    state = state == Field::awaiting_first && owed ? Field::owes_notification : Field::idle;
    if (cqe.res < 0 && (slot.failure == 0 || slot.failure == -ECANCELED)) slot.failure = cqe.res;
    else if (cqe.res >= 0 && static_cast<size_t>(cqe.res) != slot.expected[field]) slot.short_send = true;
  }

  void count_completed(bool copied) {
    ++acct_.zc_completed;  // one notification per request
    if (copied) ++acct_.zc_copied;
  }

  MessageArena arena_;
  std::vector<Slot> slots_;
  size_t current_ = 0;
  UringRing ring_;  // declared after the arena: torn down (buffers unregistered) before it is unmapped
  SendAccounting acct_;
};

}  // namespace

std::string uring_zc_fixed_unavailable() { return uring_missing({{IORING_OP_SEND_ZC, "IORING_OP_SEND_ZC"}}); }

size_t uring_zc_fixed_buffer_bytes(size_t message_bytes) {
  return MessageArena::bytes(message_bytes, zc_pool_messages(message_bytes), kFieldGap);
}

std::unique_ptr<SendStrategy> make_uring_zc_fixed(size_t message_bytes) {
  if (auto missing = uring_zc_fixed_unavailable(); !missing.empty()) throw Error(missing);
  return std::make_unique<UringZeroCopyFixed>(message_bytes);
}

}  // namespace copybench
