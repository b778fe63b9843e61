#include "sweep/topology.h"

#include <fmt/format.h>

#include "core/error.h"
#include "net/netns.h"

namespace copybench {

const char* topology_name(TopologyKind kind) {
  switch (kind) {
    case TopologyKind::loopback: return "loopback";
    case TopologyKind::netns: return "netns";
    case TopologyKind::remote: return "remote";
  }
  return "?";
}

TopologyKind parse_topology(const std::string& text) {
  if (text == "loopback") return TopologyKind::loopback;
  if (text == "netns") return TopologyKind::netns;
  if (text == "remote") return TopologyKind::remote;
  throw UsageError(fmt::format("unknown topology '{}' (choose loopback, netns or remote)", text));
}

TopologyKind default_topology() { return has_netns_privileges() ? TopologyKind::netns : TopologyKind::loopback; }

Topology::Topology(const TopologyOptions& options) : kind_(options.kind) {
  switch (options.kind) {
    case TopologyKind::loopback: description_ = "loopback: server and client on 127.0.0.1"; break;
    case TopologyKind::netns: {
      NetnsOptions ns;
      ns.mtu = options.mtu;
      ns.optmem_max = options.optmem_max;
      netns_ = NetnsPair::create(ns);
      placement_.server_netns = netns_->server_ns();
      placement_.client_netns = netns_->client_ns();
      placement_.bind_address = placement_.connect_host = netns_->server_address();
      description_ = fmt::format(
          "netns: namespaces {} (server) and {} (client) joined by a veth pair, MTU {}, {} -> {}", netns_->server_ns(),
          netns_->client_ns(), options.mtu, netns_->client_address(), netns_->server_address());
      break;
    }
    case TopologyKind::remote:
      if (options.host.empty()) throw UsageError("--topology remote needs --host");
      placement_.spawn_server = false;
      placement_.connect_host = options.host;
      placement_.remote_port = options.port;
      placement_.secret_file = options.secret_file;
      description_ = fmt::format("remote: copybench server at {}:{}", options.host, options.port);
      break;
  }
}

Topology::~Topology() = default;

}  // namespace copybench
