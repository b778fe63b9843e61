// bare: the "speed of light" reference for copybench.
//
// A sender that does nothing but the strategy's system calls on the study's message (8 fields,
// each its own heap allocation, laid out as src/core/message.cpp does), and a receiver that does
// nothing but recv() into one buffer: no instruments, no pattern, no verification, no protocol.
// It deliberately shares no code with copybench (libc, pthreads and the C++ standard library
// only), so that a mistake in copybench cannot hide in both. copybench `run` must reach at least
// 0.97x the rate printed here for the same strategy, size and threads.
//
//   bare local --strategy S --size B [--threads N] [--recv-size R] [--warmup W] [--duration D]
//              [--cpu-pin none]                       one process, loopback, ephemeral port
//   bare recv  --bind ADDR --port P [--threads N] [--recv-size R] [--size B] [--warmup W]
//              [--duration D]                         measuring end, e.g. under ip netns exec
//   bare send  --host ADDR --port P --strategy S --size B [--threads N] [--time T]
//
// S: two-copy | one-copy | pack | zero-copy. Sizes take K/M suffixes (1024/1048576); times are
// seconds. One line on stdout: the receiver's bytes over a window read from CLOCK_MONOTONIC.
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

constexpr int kFieldCount = 8;
constexpr int64_t kNsPerS = 1'000'000'000;
constexpr time_t kSocketTimeoutS = 10;          // so that no call can block forever
constexpr int64_t kZcTimeoutNs = 10 * kNsPerS;  // longest wait for zero-copy completions
constexpr int64_t kConnectRetryNs = 5 * kNsPerS;
constexpr size_t kZcPoolBytes = 16 << 20;

// Worker threads die here too, so exit without running destructors under their feet.
[[noreturn]] void die(const std::string& what, int err) {
  std::fprintf(stderr, "bare: %s: %s\n", what.c_str(), std::strerror(err));
  std::_Exit(1);
}

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "bare: %s (usage: bare local|recv|send --option value ...; see bench/bare/bare.cpp)\n",
               problem.c_str());
  std::_Exit(2);
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * kNsPerS + ts.tv_nsec;
}

