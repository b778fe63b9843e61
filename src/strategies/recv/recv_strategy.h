#pragma once
// The receive side's variation point: how the client reads a connection's bytes. One small
// interface, one file per strategy, and a table from name to factory (recv_registry.cpp). The
// bytes are handed over as ranges, in stream order, so the receiver's checks (message
// boundaries, --verify) do not depend on where a strategy put them: a contiguous buffer, the 8
// fields of a message, or pages mapped from the socket.
#include <sys/types.h>
#include <sys/uio.h>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace copybench {

inline constexpr std::string_view kDefaultRecvStrategy = "recv";

/// What a receive strategy did, counted by itself (plain data, read after the run).
struct RecvAccounting {
  uint64_t calls = 0;         // system calls made to receive: recv, recvmsg, poll, getsockopt, splice, io_uring_enter
  bool uring = false;         // submissions is meaningful (uring)
  uint64_t submissions = 0;   // io_uring: SQEs handed to the kernel (the multishot receive and its re-arms)
  bool zerocopy = false;      // the fields below are meaningful (zerocopy-recv)
  uint64_t bytes_mapped = 0;  // mapped into our address space by TCP_ZEROCOPY_RECEIVE: not copied
  uint64_t bytes_copied = 0;  // copied into our buffers by the kernel (its copy buffer, recv)
  std::string setup;          // what the strategy set up, for the note when nothing mapped
};

/// What a strategy is sized for.
struct RecvContext {
  size_t message_bytes = 0;  // the messages this side receives (rr requester: the responses)
  size_t read_bytes = 0;     // the most one receive asks for (--recv-size; zerocopy-recv: its copy buffer)
  int path_mtu = -1;         // of the control connection, which is set up first (-1: unknown)
};

class RecvStrategy {
 public:
  virtual ~RecvStrategy() = default;
  /// Before connect(): options the handshake must carry (zerocopy-recv: TCP_MAXSEG).
  virtual void before_connect(int /*fd*/) {}
  /// Once connected, before the first receive. Throws Error on refusal.
  virtual void prepare(int /*fd*/) {}
  /// Waits (bounded by SO_RCVTIMEO or 10 s) and receives at most max_bytes (> 0). Returns the
  /// count, whose ranges chunks() gives in stream order until the next call; 0 at EOF; -1 with
  /// errno set on failure (EAGAIN: nothing for 10 s).
  virtual ssize_t receive(int fd, size_t max_bytes) = 0;
  virtual std::span<const iovec> chunks() const = 0;
  /// Whether the received bytes reach user memory. false (discard, splice): the kernel drops
  /// them, chunks() stays empty and receive()'s count is all there is: messages are counted
  /// from byte counts and --verify cannot run.
  virtual bool bytes_in_user_memory() const { return true; }
  virtual const RecvAccounting& accounting() const = 0;
};

struct RecvStrategyInfo {
  uint8_t id;  // on the wire, for a server that receives (--reverse); 0 is the default
  std::string name;
  std::string description;
  std::unique_ptr<RecvStrategy> (*make)(const RecvContext& context);  // throws Error when unavailable
  /// Bytes of buffers one connection's strategy allocates (a server's memory budget when it
  /// receives); nullptr: one buffer of read_bytes.
  size_t (*buffer_bytes)(const RecvContext& context) = nullptr;
  /// Empty when this kernel can run the strategy, else one line naming what is missing.
  std::string (*unavailable)() = nullptr;  // nullptr: always available
  /// The bytes land in user memory, so --verify can check them (RecvStrategy::bytes_in_user_memory).
  bool verifiable = true;

  size_t footprint(const RecvContext& context) const {
    return buffer_bytes ? buffer_bytes(context) : std::max<size_t>(context.read_bytes, 1);
  }
  std::string missing() const { return unavailable ? unavailable() : std::string(); }
};

const std::vector<RecvStrategyInfo>& recv_strategies();

/// The receive strategies this kernel can run (missing() empty), in the registry's order.
std::vector<RecvStrategyInfo> recv_strategies_available();

/// By name (case-insensitive); throws UsageError "unknown receive strategy 'x' (did you mean
/// 'y'?)" listing the choices.
const RecvStrategyInfo& recv_strategy_info(std::string_view name);

const RecvStrategyInfo* recv_strategy_by_id(uint8_t id);

/// The context of a stream receiver asking for `read_bytes` per call (TestParams::recv_size),
/// or of an rr reader of `message_bytes` messages (one transaction's response per read).
RecvContext stream_context(size_t message_bytes, size_t read_bytes, int path_mtu);
RecvContext rr_context(size_t message_bytes, int path_mtu);

// Factories, one per file.
std::unique_ptr<RecvStrategy> make_plain_recv(const RecvContext& context);
std::unique_ptr<RecvStrategy> make_scatter_recv(const RecvContext& context);
std::unique_ptr<RecvStrategy> make_zerocopy_recv(const RecvContext& context);
std::unique_ptr<RecvStrategy> make_discard_recv(const RecvContext& context);
std::unique_ptr<RecvStrategy> make_splice_recv(const RecvContext& context);
std::unique_ptr<RecvStrategy> make_uring_recv(const RecvContext& context);
size_t scatter_recv_bytes(const RecvContext& context);
size_t zerocopy_recv_bytes(const RecvContext& context);
size_t discard_recv_bytes(const RecvContext& context);
size_t splice_recv_bytes(const RecvContext& context);
size_t uring_recv_bytes(const RecvContext& context);

// Availability probes (empty: runs here), each probed once per process.
std::string discard_recv_unavailable();
std::string splice_recv_unavailable();
std::string uring_recv_unavailable();

}  // namespace copybench
