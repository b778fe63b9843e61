#include "machine/probe.h"

#include <fmt/format.h>
#include <linux/errqueue.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <fstream>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "machine/environment.h"
#include "net/socket.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"
#include "strategies/uring_ring.h"

namespace copybench {
namespace {

// Sends 64 KiB with MSG_ZEROCOPY over loopback and reads the completion.
ProbeItem probe_zerocopy() {
  try {
    auto listener = listen_tcp("127.0.0.1", 0);
    Fd client = connect_tcp("127.0.0.1", listener.port, 2000);
    Fd server = accept_within(listener.fd.get(), 2000);
    if (!server) return {"msg_zerocopy", false, "loopback accept timed out"};
    int one = 1;
    if (::setsockopt(client.get(), SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) != 0)
      return {"msg_zerocopy", false, "setsockopt(SO_ZEROCOPY): " + errno_text(errno)};
    std::vector<char> buf(64 * 1024, 'x');
    if (::send(client.get(), buf.data(), buf.size(), MSG_ZEROCOPY) < 0)
      return {"msg_zerocopy", false, "send(MSG_ZEROCOPY): " + errno_text(errno)};
    std::vector<char> sink(buf.size());
    recv_exact(server.get(), sink.data(), sink.size(), now_ns() + 2'000'000'000, "probe receive");
    pollfd p{client.get(), 0, 0};
    ::poll(&p, 1, 2000);
    alignas(cmsghdr) char control[128];
    msghdr msg{};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (::recvmsg(client.get(), &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
      return {"msg_zerocopy", false, "no completion on the error queue within 2 s"};
    auto* cm = CMSG_FIRSTHDR(&msg);
    sock_extended_err err{};
    if (cm) std::memcpy(&err, CMSG_DATA(cm), sizeof err);
    bool copied = err.ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
    return {"msg_zerocopy", true,
            copied ? "works; on loopback the kernel copies (SO_EE_CODE_ZEROCOPY_COPIED), as expected"
                   : "works; loopback completion reported no copy"};
  } catch (const std::exception& e) {
    return {"msg_zerocopy", false, e.what()};
  }
}

// The opcodes the io_uring strategies need, from the kernel's own table (IORING_REGISTER_PROBE,
// through liburing), in the words the strategies use when they refuse.
std::vector<ProbeItem> probe_io_uring() {
  auto item = [](const char* key, int op, const char* name) {
    auto missing = uring_missing({{op, name}});
    return ProbeItem{key, missing.empty(), missing.empty() ? fmt::format("{} supported", name) : missing};
  };
  auto setup = uring_missing({});
  return {{"io_uring", setup.empty(), setup.empty() ? "available (liburing probe)" : setup},
          item("io_uring_send", IORING_OP_SEND, "IORING_OP_SEND (strategy uring)"),
          item("io_uring_send_zc", IORING_OP_SEND_ZC, "IORING_OP_SEND_ZC (strategy uring-zc-fixed)"),
          item("io_uring_sendmsg_zc", IORING_OP_SENDMSG_ZC, "IORING_OP_SENDMSG_ZC (strategy uring-zc)")};
}

// Every send strategy: whether this kernel can run it, and what is missing if not.
std::vector<ProbeItem> probe_strategies() {
  std::vector<ProbeItem> out;
  for (const auto& s : strategies()) {
    auto missing = s.missing();
    out.push_back({"strategy_" + s.name, missing.empty(), missing.empty() ? "runs here" : missing});
  }
  return out;
}

// Every receive strategy likewise, each tried for real on a loopback socket by its own probe.
std::vector<ProbeItem> probe_recv_strategies() {
  std::vector<ProbeItem> out;
  for (const auto& r : recv_strategies()) {
    auto missing = r.missing();
    out.push_back({"recv_" + r.name, missing.empty(), missing.empty() ? "runs here" : missing});
  }
  return out;
}

ProbeItem probe_perf_event(const char* key, uint32_t type, uint64_t config) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.disabled = 1;
  int fd = static_cast<int>(::syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0));
  if (fd < 0) {
    int err = errno;
    auto why = err == ENOENT || err == EOPNOTSUPP ? "not supported on this machine (no PMU for it)" : errno_text(err);
    return {std::string("perf_") + key, false, why};
  }
  ::close(fd);
  return {std::string("perf_") + key, true, "opens"};
}

std::vector<ProbeItem> probe_perf() {
  constexpr auto cache = [](uint64_t id, uint64_t op, uint64_t result) { return id | (op << 8) | (result << 16); };
  return {
      probe_perf_event("cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES),
      probe_perf_event("instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS),
      probe_perf_event("cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES),
      probe_perf_event("l1d_load_misses", PERF_TYPE_HW_CACHE,
                       cache(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ, PERF_COUNT_HW_CACHE_RESULT_MISS)),
      probe_perf_event("llc_load_misses", PERF_TYPE_HW_CACHE,
                       cache(PERF_COUNT_HW_CACHE_LL, PERF_COUNT_HW_CACHE_OP_READ, PERF_COUNT_HW_CACHE_RESULT_MISS)),
      probe_perf_event("context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES),
      probe_perf_event("task_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK),
  };
}

// Tries unshare(CLONE_NEWNET) in a child so this process keeps its namespace.
ProbeItem probe_netns() {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {"network_namespaces", std::nullopt, "pipe: " + errno_text(errno)};
  pid_t pid = ::fork();
  if (pid == 0) {
    int err = ::unshare(CLONE_NEWNET) == 0 ? 0 : errno;
    (void)!::write(pipe_fds[1], &err, sizeof err);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  int err = -1;
  (void)!::read(pipe_fds[0], &err, sizeof err);
  ::close(pipe_fds[0]);
  if (pid > 0) ::waitpid(pid, nullptr, 0);
  if (err == 0) return {"network_namespaces", true, "can be created (unshare(CLONE_NEWNET) succeeded)"};
  return {"network_namespaces", false, err > 0 ? "unshare(CLONE_NEWNET): " + errno_text(err) : "probe failed"};
}

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line.empty() ? "unreadable" : line;
}

std::string memlock_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_MEMLOCK, &r) != 0) return "unknown";
  return r.rlim_cur == RLIM_INFINITY ? "unlimited" : fmt::format("{} bytes", r.rlim_cur);
}

}  // namespace

std::vector<ProbeItem> run_probe() {
  auto env = collect_environment();
  std::vector<ProbeItem> items = {
      {"kernel", std::nullopt, env.kernel},
      {"cpu_model", std::nullopt, env.cpu_model},
      {"cores", std::nullopt, std::to_string(env.cores)},
      probe_zerocopy(),
  };
  for (auto& i : probe_io_uring()) items.push_back(i);
  for (auto& i : probe_strategies()) items.push_back(i);
  for (auto& i : probe_recv_strategies()) items.push_back(i);
  for (auto& i : probe_perf()) items.push_back(i);
  items.push_back({"perf_event_paranoid", std::nullopt, read_first_line("/proc/sys/kernel/perf_event_paranoid")});
  items.push_back(probe_netns());
  items.push_back({"optmem_max", std::nullopt,
                   env.optmem_max ? fmt::format("{} bytes", *env.optmem_max) : std::string("unreadable")});
  items.push_back({"memlock_limit", std::nullopt, memlock_limit()});
  items.push_back({"copybench_version", std::nullopt, env.copybench_version});
  return items;
}

std::string render_probe(const std::vector<ProbeItem>& items) {
  std::string out;
  for (const auto& i : items) {
    const char* mark = !i.ok ? "    " : *i.ok ? "yes " : "no  ";
    out += fmt::format("  {:<22} {}{}\n", i.key, mark, i.detail);
  }
  return out;
}

nlohmann::json probe_json(const std::vector<ProbeItem>& items) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& i : items)
    j[i.key] = {{"ok", i.ok ? nlohmann::json(*i.ok) : nlohmann::json(nullptr)}, {"detail", i.detail}};
  return j;
}

}  // namespace copybench
