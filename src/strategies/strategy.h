#pragma once
// The variation point: how a sender moves one message into a TCP socket. One small interface,
// one file per strategy, and a table from name to factory (registry.cpp).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"

namespace copybench {

/// What a strategy did, counted by the strategy itself (plain data, read after the run).
struct SendAccounting {
  uint64_t send_calls = 0;        // system calls that moved bytes: send()/sendmsg(); io_uring: io_uring_enter
  bool uring = false;             // submissions is meaningful
  uint64_t submissions = 0;       // io_uring: SQEs handed to the kernel
  uint64_t partial_sends = 0;     // calls that moved fewer bytes than asked (then completed)
  bool zerocopy = false;          // the fields below are meaningful
  uint64_t zc_sends = 0;          // sends that owe a notification (MSG_ZEROCOPY id; io_uring IORING_CQE_F_MORE)
  uint64_t zc_notifications = 0;  // error-queue messages read; io_uring: IORING_CQE_F_NOTIF completions
  uint64_t zc_completed = 0;      // sends covered by those (ee_info..ee_data ranges; io_uring: one each)
  uint64_t zc_copied = 0;         // of those, flagged ZEROCOPY_COPIED (io_uring: IORING_NOTIF_USAGE_ZC_COPIED)
  uint64_t zc_enobufs = 0;        // ENOBUFS answers (back-pressure), each followed by a reap and retry
  uint64_t zc_buffer_waits = 0;   // times the next buffer was still held by the kernel
};

class SendStrategy {
 public:
  virtual ~SendStrategy() = default;
  /// Once per connection, before any message (socket options). Throws Error on refusal.
  virtual void prepare(int /*fd*/) {}
  /// A message buffer that may be written now (zero-copy: the kernel has released it).
  virtual Message& next_buffer(int fd) = 0;
  /// Sends all of `message` (a buffer from next_buffer); partial sends are completed.
  virtual void send(int fd, Message& message) = 0;
  /// Waits, bounded, until the kernel holds no buffer of ours. Throws Error on timeout.
  virtual void drain(int /*fd*/) {}
  /// Whether the kernel may still read one of our buffers (a zero-copy send not yet completed):
  /// then the strategy must outlive the connection's thread, or freed memory would be sent.
  virtual bool holds_buffers() const { return false; }
  /// Reads the completions that have arrived, without waiting (for a strategy kept after its
  /// test until holds_buffers() turns false). Never throws.
  virtual void reap_released(int /*fd*/) noexcept {}
  virtual const SendAccounting& accounting() const = 0;
};

struct StrategyInfo {
  uint8_t id;  // on the wire
  std::string name;
  std::string alias;  // a1/a2/a3: the study's naming; short names for the others
  std::string description;
  std::unique_ptr<SendStrategy> (*make)(size_t message_bytes);  // throws Error when unavailable
  /// Bytes of message buffers one connection's strategy allocates (a server's memory budget).
  size_t (*buffer_bytes)(size_t message_bytes);
  /// Empty when this kernel can run the strategy, else one line naming what is missing.
  std::string (*unavailable)() = nullptr;  // nullptr: always available
  /// The kernel may still read a buffer after the send returned, and nothing says when it has
  /// stopped (sendfile, splice): a rewritten pool buffer can change bytes in flight, which
  /// --verify then reports as corrupt messages (METHODOLOGY.md).
  bool reuse_hazard = false;

  std::string missing() const { return unavailable ? unavailable() : std::string(); }
};

const std::vector<StrategyInfo>& strategies();

/// By name or alias (case-insensitive); throws UsageError "unknown strategy 'x' (did you mean
/// 'y'?)" listing the choices.
const StrategyInfo& strategy_info(std::string_view name_or_alias);

const StrategyInfo* strategy_by_id(uint8_t id);

/// The strategies this kernel can run (missing() empty), in the registry's order.
std::vector<StrategyInfo> strategies_available();

/// The name within edit distance 2 of `wanted` (case-insensitive), or "": the "did you mean"
/// of this registry and of the receive strategies'.
std::string nearest_name(std::string_view wanted, const std::vector<std::string>& names);

// Factories, one per file.
std::unique_ptr<SendStrategy> make_two_copy(size_t message_bytes);
std::unique_ptr<SendStrategy> make_one_copy(size_t message_bytes);
std::unique_ptr<SendStrategy> make_zero_copy(size_t message_bytes);
std::unique_ptr<SendStrategy> make_pack(size_t message_bytes);
std::unique_ptr<SendStrategy> make_uring(size_t message_bytes);
std::unique_ptr<SendStrategy> make_uring_zc(size_t message_bytes);
std::unique_ptr<SendStrategy> make_sendfile(size_t message_bytes);
std::unique_ptr<SendStrategy> make_splice(size_t message_bytes);
std::unique_ptr<SendStrategy> make_uring_zc_fixed(size_t message_bytes);
/// The zero-copy strategies (zero-copy, uring-zc, uring-zc-fixed) and those that hand the kernel
/// page references without a completion (sendfile, splice) keep a pool of messages, reused only once the
/// kernel released them: about a socket buffer's worth in flight (16 MiB), 4 to kZcPoolMax.
constexpr size_t kZcPoolMax = 1024;
size_t zc_pool_messages(size_t message_bytes);

/// Buffer footprints: one message; pack adds its contiguous buffer; the zero-copy pool.
size_t one_message_bytes(size_t message_bytes);
size_t pack_buffer_bytes(size_t message_bytes);
size_t zc_pool_bytes(size_t message_bytes);
/// The pools in one mapping (strategies/message_arena.h): the mapping's bytes.
size_t sendfile_buffer_bytes(size_t message_bytes);
size_t splice_buffer_bytes(size_t message_bytes);
size_t uring_zc_fixed_buffer_bytes(size_t message_bytes);
std::string uring_unavailable();
std::string uring_zc_unavailable();
std::string sendfile_unavailable();
std::string splice_unavailable();
std::string uring_zc_fixed_unavailable();

}  // namespace copybench
