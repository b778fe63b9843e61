#include "session/client.h"

#include <fmt/format.h>
#include <optional>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "machine/environment.h"
#include "results/directions.h"
#include "results/knobs.h"
#include "results/limits.h"
#include "results/server_report.h"
#include "session/client_connections.h"
#include "session/client_window.h"
#include "session/side_figures.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
// Once RESULT is in, the server's streams have finished (it sends RESULT after they end), so
// the data connections reach their end at once; a server that keeps sending is cut off here.
constexpr int64_t kDataEndAfterResultNs = 5 * kSecond;

// A connection that fails resets it: the other side's error is the echo, the sender's is
// the cause, so the sender's come first. Labels as the errors name the connections.
const char* connection_label(Side side, End end) {
  if (side == Side::sender) return "sender ";
  return end == End::client ? "" : "server's receiving ";
}

// One test from the client's end: connect, measure, collect the server's figures, then
// assemble both sides into one result. Failures become the result's status, never a throw.
// Which side each end measures is its role's (forward and rr: the server sends; reverse: the
// client); the figures keep their side's name either way.
class ClientRun {
 public:
  ClientRun(const ClientOptions& options, const std::atomic<bool>& interrupted, StartGate* gate = nullptr)
      : opt_(options),
        p_(options.params),
        interrupted_(interrupted),
        window_(options, connections_, interrupted_, gate) {}

  RunResult run() {
    begin_result();
    try {
      connections_.open(local_env_);
      window_.run();
      collect_server();
      if (!window_.connections_end_by(now_ns() + kDataEndAfterResultNs))
        throw Error(fmt::format("the server kept sending on its data connections {} after its figures (RESULT)",
                                format_duration(kDataEndAfterResultNs)));
    } catch (const std::exception& e) {
      fail(e.what());
    }
    window_.leave_gate();
    window_.finish(result_.status != RunStatus::ok);
    result_.set_environment(local_, local_env_);
    connection_errors();
    if (window_.started()) local_figures();
    decide_limit(result_);
    decide_rate(result_);
    if (!result_.figures(remote_) && !result_.error.empty()) result_.missing_reason(remote_) = result_.error;
    if (interrupted_.load() && result_.status == RunStatus::ok) {
      result_.status = RunStatus::interrupted;
      result_.error = window_.completed() ? "interrupted after the window" : "interrupted before the window's end";
    }
    return std::move(result_);
  }

 private:
  void begin_result() {
    result_.params = p_;
    result_.started_at = utc_timestamp();
    // An IPv6 literal is bracketed, as in a URL: "::1:7470" would be ambiguous.
    result_.server = opt_.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", opt_.host, opt_.port)
                                                              : fmt::format("{}:{}", opt_.host, opt_.port);
    result_.verify.enabled = p_.verify;
    result_.missing_reason(remote_) = "the test did not reach its end";
    local_env_ = collect_environment();  // path MTU added once connected
  }

  void fail(const std::string& why) {
    if (result_.status == RunStatus::ok) {
      result_.status = interrupted_.load() ? RunStatus::interrupted : RunStatus::failed;
      result_.error = why;
    }
  }

  // The server's figures, within the RESULT wait after STOP (ClientOptions::result_timeout_ms).
  std::optional<Frame> read_result() {
    const int64_t wait_ns =
        opt_.result_timeout_ms > 0 ? int64_t{opt_.result_timeout_ms} * 1'000'000 : p_.threads * kSecond + 60 * kSecond;
    const int64_t deadline = now_ns() + wait_ns;
    try {
      return read_frame(connections_.control(), deadline);
    } catch (const Error&) {
      if (now_ns() < deadline) throw;  // reset, or not a frame: its own message says which
      throw Error(fmt::format("no figures (RESULT) from the server within {} of STOP", format_duration(wait_ns)));
    }
  }

