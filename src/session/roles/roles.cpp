#include "session/roles/roles.h"

#include <algorithm>

#include "session/affinity.h"
#include "session/roles/receiver.h"
#include "session/roles/requester.h"
#include "session/roles/responder.h"
#include "session/roles/sender.h"

namespace copybench {
namespace {

bool always(const TestParams&) { return true; }
bool never(const TestParams&) { return false; }
bool when_latency(const TestParams& p) { return p.latency; }

uint64_t messages(const TestParams& p) { return p.message_bytes; }
uint64_t responses(const TestParams& p) { return p.response_size(); }

RecvContext no_context(const TestParams&, int path_mtu) { return {0, 0, path_mtu}; }
RecvContext stream_of(const TestParams& p, int path_mtu) {
  return stream_context(p.message_bytes, p.recv_size(), path_mtu);
}
RecvContext responses_of(const TestParams& p, int path_mtu) { return rr_context(p.response_size(), path_mtu); }
RecvContext requests_of(const TestParams& p, int path_mtu) { return rr_context(p.message_bytes, path_mtu); }

ConnectionTotals send_stream(const ConnectionWork& w, const RoleSignals& s) {
  run_sender(w.fd, *w.send, *w.params, w.index, *w.counters, s.stop, w.histogram, *w.recording);
  return {};
}

ConnectionTotals receive_stream(const ConnectionWork& w, const RoleSignals& s) {
  return run_receiver(w.fd, *w.receive, *w.params, w.index, *w.counters, s.eof_ends);
}

ConnectionTotals request(const ConnectionWork& w, const RoleSignals& s) {
  return run_requester(w.fd, *w.send, *w.receive, *w.params, w.index, *w.counters, s.stop, w.histogram, *w.recording);
}

ConnectionTotals respond(const ConnectionWork& w, const RoleSignals& s) {
  ConnectionTotals totals;
  run_responder(w.fd, *w.send, *w.receive, *w.params, w.index, *w.counters, s.abandon, totals);
  return totals;
}

// rr's two roles set TCP_NODELAY, as sockperf does: without it a request or response split
// over several sends (two-copy) waits for the peer's delayed ACK, and the round trip measures
// 40 ms timers, not copying. Indexed by Role.
constexpr RoleInfo kRoles[] = {
    {.role = Role::sender,
     .side = Side::sender,
     .sends = true,
     .receive = RoleReceive::none,
     .nodelay = false,
     .latency_what = "send_call",
     .no_latency_reason = "send-call timing was turned off (--no-latency)",
     .timed = when_latency,
     .sent_message_bytes = messages,
     .receive_context = no_context,
     .run = send_stream},
    {.role = Role::receiver,
     .side = Side::receiver,
     .sends = false,
     .receive = RoleReceive::test_recv,
     .nodelay = false,
     .latency_what = "",
     .no_latency_reason = "in stream mode the sender times its send calls; the receiver times nothing",
     .timed = never,
     .sent_message_bytes = messages,
     .receive_context = stream_of,
     .run = receive_stream},
    {.role = Role::responder,
     .side = Side::sender,
     .sends = true,
     .receive = RoleReceive::plain_recv,
     .nodelay = true,
     .latency_what = "",
     .no_latency_reason = "in rr mode the requester (client) times the transactions",
     .timed = never,
     .sent_message_bytes = responses,
     .receive_context = requests_of,
     .run = respond},
    {.role = Role::requester,
     .side = Side::receiver,
     .sends = true,
     .receive = RoleReceive::test_recv,
     .nodelay = true,
     .latency_what = "transaction",
     .no_latency_reason = "",
     .timed = always,
     .sent_message_bytes = messages,
     .receive_context = responses_of,
     .run = request},
};

static_assert(kRoles[static_cast<size_t>(Role::sender)].role == Role::sender &&
              kRoles[static_cast<size_t>(Role::receiver)].role == Role::receiver &&
              kRoles[static_cast<size_t>(Role::responder)].role == Role::responder &&
              kRoles[static_cast<size_t>(Role::requester)].role == Role::requester);

}  // namespace

Side side_of(End end, Direction direction) {
  const bool server_sends = direction != Direction::reverse;
  return (end == End::server) == server_sends ? Side::sender : Side::receiver;
}

const RoleInfo& role_info(Role role) { return kRoles[static_cast<size_t>(role)]; }

const RoleInfo& connection_role(const TestParams& params, End end) {
  return role_info(role_of(side_of(end, params.direction), params.mode));
}

std::unique_ptr<SendStrategy> make_send_strategy(const RoleInfo& role, const TestParams& params) {
  if (!role.sends) return nullptr;
  return strategy_info(params.strategy).make(role.sent_message_bytes(params));
}

std::unique_ptr<RecvStrategy> make_recv_strategy(const RoleInfo& role, const TestParams& params, int path_mtu) {
  switch (role.receive) {
    case RoleReceive::none: return nullptr;
    case RoleReceive::test_recv:
      return recv_strategy_info(params.recv_strategy).make(role.receive_context(params, path_mtu));
    case RoleReceive::plain_recv: return make_plain_recv(role.receive_context(params, path_mtu));
  }
  return nullptr;
}

SocketKnobs socket_knobs(const RoleInfo& role, const TestParams& params) {
  SocketKnobs k{.window_bytes = params.window_bytes,
                .congestion = params.congestion,
                .mss_bytes = params.mss_bytes,
                .nodelay = role.nodelay || params.nodelay};
  if (role.role == Role::sender && params.rate_bps != 0 && params.pacing == Pacing::kernel)
    k.max_pacing_bytes_per_s = std::max<uint64_t>(1, params.rate_bps / 8);
  return k;
}

uint64_t connection_buffer_bytes(const RoleInfo& role, const TestParams& params) {
  uint64_t bytes = role.sends ? strategy_info(params.strategy).buffer_bytes(role.sent_message_bytes(params)) : 0;
  const RecvContext context = role.receive_context(params, -1);
  if (role.receive == RoleReceive::test_recv) bytes += recv_strategy_info(params.recv_strategy).footprint(context);
  if (role.receive == RoleReceive::plain_recv) bytes += std::max<size_t>(context.read_bytes, 1);  // plain's one buffer
  return bytes;
}

ConnectionTotals run_connection(const RoleInfo& role, const ConnectionWork& work, const RoleSignals& signals) {
  ConnectionTotals totals;
  if (auto why = pin_current_thread(pin_cpu(work.params->pin, static_cast<int>(work.index), role.side == Side::sender));
      !why.empty()) {
    totals.error = why;
    return totals;
  }
  try {
    totals = role.run(work, signals);
  } catch (const std::exception& e) {
    totals.error = e.what();  // the loops drain what they can before they throw
  }
  return totals;
}

}  // namespace copybench
