#include "metrics/sample_ring.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace copybench {

SampleRing::SampleRing(int fd, size_t data_pages) : fd_(fd) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  length_ = (data_pages + 1) * page;
  base_ = ::mmap(nullptr, length_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base_ == MAP_FAILED) {
    base_ = nullptr;
    throw_sys("mapping the sample buffer (perf_event_open mmap; see /proc/sys/kernel/perf_event_mlock_kb)", errno);
  }
  data_size_ = data_pages * page;
}

SampleRing::~SampleRing() {
  if (base_) ::munmap(base_, length_);
}

void SampleRing::drain(const std::function<void(const perf_event_header&, const uint8_t*)>& on_record) {
  auto* meta = static_cast<perf_event_mmap_page*>(base_);
  const auto* data =
      static_cast<const uint8_t*>(base_) + (meta->data_offset ? meta->data_offset : length_ - data_size_);
  const uint64_t size = meta->data_size ? meta->data_size : data_size_;
  // Acquire pairs with the kernel's write of the records before it moves data_head.
  const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta->data_tail;
  auto copy_out = [&](uint64_t from, void* to, size_t n) {
    const uint64_t at = from % size, first = std::min<uint64_t>(n, size - at);
    std::memcpy(to, data + at, first);
    std::memcpy(static_cast<uint8_t*>(to) + first, data, n - first);
  };
  while (head - tail >= sizeof(perf_event_header)) {
    perf_event_header header{};
    copy_out(tail, &header, sizeof header);
    if (header.size < sizeof header || header.size > head - tail) break;  // not whole yet, or garbage
    scratch_.resize(header.size);
    copy_out(tail, scratch_.data(), header.size);
    on_record(header, scratch_.data());
    tail += header.size;
  }
  // Release: the records are read before the kernel may overwrite them.
  __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

}  // namespace copybench
