#include "strategies/message_arena.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace copybench {
namespace {

constexpr size_t kPageBytes = 4096;

// 64-byte strides keep each message on its own cache lines, as malloc would roughly.
size_t stride_of(size_t message_bytes, size_t field_gap) {
  return (Message::external_bytes(message_bytes, field_gap) + 63) / 64 * 64;
}

}  // namespace

size_t MessageArena::bytes(size_t message_bytes, size_t count, size_t field_gap) {
  size_t total = std::max<size_t>(count * stride_of(message_bytes, field_gap), 1);
  return (total + kPageBytes - 1) / kPageBytes * kPageBytes;
}

MessageArena::MessageArena(size_t message_bytes, size_t count, size_t field_gap, Backing backing)
    : stride_(stride_of(message_bytes, field_gap)), mapped_bytes_(bytes(message_bytes, count, field_gap)) {
  void* at = MAP_FAILED;
  if (backing == Backing::memfd) {
    memfd_.reset(::memfd_create("copybench-messages", MFD_CLOEXEC));
    if (!memfd_) throw_sys("memfd_create", errno);
    if (::ftruncate(memfd_.get(), static_cast<off_t>(mapped_bytes_)) != 0)
      throw_sys(fmt::format("ftruncate of the message memfd to {} bytes", mapped_bytes_), errno);
    at = ::mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_.get(), 0);
  } else {
    at = ::mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (at == MAP_FAILED) throw_sys(fmt::format("mmap of {} bytes of messages", mapped_bytes_), errno);
  base_ = static_cast<std::byte*>(at);
  // Touched, as Message's value-initialised fields are: a memfd hole would be spliced as the
  // shared zero page, another path than the study's.
  std::memset(base_, 0, mapped_bytes_);
  messages_.reserve(count);
  for (size_t i = 0; i < count; ++i)
    messages_.push_back(std::make_unique<Message>(message_bytes, base_ + i * stride_, field_gap));
}

MessageArena::~MessageArena() {
  messages_.clear();
  if (base_) ::munmap(base_, mapped_bytes_);
}

}  // namespace copybench