  void collect_server() {
    auto frame = read_result();
    if (!frame) throw Error("the server closed the control connection before sending its figures");
    if (frame->type == FrameType::abort) throw Error("the server ended the test: " + frame->payload);
    if (frame->type != FrameType::result)
      throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
    auto report = decode_server_report(frame->payload, p_.threads, remote_);
    result_.figures(remote_) = std::move(report.side);
    result_.set_environment(remote_, std::move(report.environment));
    if (remote_ == Side::sender) result_.zerocopy = report.zerocopy;
    // What the server checked: rr's requests, or a reverse stream (a sender checks nothing).
    result_.verify.messages_checked += report.messages_checked;
    result_.verify.corrupt_messages += report.corrupt_messages;
    trailing_bytes_ += report.trailing_bytes;
  }

  void connection_errors() {
    for (Side side : kSides) {  // the sender's first
      const std::string label = connection_label(side, side == local_ ? End::client : End::server);
      if (side == local_) {
        const auto& totals = window_.totals();
        for (int i = 0; window_.started() && i < static_cast<int>(totals.size()); ++i)
          if (!totals[i].error.empty()) fail(fmt::format("{}connection {}: {}", label, i, totals[i].error));
      } else if (const auto& remote = result_.figures(side)) {
        for (const auto& s : remote->streams)
          if (s.error) fail(fmt::format("{}connection {}: {}", label, s.index, *s.error));
      }
    }
  }

  // This end's side, then what the two sides say together (verify).
  void local_figures() {
    SideFigures side = side_figures(window_.measurements());
    side.host = local_env_.hostname;
    add_receive_copy(side, connections_.recv_accounting());
    side.socket = connections_.grant();
    if (!side.socket) side.socket_reason = "no data connection was set up";
    for (const auto& t : window_.totals()) {  // what this end checked: the stream, or rr's responses
      result_.verify.messages_checked += t.messages_checked;
      result_.verify.corrupt_messages += t.corrupt_messages;
      trailing_bytes_ += t.trailing_bytes;
    }
    if (local_ == Side::sender) result_.zerocopy = zerocopy_of(connections_.send_accounting());
    result_.figures(local_) = std::move(side);
    if (trailing_bytes_ > 0) fail(fmt::format("{} bytes of an incomplete message arrived at the end", trailing_bytes_));
    if (result_.sender && result_.receiver) verify_both_sides();
  }

  void verify_both_sides() {
    result_.verify.bytes_match = result_.sender->bytes_total == result_.receiver->bytes_total;
    uint64_t missing = 0;
    for (int i = 0; i < p_.threads && i < static_cast<int>(result_.sender->streams.size()) &&
                    i < static_cast<int>(result_.receiver->streams.size());
         ++i) {
      uint64_t sent = result_.sender->streams[i].messages_total, got = result_.receiver->streams[i].messages_total;
      missing += sent > got ? sent - got : 0;
    }
    result_.verify.missing_messages = missing;
  }

  const ClientOptions& opt_;
  const TestParams& p_;
  const std::atomic<bool>& interrupted_;
  const Side local_ = side_of(End::client, p_.direction);
  const Side remote_ = local_ == Side::sender ? Side::receiver : Side::sender;
  RunResult result_;
  Environment local_env_;
  uint64_t trailing_bytes_ = 0;  // of an incomplete last message, either end's receivers
  ClientConnections connections_{opt_};
  ClientWindow window_;
};

// --bidir: a forward and a reverse test against the same server, at once, START together.
RunResult run_both_directions(const ClientOptions& options, const std::atomic<bool>& interrupted) {
  StartGate gate(2);
  ClientOptions forward = options, reverse = options;
  forward.params.direction = Direction::forward;
  reverse.params.direction = Direction::reverse;
  if (reverse.params.cport != 0) reverse.params.cport += options.params.threads;  // after the forward's ports
  RunResult reverse_result;
  std::thread other([&] { reverse_result = ClientRun(reverse, interrupted, &gate).run(); });
  RunResult forward_result = ClientRun(forward, interrupted, &gate).run();
  other.join();
  RunResult both = combine_directions(std::move(forward_result), std::move(reverse_result));
  decide_rate(both);
  return both;
}

}  // namespace

RunResult run_client(const ClientOptions& options, const std::atomic<bool>& interrupted) {
  if (options.params.direction == Direction::bidir) return run_both_directions(options, interrupted);
  return ClientRun(options, interrupted).run();
}

}  // namespace copybench