void sleep_s(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

bool peer_gone(int err) { return err == EPIPE || err == ECONNRESET; }

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The study's message: 8 fields, each its own allocation; the last field takes the remainder.
struct Message {
  explicit Message(size_t bytes) : size_bytes(bytes) {
    for (int i = 0; i < kFieldCount; ++i) {
      size_t len = bytes / kFieldCount + (i == kFieldCount - 1 ? bytes % kFieldCount : 0);
      fields[i] = std::make_unique<std::byte[]>(len ? len : 1);  // value-initialised: pages touched
      iov[i] = {fields[i].get(), len};
    }
  }
  size_t size_bytes;
  std::array<std::unique_ptr<std::byte[]>, kFieldCount> fields;
  std::array<iovec, kFieldCount> iov{};
};

enum class Strategy { two_copy, one_copy, pack, zero_copy };
constexpr std::array<std::string_view, 4> kStrategyNames{"two-copy", "one-copy", "pack", "zero-copy"};

// ---- sending --------------------------------------------------------------------------------

// Sends all `len` bytes; false when the peer has gone (the normal end in split mode).
bool send_all(int fd, const std::byte* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (peer_gone(errno)) return false;
      die("send", errno);
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Drops what a partial sendmsg() took off the front of the iovec.
void advance(msghdr& msg, size_t sent_bytes) {
  while (msg.msg_iovlen > 0 && sent_bytes >= msg.msg_iov->iov_len) {
    sent_bytes -= msg.msg_iov->iov_len;
    ++msg.msg_iov;
    --msg.msg_iovlen;
  }
  if (sent_bytes > 0) {
    msg.msg_iov->iov_base = static_cast<std::byte*>(msg.msg_iov->iov_base) + sent_bytes;
    msg.msg_iov->iov_len -= sent_bytes;
  }
}

// sendmsg() of a whole message; `on_sent` runs after every successful call (zero-copy numbers
// them), `on_enobufs` says whether ENOBUFS is to be retried. False when the peer has gone.
template <typename OnSent, typename OnEnobufs>
bool sendmsg_all(int fd, const Message& m, int flags, OnSent on_sent, OnEnobufs on_enobufs) {
  std::array<iovec, kFieldCount> iov = m.iov;  // a copy: advance() rewrites it
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  size_t left_bytes = m.size_bytes;
  while (left_bytes > 0) {
    ssize_t n = ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (peer_gone(errno)) return false;
      if (errno == ENOBUFS && on_enobufs()) continue;
      die("sendmsg", errno);
    }
    on_sent();
    left_bytes -= static_cast<size_t>(n);
    advance(msg, static_cast<size_t>(n));
  }
  return true;
}

bool send_two_copy(int fd, const Message& m) {
  for (const iovec& field : m.iov)
    if (field.iov_len > 0 && !send_all(fd, static_cast<const std::byte*>(field.iov_base), field.iov_len)) return false;
  return true;
}

bool send_one_copy(int fd, const Message& m) {
  return sendmsg_all(
      fd, m, 0, [] {}, [] { return false; });
}

bool send_pack(int fd, const Message& m, std::byte* packed) {
  size_t offset_bytes = 0;
  for (const iovec& field : m.iov) {
    std::memcpy(packed + offset_bytes, field.iov_base, field.iov_len);
    offset_bytes += field.iov_len;
  }
  return send_all(fd, packed, m.size_bytes);
}

// MSG_ZEROCOPY (Documentation/networking/msg_zerocopy.rst): the kernel pins the pages rather
// than copying them, so a message may be rewritten (here: reused) only once the error queue has
// reported its last send complete; hence a pool used round robin.
class ZeroCopySender {
 public:
  ZeroCopySender(int fd, size_t size_bytes) : fd_(fd) {
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) != 0) die("setsockopt(SO_ZEROCOPY)", errno);
    size_t slots = std::clamp<size_t>(kZcPoolBytes / size_bytes, 4, 1024);
    for (size_t i = 0; i < slots; ++i) pool_.push_back(std::make_unique<Slot>(size_bytes));
  }

  bool send_next() {
    Slot& slot = *pool_[next_slot_];
    next_slot_ = (next_slot_ + 1) % pool_.size();
    if (slot.in_flight) wait_until([&] { return released(slot.last_id); }, "zero-copy buffer release");
    return sendmsg_all(
        fd_, slot.message, MSG_ZEROCOPY,
        [&] {
          slot.last_id = next_id_++;  // one id per successful call, partial ones included
          slot.in_flight = true;
          enobufs_since_ns_ = 0;
        },
        [&] {  // back-pressure: notifications exhausted optmem_max, or pinned pages RLIMIT_MEMLOCK
          int64_t t_ns = now_ns();
          if (enobufs_since_ns_ == 0) enobufs_since_ns_ = t_ns;
          if (t_ns - enobufs_since_ns_ > kZcTimeoutNs) die("sendmsg(MSG_ZEROCOPY) for 10 s", ENOBUFS);
          if (reap() == 0) wait_for_error_queue(10);
          return true;
        });
  }

  void drain() {
    wait_until([&] { return completed_below_ == next_id_; }, "zero-copy final completions");
  }

 private:
  struct Slot {
    explicit Slot(size_t size_bytes) : message(size_bytes) {}
    Message message;
    uint32_t last_id = 0;
    bool in_flight = false;
  };

  // Ids are the kernel's 32-bit counter and wrap: compare by difference.
  bool released(uint32_t id) const { return static_cast<int32_t>(completed_below_ - id) > 0; }

  template <typename Done>
  void wait_until(Done done, const char* what) {
    int64_t deadline_ns = now_ns() + kZcTimeoutNs;
    while (!done()) {
      reap();
      if (done()) return;
      if (now_ns() > deadline_ns) die(what, ETIMEDOUT);
      wait_for_error_queue(100);
    }
  }

  // events 0: POLLERR, a non-empty error queue, is always reported.
  void wait_for_error_queue(int timeout_ms) const {
    pollfd p{fd_, 0, 0};
    ::poll(&p, 1, timeout_ms);
  }

  // Reads every notification queued now; returns how many.
  int reap() {
    int notifications = 0;
    for (;;) {
      alignas(cmsghdr) char control[128];
      msghdr msg{};
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      if (::recvmsg(fd_, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return notifications;
        die("recvmsg(MSG_ERRQUEUE)", errno);
      }
      for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        bool ip_err = (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
                      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR);
        if (!ip_err) continue;
        sock_extended_err err;
        std::memcpy(&err, CMSG_DATA(cm), sizeof err);
        if (err.ee_origin != SO_EE_ORIGIN_ZEROCOPY || err.ee_errno != 0) continue;
        // [ee_info, ee_data] is done; on TCP ranges complete in order, so the top is enough.
        uint32_t below = err.ee_data + 1;
        if (static_cast<int32_t>(below - completed_below_) > 0) completed_below_ = below;
        ++notifications;
      }
    }
  }

  int fd_;
  std::vector<std::unique_ptr<Slot>> pool_;
  size_t next_slot_ = 0;
  uint32_t next_id_ = 0;
  uint32_t completed_below_ = 0;  // every id below this one is complete
  int64_t enobufs_since_ns_ = 0;  // start of the current run of ENOBUFS answers
};

