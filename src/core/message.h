#pragma once
// The study's message: 8 fields, each its own heap allocation, plus the pattern that --verify
// writes and checks. The pattern byte at message offset i depends on (connection, sequence, i),
// so a receiver can check any byte range of any message without knowing how it was split.
#include <sys/uio.h>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace copybench {

inline constexpr int kFieldCount = 8;
inline constexpr uint64_t kMinMessageBytes = 1;  // then 7 fields are empty
inline constexpr uint64_t kMaxMessageBytes = 16ull << 20;

/// Field lengths for a message of `size` bytes: size/8 each, the remainder on the last.
std::array<size_t, kFieldCount> field_lengths(size_t size);

/// Identifies one message's pattern.
struct PatternKey {
  uint32_t connection = 0;
  uint64_t sequence = 0;
};

/// Writes the pattern for message `key` at message offsets [offset, offset+len) into dst.
void fill_pattern(PatternKey key, size_t offset, std::byte* dst, size_t len);

/// True when src holds exactly the pattern for message `key` at [offset, offset+len).
bool check_pattern(PatternKey key, size_t offset, const std::byte* src, size_t len);

/// One message: 8 separately placed fields and an iovec over them. By default each field is its
/// own heap allocation (the study's layout); the second constructor places them in storage the
/// caller owns (a memory mapping whose pages the kernel may reference: sendfile, splice).
class Message {
 public:
  explicit Message(size_t size);
  /// The fields in `storage` (not owned, not freed here), in order, each `field_gap` bytes after
  /// the previous one's end and then 16-byte aligned as malloc places chunks; field_gap 0 lays
  /// them out back to back, so the message is one contiguous range starting at `storage`.
  /// `storage` must hold external_bytes(size, field_gap) bytes and outlive the message.
  Message(size_t size, std::byte* storage, size_t field_gap);
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  /// Heap bytes the 8 field allocations of a message of `size` take (an empty field: 1 byte).
  static size_t heap_bytes(size_t size);
  /// Bytes the second constructor's fields span in their storage.
  static size_t external_bytes(size_t size, size_t field_gap);

  size_t size() const { return size_; }
  const std::array<iovec, kFieldCount>& iov() const { return iov_; }
  std::byte* field(int i) { return static_cast<std::byte*>(iov_[i].iov_base); }
  size_t field_length(int i) const { return iov_[i].iov_len; }

  /// Writes the pattern for `key` across all 8 fields.
  void fill(PatternKey key);

 private:
  size_t size_;
  std::array<std::unique_ptr<std::byte[]>, kFieldCount> fields_;  // empty for external storage
  std::array<iovec, kFieldCount> iov_{};
};

}  // namespace copybench
