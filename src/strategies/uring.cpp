// uring: io_uring sends, the 8 fields as 8 IORING_OP_SEND requests submitted with one
// io_uring_enter per message: the syscalls two-copy makes per field, batched into one.
//
// TCP byte order. Requests on one socket may run concurrently inside io_uring, and a send that
// finds the socket buffer full is retried later, so two unlinked sends can interleave their
// bytes. Here the fields are chained with IOSQE_IO_LINK (each starts only after the previous
// completed) and sent with MSG_WAITALL (io_uring retries a short send until the field is
// complete instead of completing it short, which would break the chain). A chain only spans
// one submission, so the next message is queued only after this one's completions are in: one
// message in flight per socket. A failed send cancels the rest of the chain (-ECANCELED).
// See io_uring_enter(2) (IOSQE_IO_LINK) and io_uring_prep_send(3).
#include <fmt/format.h>
#include <array>

#include "strategies/send_util.h"
#include "strategies/uring_ring.h"

namespace copybench {
namespace {

constexpr int64_t kCompletionTimeoutNs = 10'000'000'000;  // as SO_SNDTIMEO on the other strategies

class Uring final : public SendStrategy {
 public:
  explicit Uring(size_t message_bytes) : message_(message_bytes), ring_(kFieldCount, 2 * kFieldCount) {
    acct_.uring = true;
  }
  ~Uring() override = default;

  Message& next_buffer(int) override { return message_; }

  void send(int fd, Message& message) override {
    std::array<size_t, kFieldCount> expected{};
    io_uring_sqe* last = nullptr;
    unsigned queued = 0;
    for (int i = 0; i < kFieldCount; ++i) {
      if (message.field_length(i) == 0) continue;
      last = ring_.sqe();
      io_uring_prep_send(last, fd, message.field(i), message.field_length(i), MSG_WAITALL | MSG_NOSIGNAL);
      last->flags |= IOSQE_IO_LINK;
      last->user_data = static_cast<uint64_t>(i);
      expected[i] = message.field_length(i);
      ++queued;
    }
    last->flags &= static_cast<uint8_t>(~IOSQE_IO_LINK);  // the chain ends with the message
    if (!ring_.submit_and_wait(queued, kCompletionTimeoutNs)) {
      ring_.cancel_all(fd);
      account();
      throw Error("io_uring send timed out: the receiver stopped reading");
    }
    int failure = 0;
    for (unsigned n = 0; n < queued; ++n) {
      io_uring_cqe* cqe = ring_.peek();
      if (!cqe) throw Error("io_uring: a completion went missing");
      int res = cqe->res;
      size_t want = expected[cqe->user_data % kFieldCount];
      ring_.seen(cqe);
      if (res < 0 && (failure == 0 || failure == -ECANCELED)) failure = res;
      else if (res >= 0 && static_cast<size_t>(res) != want) ++acct_.partial_sends, failure = failure ? failure : -EIO;
    }
    account();
    if (failure == -EIO) throw Error("io_uring send completed short despite MSG_WAITALL");
    if (failure < 0) throw_send_error("io_uring send", -failure);
  }

  const SendAccounting& accounting() const override { return acct_; }

 private:
  void account() {
    acct_.send_calls = ring_.enter_calls();
    acct_.submissions = ring_.submissions();
  }

  Message message_;
  UringRing ring_;
  SendAccounting acct_;
};

}  // namespace

std::string uring_unavailable() { return uring_missing({{IORING_OP_SEND, "IORING_OP_SEND"}}); }

std::unique_ptr<SendStrategy> make_uring(size_t message_bytes) {
  if (auto missing = uring_unavailable(); !missing.empty()) throw Error(missing);
  return std::make_unique<Uring>(message_bytes);
}

}  // namespace copybench