// Sends messages until `stop` is set or the peer goes, then ends the stream.
void run_sender(int fd, Strategy strategy, size_t size_bytes, const std::atomic<bool>& stop) {
  bool open = true;
  auto loop = [&](auto send_one) {
    while (open && !stop.load(std::memory_order_relaxed)) open = send_one();
  };
  if (strategy == Strategy::zero_copy) {
    ZeroCopySender zc(fd, size_bytes);
    loop([&] { return zc.send_next(); });
    if (open) zc.drain();  // the pool must outlive the kernel's use of it
  } else {
    Message m(size_bytes);
    auto packed = std::make_unique<std::byte[]>(strategy == Strategy::pack ? size_bytes : 1);  // once
    if (strategy == Strategy::two_copy) loop([&] { return send_two_copy(fd, m); });
    if (strategy == Strategy::one_copy) loop([&] { return send_one_copy(fd, m); });
    if (strategy == Strategy::pack) loop([&] { return send_pack(fd, m, packed.get()); });
  }
  if (open) ::shutdown(fd, SHUT_WR);
}

// ---- receiving and measuring ----------------------------------------------------------------

struct alignas(64) Counter {  // one cache line each: receivers must not share one
  std::atomic<uint64_t> bytes{0};
};

// recv() until EOF, or until `stop` (split mode, where the receiver ends the run).
void run_receiver(int fd, size_t recv_bytes, Counter& counter, const std::atomic<bool>& stop) {
  auto buffer = std::make_unique<std::byte[]>(recv_bytes);
  for (;;) {
    ssize_t n = ::recv(fd, buffer.get(), recv_bytes, 0);
    if (n > 0) {
      counter.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      if (stop.load(std::memory_order_relaxed)) return;
      continue;
    }
    if (n == 0) return;
    if (errno == EINTR) continue;
    if (stop.load() || peer_gone(errno)) return;
    die("recv", errno);
  }
}

struct Window {
  double seconds;
  uint64_t bytes;
};

uint64_t total_bytes(const std::vector<Counter>& counters) {
  uint64_t sum = 0;
  for (const Counter& c : counters) sum += c.bytes.load(std::memory_order_relaxed);
  return sum;
}

// Warm up, then count what the receivers took in; the window's length is read, not assumed.
Window measure(const std::vector<Counter>& counters, double warmup_s, double duration_s) {
  sleep_s(warmup_s);
  int64_t t0_ns = now_ns();
  uint64_t b0 = total_bytes(counters);
  sleep_s(duration_s);
  int64_t t1_ns = now_ns();
  uint64_t b1 = total_bytes(counters);
  return {static_cast<double>(t1_ns - t0_ns) / 1e9, b1 - b0};
}

// ---- sockets ------------------------------------------------------------------------------

// Every socket gets 10 s timeouts (on a listener SO_RCVTIMEO bounds accept() too).
Fd with_timeouts(Fd s, const char* what) {
  if (s.get() < 0) die(what, errno);
  timeval tv{kSocketTimeoutS, 0};
  if (::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      ::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
    die("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)", errno);
  return s;
}

Fd tcp_socket() { return with_timeouts(Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), "socket"); }

sockaddr_in ipv4(const std::string& address, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) usage("not an IPv4 address: '" + address + "'");
  return a;
}

Fd listen_on(sockaddr_in addr, int backlog) {
  Fd s = tcp_socket();
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // rerun at once on a fixed port
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind", errno);
  if (::listen(s.get(), backlog) != 0) die("listen", errno);
  return s;
}

uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) die("getsockname", errno);
  return ntohs(a.sin_port);
}

Fd accept_one(int listener) {
  int fd;
  while ((fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)) < 0 && errno == EINTR) {
  }
  return with_timeouts(Fd(fd), "accept");
}

