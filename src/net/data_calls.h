#pragma once
// The data path's socket calls, without glibc's cancellation-point wrapper.
//
// Once a process has a second thread, glibc makes send/recv/sendmsg/recvmsg pthread
// cancellation points: every call switches the thread's cancel type on and off with two atomic
// read-modify-writes around the system call. copybench never cancels a thread, and on loopback
// that bookkeeping is a measurable share of a message (docs/PERFORMANCE.md, "glibc's
// cancellation points"), a cost single-threaded tools such as sockperf do not pay. These make the
// same system calls directly, with the same arguments, result and errno.
//
// Sanitizer builds keep glibc's functions: ASan's and TSan's interceptors check the buffers and
// model the ordering a socket implies between threads, which a direct system call would hide.

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COPYBENCH_LIBC_SOCKET_CALLS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define COPYBENCH_LIBC_SOCKET_CALLS 1
#endif
#endif

namespace copybench::data_calls {

inline ssize_t send(int fd, const void* buf, size_t len, int flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::send(fd, buf, len, flags);
#else
  // syscall() reads every argument as a long.
  return ::syscall(SYS_sendto, static_cast<long>(fd), buf, len, static_cast<long>(flags), nullptr, 0L);
#endif
}

inline ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::sendmsg(fd, msg, flags);
#else
  return ::syscall(SYS_sendmsg, static_cast<long>(fd), msg, static_cast<long>(flags));
#endif
}

inline ssize_t recv(int fd, void* buf, size_t len, int flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::recv(fd, buf, len, flags);
#else
  return ::syscall(SYS_recvfrom, static_cast<long>(fd), buf, len, static_cast<long>(flags), nullptr, nullptr);
#endif
}

inline ssize_t recvmsg(int fd, msghdr* msg, int flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::recvmsg(fd, msg, flags);
#else
  return ::syscall(SYS_recvmsg, static_cast<long>(fd), msg, static_cast<long>(flags));
#endif
}

// sendfile, splice and vmsplice (the sendfile and splice strategies): glibc wraps splice and
// vmsplice as cancellation points too.
inline ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::sendfile(out_fd, in_fd, offset, count);
#else
  return ::syscall(SYS_sendfile, static_cast<long>(out_fd), static_cast<long>(in_fd), offset, count);
#endif
}

inline ssize_t splice(int in_fd, off_t* in_off, int out_fd, off_t* out_off, size_t len, unsigned flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::splice(in_fd, in_off, out_fd, out_off, len, flags);
#else
  return ::syscall(SYS_splice, static_cast<long>(in_fd), in_off, static_cast<long>(out_fd), out_off, len,
                   static_cast<unsigned long>(flags));
#endif
}

inline ssize_t vmsplice(int fd, const iovec* iov, size_t count, unsigned flags) {
#ifdef COPYBENCH_LIBC_SOCKET_CALLS
  return ::vmsplice(fd, iov, count, flags);
#else
  return ::syscall(SYS_vmsplice, static_cast<long>(fd), iov, count, static_cast<unsigned long>(flags));
#endif
}

}  // namespace copybench::data_calls
