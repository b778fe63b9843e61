#pragma once
// The ring buffer a sampling perf event writes its records into (perf_event_open(2), "MMAP
// layout"): one metadata page, then 2^n data pages. The kernel advances data_head; the reader
// consumes up to it and then publishes data_tail, which frees the space. Records may wrap
// around the end of the data area and are then copied out whole.
#include <linux/perf_event.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace copybench {

class SampleRing {
 public:
  /// Maps the ring of `fd` with `data_pages` (a power of two) data pages. Throws Error (with
  /// errno's text: EPERM means perf_event_mlock_kb is too small for an unprivileged user).
  SampleRing(int fd, size_t data_pages);
  SampleRing(const SampleRing&) = delete;
  SampleRing& operator=(const SampleRing&) = delete;
  ~SampleRing();

  int fd() const { return fd_; }

  /// Calls `on_record(header, record bytes)` for every record the kernel has written since the
  /// last call, then frees their space. One reader at a time.
  void drain(const std::function<void(const perf_event_header&, const uint8_t*)>& on_record);

 private:
  int fd_;
  void* base_ = nullptr;
  size_t length_ = 0;
  uint64_t data_size_ = 0;
  std::vector<uint8_t> scratch_;  // a record that wraps, put back together
};

}  // namespace copybench