// The receiver may start a moment after the sender: retry refused connects for 5 s.
Fd connect_retrying(sockaddr_in addr) {
  int64_t deadline_ns = now_ns() + kConnectRetryNs;
  for (;;) {
    Fd s = tcp_socket();
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return s;
    int err = errno;
    if ((err != ECONNREFUSED && err != EINTR) || now_ns() > deadline_ns) die("connect", err);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// ---- command line ---------------------------------------------------------------------------

struct Options {
  std::string mode;
  std::optional<Strategy> strategy;
  std::optional<size_t> size_bytes, recv_bytes;
  int threads = 1;
  double warmup_s = 0.5, duration_s = 2, time_s = 600;  // send: until the peer closes, capped
  std::string address;                                  // --bind or --host
  std::optional<uint16_t> port;
};

size_t parse_size(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || end == v.c_str() || errno != 0) usage(flag + ": not a size: '" + v + "'");
  unsigned long long unit = 1;
  if (*end == 'K' || *end == 'k') unit = 1024;
  if (*end == 'M' || *end == 'm') unit = 1024 * 1024;
  if (unit != 1) ++end;
  if (*end != '\0' || n == 0 || n > (1ull << 30) / unit) usage(flag + ": want 1 B to 1 GiB, got '" + v + "'");
  return static_cast<size_t>(n * unit);
}

// Seconds (decimals allowed) or, with `integral`, a count or a port; within [lo, hi].
double parse_number(const std::string& flag, const std::string& v, double lo, double hi, bool integral = false) {
  char* end = nullptr;
  double n = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(n >= lo && n <= hi) || (integral && n != static_cast<long>(n)))
    usage(flag + ": want " + (integral ? "an integer" : "seconds") + " in [" + std::to_string(static_cast<long>(lo)) +
          ", " + std::to_string(static_cast<long>(hi)) + "], got '" + v + "'");
  return n;
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage("missing mode");
  Options o;
  o.mode = argv[1];
  std::vector<std::string_view> allowed;
  if (o.mode == "local")
    allowed = {"--strategy", "--size", "--threads", "--recv-size", "--warmup", "--duration", "--cpu-pin"};
  else if (o.mode == "recv")
    allowed = {"--bind", "--port", "--threads", "--recv-size", "--size", "--warmup", "--duration"};
  else if (o.mode == "send") allowed = {"--host", "--port", "--strategy", "--size", "--threads", "--time"};
  else usage("unknown mode '" + o.mode + "'");
  for (int i = 2; i < argc; i += 2) {
    std::string flag = argv[i];
    if (std::find(allowed.begin(), allowed.end(), flag) == allowed.end())
      usage("unknown option '" + flag + "' for " + o.mode);
    if (i + 1 >= argc) usage(flag + " needs a value");
    std::string v = argv[i + 1];
    if (flag == "--strategy") {
      auto it = std::find(kStrategyNames.begin(), kStrategyNames.end(), v);
      if (it == kStrategyNames.end()) usage("--strategy: want two-copy, one-copy, pack or zero-copy, got '" + v + "'");
      o.strategy = static_cast<Strategy>(it - kStrategyNames.begin());
    } else if (flag == "--size") o.size_bytes = parse_size(flag, v);
    else if (flag == "--recv-size") o.recv_bytes = parse_size(flag, v);
    else if (flag == "--threads") o.threads = static_cast<int>(parse_number(flag, v, 1, 256, true));
    else if (flag == "--port") o.port = static_cast<uint16_t>(parse_number(flag, v, 1, 65535, true));
    else if (flag == "--warmup") o.warmup_s = parse_number(flag, v, 0, 3600);
    else if (flag == "--duration") o.duration_s = parse_number(flag, v, 1e-3, 3600);
    else if (flag == "--time") o.time_s = parse_number(flag, v, 1e-3, 3600);
    else if (flag == "--cpu-pin" && v != "none") usage("--cpu-pin: only 'none' (pin with taskset)");
    else if (flag == "--bind" || flag == "--host") o.address = v;
  }
  bool sends = o.mode != "recv";
  if (sends && !o.strategy) usage(o.mode + " needs --strategy");
  if (sends && !o.size_bytes) usage(o.mode + " needs --size");
  if (o.mode != "local" && (o.address.empty() || !o.port))
    usage(o.mode + (o.mode == "recv" ? " needs --bind and --port" : " needs --host and --port"));
  if (!o.recv_bytes) o.recv_bytes = o.size_bytes.value_or(256 * 1024);
  return o;
}

// ---- modes ----------------------------------------------------------------------------------

// Runs `fn` at scope exit, on every path: it tells threads to stop before their joins.
template <typename Fn>
class Finally {
 public:
  explicit Finally(Fn fn) : fn_(fn) {}
  Finally(const Finally&) = delete;
  Finally& operator=(const Finally&) = delete;
  ~Finally() { fn_(); }

