#include "net/netns.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "core/clock.h"
#include "core/error.h"

namespace copybench {
namespace {

constexpr const char* kNetnsDir = "/run/netns/";
constexpr const char* kOptmemPath = "/proc/sys/net/core/optmem_max";
constexpr const char* kLoopbackHint = "; run as root or use --topology loopback";
constexpr int kIpTimeoutMs = 10'000;

// Reads both pipes to EOF together: reading one while ip blocks on the other, full, could
// deadlock. False if the deadline passed first.
bool read_both(int out_fd, int err_fd, std::string& out, std::string& err) {
  int64_t deadline_ns = now_ns() + int64_t{kIpTimeoutMs} * 1'000'000;
  pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* dest[2] = {&out, &err};
  while (p[0].fd >= 0 || p[1].fd >= 0) {
    auto left_ms = static_cast<int>((deadline_ns - now_ns()) / 1'000'000);
    if (left_ms <= 0) return false;
    if (::poll(p, 2, left_ms) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || p[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      if (n > 0) dest[i]->append(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) p[i].fd = -1;  // poll skips negative fds
    }
  }
  return true;
}

// ip's stderr on one line, with the --topology hint when it is about privileges.
std::string failure_text(int status, std::string err) {
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  std::replace(err.begin(), err.end(), '\n', ';');
  if (err.find("not permitted") != std::string::npos || err.find("Permission denied") != std::string::npos)
    err += kLoopbackHint;
  if (!err.empty()) return err;
  if (WIFSIGNALED(status)) return "ip was killed by signal " + std::to_string(WTERMSIG(status));
  return "ip exited with status " + std::to_string(WEXITSTATUS(status));
}

// pid in a copybench-<pid>-<n>-srv|cli name; 0 when the name is not one of ours.
pid_t owner_pid(const std::string& name) {
  static const std::regex pattern("copybench-([1-9][0-9]{0,8})-[0-9]+-(srv|cli)");
  std::smatch m;
  return std::regex_match(name, m, pattern) ? static_cast<pid_t>(std::stol(m[1])) : 0;
}

bool netns_exists(const std::string& name) { return ::access((kNetnsDir + name).c_str(), F_OK) == 0; }

// copybench-<pid>-<n> with both -srv and -cli free. Skipping taken names matters when a dead
// process with our pid (pid reuse) left its namespaces: they are stale but look like ours.
std::string unused_base_name() {
  static std::atomic<unsigned> counter{0};
  for (;;) {
    auto base = "copybench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    if (!netns_exists(base + "-srv") && !netns_exists(base + "-cli")) return base;
  }
}

void delete_namespace_noexcept(const std::string& name) noexcept {
  try {
    run_ip({"netns", "delete", name}, "deleting network namespace " + name);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "copybench: warning: %s\n", e.what());
  }
}

// /proc/sys/net is resolved against the calling thread's namespace, hence run_in_netns.
void write_optmem_max(const std::string& ns, long value) {
  run_in_netns(ns, [&] {
    auto text = std::to_string(value);
    Fd fd(::open(kOptmemPath, O_WRONLY | O_CLOEXEC));
    int err = fd ? 0 : errno;
    if (!err && ::write(fd.get(), text.data(), text.size()) < 0) err = errno;
    if (err == ENOENT)
      throw Error("setting net.core.optmem_max in " + ns + ": not per namespace on this kernel (Linux 6.9+)");
    if (err) throw Error("setting net.core.optmem_max=" + text + " in " + ns + ": " + errno_text(err));
  });
}

std::optional<long> read_optmem_max_in(const std::string& ns) {
  std::optional<long> result;
  run_in_netns(ns, [&] {
    std::ifstream in(kOptmemPath);
    long value = 0;
    if (in >> value) result = value;
  });
  return result;
}

}  // namespace

std::unique_ptr<NetnsPair> NetnsPair::create(const NetnsOptions& options) {
  if (options.mtu < kMinVethMtu || options.mtu > kMaxVethMtu)
    throw UsageError("veth MTU " + std::to_string(options.mtu) + " is out of range " + std::to_string(kMinVethMtu) +
                     ".." + std::to_string(kMaxVethMtu));
  if (!ip_command())
    throw Error(
        "the netns topology needs the `ip` command (iproute2), which is not installed; "
        "install it or use --topology loopback");
  if (!has_netns_privileges())
    throw Error(
        "the netns topology needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN to create network namespaces), "
        "which this process lacks" +
        std::string(kLoopbackHint));
  std::unique_ptr<NetnsPair> pair(new NetnsPair());
  pair->build(options);  // a throw deletes what was made, through ~NetnsPair
  return pair;
}

void NetnsPair::build(const NetnsOptions& options) {
  auto base = unused_base_name();
  server_ns_ = base + "-srv";
  client_ns_ = base + "-cli";
  mtu_ = options.mtu;
  add_namespace(server_ns_);
  add_namespace(client_ns_);
  // Created in place in both namespaces, so the pair never appears in the root namespace.
  auto mtu = std::to_string(mtu_);
  run_ip({"link", "add", server_interface(), "mtu", mtu, "netns", server_ns_, "type", "veth", "peer", "name",
          client_interface(), "mtu", mtu, "netns", client_ns_},
         "creating veth pair " + server_interface() + "/" + client_interface() + " with MTU " + mtu);
  struct End {
    const std::string& ns;
    std::string dev, address;
  };
  for (const End& end :
       {End{server_ns_, server_interface(), server_address()}, End{client_ns_, client_interface(), client_address()}}) {
    run_ip({"-n", end.ns, "addr", "add", end.address + "/30", "dev", end.dev},
           "adding " + end.address + "/30 to " + end.dev + " in " + end.ns);
    run_ip({"-n", end.ns, "link", "set", "lo", "up"}, "setting lo up in " + end.ns);
    run_ip({"-n", end.ns, "link", "set", end.dev, "up"}, "setting " + end.dev + " up in " + end.ns);
  }
  if (options.optmem_max) {
    write_optmem_max(server_ns_, *options.optmem_max);
    write_optmem_max(client_ns_, *options.optmem_max);
  }
  server_optmem_max_ = read_optmem_max_in(server_ns_);
  client_optmem_max_ = read_optmem_max_in(client_ns_);
}

void NetnsPair::add_namespace(const std::string& name) {
  run_ip({"netns", "add", name}, "creating network namespace " + name);
  created_.push_back(name);
}

NetnsPair::~NetnsPair() {
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) delete_namespace_noexcept(*it);
}

