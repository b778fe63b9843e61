#pragma once
// Where a test's two processes run and how the client reaches the server: the variation point
// of `sweep` (and `run`). loopback: both in this namespace on 127.0.0.1; netns: the server in
// one namespace and the client in another, joined by a veth pair (the study's setup); remote:
// a `copybench server` already running on another host.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace copybench {

class NetnsPair;

enum class TopologyKind { loopback, netns, remote };

const char* topology_name(TopologyKind kind);
TopologyKind parse_topology(const std::string& text);  // throws UsageError

struct TopologyOptions {
  TopologyKind kind = TopologyKind::loopback;
  int mtu = 1500;                  // netns: both veth ends
  std::optional<long> optmem_max;  // netns: net.core.optmem_max inside both namespaces
  std::string host;                // remote
  uint16_t port = 7470;            // remote
  std::string secret_file;  // remote: the clients' --secret-file (not saved in the plan: a resume gives it again)
};

/// What the runner needs to start one test.
struct Placement {
  bool spawn_server = true;  // false: remote, the server is already there
  std::string server_netns;  // "" = this process's namespace
  std::string client_netns;
  std::string bind_address = "127.0.0.1";
  std::string connect_host = "127.0.0.1";
  uint16_t remote_port = 0;  // remote only: the server's port
  std::string secret_file;   // remote only: passed to the client as --secret-file (the path, never the secret)
};

/// Owns what the topology needs (the namespaces) for its lifetime; the destructor removes it.
class Topology {
 public:
  explicit Topology(const TopologyOptions& options);  // throws Error naming what failed
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const Placement& placement() const { return placement_; }
  TopologyKind kind() const { return kind_; }
  /// One line for logs and the report, e.g. "netns: veth pair, MTU 1500, 10.77.0.2 -> 10.77.0.1".
  std::string describe() const { return description_; }

 private:
  TopologyKind kind_;
  std::unique_ptr<NetnsPair> netns_;
  Placement placement_;
  std::string description_;
};

/// The default topology: netns when this process may create namespaces (root), else loopback.
TopologyKind default_topology();

}  // namespace copybench
