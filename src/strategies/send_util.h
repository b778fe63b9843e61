#pragma once
// Shared by the strategies and their loops: complete partial sends, drain after a failure.
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <cerrno>

#include "core/error.h"
#include "net/data_calls.h"
#include "net/socket.h"
#include "strategies/strategy.h"

namespace copybench {

/// Advances iov[*first..count) past `sent` bytes.
inline void advance_iov(iovec* iov, int count, int* first, size_t sent) {
  while (*first < count && sent >= iov[*first].iov_len) {
    sent -= iov[*first].iov_len;
    ++*first;
  }
  if (*first < count && sent > 0) {
    iov[*first].iov_base = static_cast<char*>(iov[*first].iov_base) + sent;
    iov[*first].iov_len -= sent;
  }
}

/// Turns a failed send into an Error that says what happened in the user's terms.
[[noreturn]] inline void throw_send_error(const char* call, int err) {
  if (err == EAGAIN || err == EWOULDBLOCK) throw Error(fmt::format("{} timed out: the receiver stopped reading", call));
  throw_sys(call, err);
}

/// send() until all `len` bytes at `p` are sent, counting calls and partial sends.
inline void send_whole(int fd, const std::byte* p, size_t len, SendAccounting& acct) {
  while (len > 0) {
    ssize_t n = data_calls::send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_send_error("send", errno);
    }
    ++acct.send_calls;
    if (static_cast<size_t>(n) < len) ++acct.partial_sends;
    p += n;
    len -= static_cast<size_t>(n);
  }
}

/// Runs `body` (sends on `fd`), then the strategy's drain. When either fails (an Error) the
/// connection is reset first, which frees what a peer that stopped reading keeps queued, so the
/// kernel lets go of zero-copy pages and their completions arrive; then one more bounded drain.
/// What the kernel still holds after that stays held: the caller keeps the strategy while
/// holds_buffers() (never frees a buffer the kernel may read). The first error is rethrown.
template <typename F>
void with_drain_on_error(SendStrategy& strategy, int fd, F body) {
  auto drain_after_reset = [&] {
    reset_connection(fd);
    try {
      strategy.drain(fd);
    } catch (const Error&) {
      // The first failure is the one worth reporting.
    }
  };
  try {
    body();
  } catch (const Error&) {
    drain_after_reset();
    throw;
  }
  try {
    strategy.drain(fd);
  } catch (const Error&) {
    // A peer that stopped reading after the test: the pages it has not acknowledged are still
    // the kernel's. Reset, so it drops them, rather than free what it may yet send.
    drain_after_reset();
    throw;
  }
}

/// sendmsg() until all `bytes` of iov[0..count) are sent, counting calls; `flags` may add
/// MSG_ZEROCOPY. A failed call is retried when `retry(errno)` returns true.
template <typename OnSent, typename OnError>
void sendmsg_all(int fd, iovec* iov, int count, size_t bytes, int flags, SendAccounting& acct, OnSent on_sent,
                 OnError retry) {
  int first = 0;
  while (first < count) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = static_cast<size_t>(count - first);
    ssize_t n = data_calls::sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || retry(errno)) continue;
      throw_send_error("sendmsg", errno);
    }
    ++acct.send_calls;
    on_sent();
    if (static_cast<size_t>(n) < bytes) ++acct.partial_sends;
    bytes -= static_cast<size_t>(n);
    advance_iov(iov, count, &first, static_cast<size_t>(n));
  }
}

}  // namespace copybench
