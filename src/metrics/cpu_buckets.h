#pragma once
// The fixed buckets a CPU sample is classified into, and the one table (cpu_buckets.cpp) that
// maps kernel and user functions to them. A kernel sample carries its call chain; the
// leaf-most function the table names decides. Functions the table leaves out are decided by
// their callers on purpose:
//   - generic helpers that serve many callers: memcpy, rep_movs_alternative (the copy loop of
//     copy_to_user and copy_from_user alike), __check_object_size;
//   - the points where a deferred cpu-clock sample lands: cpu-clock is a timer interrupt, which
//     cannot fire while interrupts are off, so the time of an irq-off stretch is charged to the
//     instruction that turns them back on (_raw_spin_unlock_irqrestore, __local_bh_enable_ip);
//     the caller says whose stretch it was.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace copybench {

enum class Bucket : uint8_t {
  copy_to_kernel,    // user→kernel copy of payload on send (_copy_from_iter, ...)
  copy_to_user,      // kernel→user copy of payload on receive (skb_copy_datagram_iter, _copy_to_iter, ...)
  copy_zc_deferred,  // a MSG_ZEROCOPY skb's pages copied after all (skb_copy_ubufs)
  copy_user_space,   // memcpy/memmove in the process itself (pack)
  zc_bookkeeping,    // page pinning, notifications, the error queue
  tcp_ip,            // TCP, IP, the device layer, skb handling, network softirqs
  syscall,           // system call entry and exit, argument marshalling
  sched_locks,       // scheduler, waits and wake-ups, spinning on locks
  idle,              // the idle loop (the machine view only: a test thread is never idle)
  user_space,        // other user-mode code
  other,             // kernel code the table does not place (memory management, timers, ...)
};
inline constexpr size_t kBucketCount = 11;

struct BucketInfo {
  Bucket bucket;
  const char* key;    // column stem: "copy_to_user"
  const char* title;  // "kernel→user copy"
  bool copy;          // counted in "CPU in copies"
};

/// Every bucket, in the order above.
const std::array<BucketInfo, kBucketCount>& bucket_infos();
inline const BucketInfo& bucket_info(Bucket b) { return bucket_infos()[static_cast<size_t>(b)]; }

/// The bucket a kernel function names by itself; nullopt when its callers decide (see above).
std::optional<Bucket> kernel_function_bucket(std::string_view function);

/// The walk over a chain's per-frame buckets (leaf first): the first known one, else idle for
/// the idle task and other for the rest. The sampler feeds it cached lookups.
Bucket decide_bucket(const std::vector<std::optional<Bucket>>& frames, bool idle_task);

/// A kernel sample, its call chain leaf first (unresolved frames as empty names). The
/// leaf-most function with a bucket decides; without one, the idle task's samples are idle
/// and the rest other.
Bucket classify_kernel(const std::vector<std::string_view>& frames, bool idle_task);

/// A user-mode sample of this process: copy_user_space for memcpy/memmove, else user_space.
Bucket classify_user(std::string_view function);

}  // namespace copybench
