#pragma once
// The client's connections to one test: the control connection, then one data connection per
// --threads, each with the strategies its role uses (session/roles/roles.h): the receive
// strategy where it receives (a forward stream, rr's responses), the send strategy where it
// sends (a reverse stream, rr's requests).
#include <memory>
#include <optional>
#include <vector>

#include "machine/environment.h"
#include "net/socket.h"
#include "session/client.h"
#include "session/roles/roles.h"
#include "session/side_figures.h"
#include "session/window.h"
#include "session/window_meter.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

class ClientConnections {
 public:
  explicit ClientConnections(const ClientOptions& options);
  ClientConnections(const ClientConnections&) = delete;
  ClientConnections& operator=(const ClientConnections&) = delete;
  /// A zero-copy send the kernel has not released (a peer that stopped reading, reset) may
  /// still read its buffers: they are kept, with their sockets, until the process ends.
  ~ClientConnections();

  /// Connects and handshakes every connection; throws Error. The path MTU goes into `env`.
  void open(Environment& env);

  const RoleInfo& role() const { return role_; }
  int control() const { return control_.get(); }
  int data(int i) const { return data_[i].get(); }
  /// What connection i's role works with, its counters and its meter's histogram.
  ConnectionWork work(int i, StreamCounters& counters, WindowMeter& meter) const;
  /// Wakes every thread blocked in a data connection now.
  void shut_down();

  /// Connection i's end: its role's totals and its send strategy's calls.
  ConnectionEnd end_of(int i, const ConnectionTotals& totals) const;
  /// Whether this end's sends used MSG_ZEROCOPY (the profile's copy count).
  bool zerocopy_sends() const { return !senders_.empty() && senders_.front()->accounting().zerocopy; }
  std::vector<SendAccounting> send_accounting() const;
  std::vector<RecvAccounting> recv_accounting() const;
  /// What the first data connection's socket got; null before open() reached it.
  const std::optional<SocketGrant>& grant() const { return grant_; }

 private:
  const ClientOptions& opt_;
  const TestParams& p_;
  const RoleInfo& role_;
  Fd control_;
  std::vector<Fd> data_;
  std::vector<std::unique_ptr<SendStrategy>> senders_;    // roles that send: one per connection
  std::vector<std::unique_ptr<RecvStrategy>> receivers_;  // roles that receive: one per connection
  std::optional<SocketGrant> grant_;
};

}  // namespace copybench
