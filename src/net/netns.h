#pragma once
// The netns topology: server and client in two network namespaces joined by a veth pair, so
// traffic crosses a real (virtual) link with its own MTU instead of loopback.
// Namespaces are made with iproute2 (`ip netns add` bind-mounts them at /run/netns/NAME), run
// without a shell. Needs CAP_SYS_ADMIN (the bind mount, setns) and CAP_NET_ADMIN (links).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/socket.h"

namespace copybench {

/// veth accepts 68 (the IPv4 minimum) to 65535 (ETH_MAX_MTU, checked on Linux 6.18).
inline constexpr int kMinVethMtu = 68;
inline constexpr int kMaxVethMtu = 65535;

struct NetnsOptions {
  int mtu = 1500;                    ///< on both veth ends; kMinVethMtu..kMaxVethMtu
  std::optional<long> optmem_max{};  ///< net.core.optmem_max in each namespace; unset: kernel default
};

/// Two namespaces `copybench-<pid>-<n>-srv` / `-cli`, veth `veth-srv` 10.77.0.1/30 in the first
/// and `veth-cli` 10.77.0.2/30 in the second, both ends and `lo` up. The destructor deletes both
/// namespaces (which destroys the veth pair) and never throws. A SIGKILLed owner leaves them
/// behind for cleanup_stale_namespaces().
class NetnsPair {
 public:
  /// Throws Error naming the failed step and the reason; what was already made is removed.
  /// Without the capabilities, the Error says so and suggests `--topology loopback`.
  static std::unique_ptr<NetnsPair> create(const NetnsOptions& options = {});
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;
  ~NetnsPair();

  const std::string& server_ns() const { return server_ns_; }
  const std::string& client_ns() const { return client_ns_; }
  std::string server_address() const { return "10.77.0.1"; }
  std::string client_address() const { return "10.77.0.2"; }
  std::string server_interface() const { return "veth-srv"; }
  std::string client_interface() const { return "veth-cli"; }
  int mtu() const { return mtu_; }
  /// net.core.optmem_max as read back inside each namespace; nullopt where unreadable.
  std::optional<long> server_optmem_max() const { return server_optmem_max_; }
  std::optional<long> client_optmem_max() const { return client_optmem_max_; }

 private:
  NetnsPair() = default;
  void add_namespace(const std::string& name);
  void build(const NetnsOptions& options);

  std::string server_ns_, client_ns_;
  std::vector<std::string> created_;  // namespaces this object deletes
  int mtu_ = 0;
  std::optional<long> server_optmem_max_, client_optmem_max_;
};

/// Names under /run/netns of the form copybench-<pid>-<n>-srv|cli, sorted.
std::vector<std::string> list_copybench_namespaces();

/// Deletes the copybench namespaces whose <pid> is no running process (kill(pid, 0) gives
/// ESRCH); returns their names. Others, and everything not named that way, are left alone.
/// Throws Error after trying them all if some could not be deleted.
std::vector<std::string> cleanup_stale_namespaces();

/// Runs `body` on a new thread that has first joined namespace `name` (network namespaces are
/// per thread); joins it and rethrows what body threw. Sockets made in body stay in `name`.
void run_in_netns(const std::string& name, std::function<void()> body);

/// /run/netns/NAME opened for setns(CLONE_NEWNET); throws Error naming it.
Fd open_netns(const std::string& name);

/// Runs `ip ARGS...` (no shell, own process group, 10 s limit); returns its stdout. On failure
/// throws Error("<what>: <ip's stderr>").
std::string run_ip(const std::vector<std::string>& args, const std::string& what);

/// Path of the `ip` binary, or nullopt when iproute2 is not installed.
std::optional<std::string> ip_command();

/// Whether this process has CAP_SYS_ADMIN and CAP_NET_ADMIN (what create() needs).
bool has_netns_privileges();

}  // namespace copybench