 private:
  Fn fn_;
};

// A thread body that throws (bad_alloc) ends the program with one line, as die() does.
template <typename Fn>
void spawn(std::vector<std::jthread>& threads, Fn fn) {
  threads.emplace_back([fn] {
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bare: %s\n", e.what());
      std::_Exit(1);
    }
  });
}

void print_result(const Options& o, const Window& w) {
  std::string strategy = o.strategy ? std::string(kStrategyNames[static_cast<size_t>(*o.strategy)]) : "-";
  std::string size = o.size_bytes ? std::to_string(*o.size_bytes) : "-";
  double gbps = w.seconds > 0 ? static_cast<double>(w.bytes) * 8 / w.seconds / 1e9 : 0;
  std::printf("bare strategy=%s size=%s threads=%d recv_size=%zu window_s=%.3f bytes=%llu gbps=%.3f\n",
              strategy.c_str(), size.c_str(), o.threads, *o.recv_bytes, w.seconds,
              static_cast<unsigned long long>(w.bytes), gbps);
}

int run_local(const Options& o) {
  Fd listener = listen_on(ipv4("127.0.0.1", 0), o.threads);
  sockaddr_in addr = ipv4("127.0.0.1", local_port(listener.get()));
  std::vector<Counter> counters(static_cast<size_t>(o.threads));
  std::atomic<bool> stop_senders{false}, stop_receivers{false};  // receivers end at EOF here
  std::atomic<int> accepted{0};
  Window w{};
  {
    std::vector<std::jthread> receivers, senders;
    Finally stop([&] { stop_senders.store(true); });
    for (int i = 0; i < o.threads; ++i) {
      spawn(receivers, [&, i] {
        Fd c = accept_one(listener.get());
        accepted.fetch_add(1);
        run_receiver(c.get(), *o.recv_bytes, counters[static_cast<size_t>(i)], stop_receivers);
      });
      spawn(senders, [&] {
        Fd s = connect_retrying(addr);
        run_sender(s.get(), *o.strategy, *o.size_bytes, stop_senders);
      });
    }
    while (accepted.load() < o.threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    w = measure(counters, o.warmup_s, o.duration_s);
  }  // stop; join the senders (each drains and sends its FIN), then the receivers (each saw EOF)
  print_result(o, w);
  return 0;
}

int run_recv(const Options& o) {
  Fd listener = listen_on(ipv4(o.address, *o.port), o.threads);
  std::vector<Fd> connections;
  for (int i = 0; i < o.threads; ++i) connections.push_back(accept_one(listener.get()));
  std::vector<Counter> counters(connections.size());
  std::atomic<bool> stop{false};
  Window w{};
  {
    std::vector<std::jthread> receivers;
    // The receiver ends the run: shutdown() wakes a blocked recv(); the close() that follows,
    // with data unread, resets the connection, which the sender takes as its cue to stop.
    Finally end_run([&] {
      stop.store(true);
      for (const Fd& c : connections) ::shutdown(c.get(), SHUT_RDWR);
    });
    for (size_t i = 0; i < connections.size(); ++i)
      spawn(receivers, [&, i] { run_receiver(connections[i].get(), *o.recv_bytes, counters[i], stop); });
    w = measure(counters, o.warmup_s, o.duration_s);
  }
  print_result(o, w);
  return 0;
}

int run_send(const Options& o) {
  sockaddr_in addr = ipv4(o.address, *o.port);
  std::vector<Fd> connections;
  for (int i = 0; i < o.threads; ++i) connections.push_back(connect_retrying(addr));
  std::atomic<bool> stop{false};
  std::atomic<int> finished{0};
  std::vector<std::jthread> senders;
  Finally stop_sending([&] { stop.store(true); });  // runs before the joins
  for (const Fd& c : connections)
    spawn(senders, [&, fd = c.get()] {
      run_sender(fd, *o.strategy, *o.size_bytes, stop);
      finished.fetch_add(1);
    });
  int64_t deadline_ns = now_ns() + static_cast<int64_t>(o.time_s * 1e9);
  while (finished.load() < o.threads && now_ns() < deadline_ns)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);  // MSG_NOSIGNAL covers the sends; this covers the rest
  try {
    if (o.mode == "local") return run_local(o);
    if (o.mode == "recv") return run_recv(o);
    return run_send(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bare: %s\n", e.what());
    return 1;
  }
}
