#pragma once
// A pool of messages whose fields live in one memory mapping the pool owns: for the strategies
// whose kernel path takes references to the pages instead of copying them (sendfile, splice,
// uring-zc-fixed). Unlike heap fields, an unmapped page that a pipe or an skb still references
// keeps its bytes until the kernel drops it: nothing of this process is written there after
// the pool is gone (a freed heap chunk would be reused by malloc).
#include <sys/types.h>
#include <cstddef>
#include <memory>
#include <vector>

#include "core/message.h"
#include "net/socket.h"

namespace copybench {

class MessageArena {
 public:
  enum class Backing {
    anonymous,  // private anonymous memory, as the heap is
    memfd,      // a memfd's page cache (MAP_SHARED), which sendfile() reads from
  };
  /// `count` messages of `message_bytes`, fields `field_gap` bytes apart (Message's external
  /// constructor; 0: each message one contiguous range). Every page is written once here, so
  /// none is a hole or a shared zero page. Throws Error with one line.
  MessageArena(size_t message_bytes, size_t count, size_t field_gap, Backing backing);
  ~MessageArena();
  MessageArena(const MessageArena&) = delete;
  MessageArena& operator=(const MessageArena&) = delete;

  /// The mapping's size for these arguments (whole pages): the pool's memory footprint.
  static size_t bytes(size_t message_bytes, size_t count, size_t field_gap);

  size_t size() const { return messages_.size(); }
  Message& message(size_t i) { return *messages_[i]; }
  /// Message i's first byte as an offset into the memfd (Backing::memfd).
  off_t file_offset(size_t i) const { return static_cast<off_t>(i * stride_); }
  int memfd() const { return memfd_.get(); }
  std::byte* base() const { return base_; }
  size_t mapped_bytes() const { return mapped_bytes_; }

 private:
  size_t stride_;
  size_t mapped_bytes_;
  Fd memfd_;
  std::byte* base_ = nullptr;
  std::vector<std::unique_ptr<Message>> messages_;
};

}  // namespace copybench
