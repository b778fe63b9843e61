#pragma once
// rr's reads: one whole request or response at a time, shared by the requester and the
// responder. Inline, as it was when both sat in one file: it is in their loops.
#include <fmt/format.h>
#include <sys/types.h>
#include <cerrno>
#include <cstddef>

#include "core/error.h"
#include "core/message.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {

/// Reads exactly `len` bytes (one message) with the receive strategy; with `check`, verifies
/// every byte against that message's pattern wherever the strategy put it, and sets `corrupt`.
/// The strategy blocks in recv() itself (no poll: a transaction's latency is what is
/// measured; SO_RCVTIMEO bounds each wait). Returns false on EOF before the first byte; throws
/// on EOF inside, a timeout or an error.
inline bool recv_whole(RecvStrategy& receiver, int fd, size_t len, const PatternKey* check, bool& corrupt,
                       const char* what) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = receiver.receive(fd, len - got);
    if (n > 0) {
      size_t at = got;  // discard and splice hand over no chunks: the count is all there is
      for (const iovec& c : receiver.chunks()) {
        if (check && !check_pattern(*check, at, static_cast<const std::byte*>(c.iov_base), c.iov_len)) corrupt = true;
        at += c.iov_len;
      }
      got += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got == 0) return false;
      throw Error(fmt::format("the peer closed the connection inside a {}", what));
    }
    if (errno == EAGAIN) throw Error(fmt::format("no {} for 10 s", what));
    throw_sys(fmt::format("receive {}", what), errno);
  }
  return true;
}

}  // namespace copybench