std::vector<std::string> list_copybench_namespaces() {
  std::vector<std::string> names;
  std::error_code ec;  // no /run/netns yet: no namespaces
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    auto name = entry.path().filename().string();
    if (owner_pid(name) > 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> cleanup_stale_namespaces() {
  std::vector<std::string> removed;
  std::string failures;
  for (const auto& name : list_copybench_namespaces()) {
    // EPERM means the process exists (another user's): only ESRCH proves the owner is gone.
    if (::kill(owner_pid(name), 0) == 0 || errno != ESRCH) continue;
    try {
      run_ip({"netns", "delete", name}, "deleting stale network namespace " + name);
      removed.push_back(name);
    } catch (const Error& e) {
      // Another copybench cleaning up at the same moment may have deleted it first.
      const auto left = list_copybench_namespaces();
      if (std::find(left.begin(), left.end(), name) == left.end()) continue;
      failures += (failures.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (!failures.empty()) throw Error(failures);
  return removed;
}

void run_in_netns(const std::string& name, std::function<void()> body) {
  Fd ns = open_netns(name);
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (::setns(ns.get(), CLONE_NEWNET) != 0) throw_sys("setns into network namespace " + name, errno);
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

Fd open_netns(const std::string& name) {
  Fd fd(::open((kNetnsDir + name).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_sys("opening network namespace " + std::string(kNetnsDir) + name, errno);
  return fd;
}

std::string run_ip(const std::vector<std::string>& args, const std::string& what) {
  auto ip = ip_command();
  if (!ip) throw Error(what + ": the `ip` command (iproute2) is not installed");
  std::vector<char*> cargs{ip->data()};
  for (const auto& a : args) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  int out_fds[2], err_fds[2];
  if (::pipe2(out_fds, O_CLOEXEC) != 0) throw_sys(what + ": pipe", errno);
  Fd out_r(out_fds[0]), out_w(out_fds[1]);
  if (::pipe2(err_fds, O_CLOEXEC) != 0) throw_sys(what + ": pipe", errno);
  Fd err_r(err_fds[0]), err_w(err_fds[1]);
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in) throw_sys(what + ": opening /dev/null", errno);
  pid_t pid = ::fork();
  if (pid < 0) throw_sys(what + ": fork", errno);
  if (pid == 0) {  // async-signal-safe calls only until exec
    // Own process group: the terminal's Ctrl-C must not kill the `ip netns delete` that runs
    // while the sweep unwinds from that same Ctrl-C.
    ::setpgid(0, 0);
    ::dup2(null_in.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(err_w.get(), 2);
    ::execv(cargs[0], cargs.data());
    static const char msg[] = "exec of ip failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  out_w.reset();
  err_w.reset();
  std::string out, err;
  bool finished = read_both(out_r.get(), err_r.get(), out, err);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) continue;
  if (!finished) throw Error(what + ": ip did not finish within 10 s");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;
  throw Error(what + ": " + failure_text(status, err));
}

std::optional<std::string> ip_command() {
  // Not PATH: sudo and cron often leave /usr/sbin out of it.
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(path, X_OK) == 0) return path;
  return std::nullopt;
}

bool has_netns_privileges() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    uint64_t caps = std::stoull(line.substr(7), nullptr, 16);
    return (caps >> CAP_SYS_ADMIN & 1) && (caps >> CAP_NET_ADMIN & 1);
  }
  return ::geteuid() == 0;
}

}  // namespace copybench
