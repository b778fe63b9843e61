#include "session/test_session.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "machine/environment.h"
#include "metrics/tcp_info.h"
#include "results/server_report.h"
#include "session/side_figures.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kConnectGraceNs = 10 * kSecond;  // for the data connections and START
constexpr int64_t kStopGraceNs = 30 * kSecond;     // STOP after our window, at the latest
constexpr int64_t kFinishGraceNs = 5 * kSecond;    // streams to end by themselves after STOP
constexpr int64_t kJoinGraceNs = 30 * kSecond;     // then, their sockets shut down, to return

enum class ControlEvent { deadline, stop, closed, aborted };

// Waits until deadline_ns for a control frame; STOP, EOF and abort() end the wait early.
ControlEvent wait_control(int fd, int64_t deadline_ns, const std::atomic<bool>& aborted) {
  for (;;) {
    if (aborted.load()) return ControlEvent::aborted;
    int64_t left_ns = deadline_ns - now_ns();
    if (left_ns <= 0) return ControlEvent::deadline;
    // Round up: returning before the deadline would cut the sender's window short.
    int64_t left_ms = (left_ns + 999'999) / 1'000'000;
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 100)));
    if (rc <= 0) continue;
    auto frame = read_frame(fd, now_ns() + 5 * kSecond);
    if (!frame) return ControlEvent::closed;
    if (frame->type == FrameType::stop) return ControlEvent::stop;
    throw ProtocolError(fmt::format("unexpected {} frame during the test", frame_type_name(frame->type)));
  }
}

}  // namespace

TestSession::TestSession(uint64_t id, TestParams params, std::string peer_host)
    : id_(id),
      params_(std::move(params)),
      peer_host_(std::move(peer_host)),
      role_(connection_role(params_, End::server)),
      counters_(params_.threads),
      meter_(params_, role_.timed(params_) ? params_.threads : 0),
      streams_(params_.threads) {
  window_.watch([this] { return read_sockets(); }, params_.interval_ns);
}

std::vector<TcpSample> TestSession::read_sockets() {
  std::lock_guard lock(mu_);  // a stream's fd is -1 before its thread closes it (finish_stream)
  std::vector<TcpSample> samples;
  samples.reserve(streams_.size());
  for (const auto& s : streams_) {
    if (s.fd >= 0) {
      samples.push_back(sample_tcp(s.fd));
    } else {
      samples.emplace_back();
      samples.back().t_ns = now_ns();
      samples.back().error = "the connection had ended";
    }
  }
  return samples;
}

void TestSession::attach(int index, pid_t tid, int fd) {
  std::lock_guard lock(mu_);
  if (index < 0 || index >= params_.threads)
    throw ProtocolError(fmt::format("stream {} is out of range (test has {})", index, params_.threads));
  if (streams_[index].attached) throw ProtocolError(fmt::format("stream {} is already connected", index));
  if (started_ || aborted_) throw ProtocolError("the test has already started");
  streams_[index].attached = true;
  streams_[index].tid = tid;
  streams_[index].fd = fd;
  cv_.notify_all();
}

void TestSession::fail_stream(int index, const std::string& error) {
  std::lock_guard lock(mu_);
  streams_[index].totals.error = error;
  streams_[index].fd = -1;
  streams_[index].finished = true;
  aborted_ = true;  // the test cannot run without it
  stop_.store(true);
  cv_.notify_all();
}

bool TestSession::streams_done() {
  std::lock_guard lock(mu_);
  return std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return !s.attached || s.finished; });
}

bool TestSession::wait_for_start() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return started_ || aborted_; });  // run_control bounds this wait
  return started_ && !aborted_;
}

void TestSession::finish_stream(int index, ConnectionTotals totals, const SendAccounting& sent,
                                const RecvAccounting& received) {
  std::lock_guard lock(mu_);
  streams_[index].totals = std::move(totals);
  streams_[index].sent = sent;
  streams_[index].received = received;
  streams_[index].fd = -1;  // closed when its thread returns: abort() must no longer touch it
  streams_[index].finished = true;
  cv_.notify_all();
}

std::optional<HeldBuffers> TestSession::run_data_connection(int index, Fd fd, std::unique_ptr<SendStrategy> send,
                                                            std::unique_ptr<RecvStrategy> receive) {
  // A receiver's EOF is its stream's end at any time: the client's senders half-close each
  // connection once their last message after STOP is out, perhaps before STOP reaches this
  // end. A client that died closes its control connection too, which fails the test there.
  static const std::atomic<bool> eof_ends_the_stream{true};
  ConnectionTotals totals;
  if (wait_for_start()) {
    const RoleSignals signals{.stop = stop_, .eof_ends = eof_ends_the_stream, .abandon = abandoned_};
    totals = run_connection(role_,
                            {.fd = fd.get(),
                             .index = static_cast<uint32_t>(index),
                             .params = &params_,
                             .send = send.get(),
                             .receive = receive.get(),
                             .counters = &counters_[index],
                             .histogram = meter_.histogram(index),
                             .recording = &meter_.recording()},
                            signals);
  }
  const SendAccounting sent = send ? send->accounting() : SendAccounting{};
  const RecvAccounting received = receive ? receive->accounting() : RecvAccounting{};
  std::optional<HeldBuffers> held;
  if (send && send->holds_buffers())  // the kernel may still read them: not ours to free
    held = HeldBuffers{std::move(fd), std::move(send), 0};
  finish_stream(index, std::move(totals), sent, received);
  return held;
}

void TestSession::wait_for_streams(int64_t deadline_ns, int control_fd) {
  std::unique_lock lock(mu_);
  auto all_attached = [&] {
    return std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return s.attached; });
  };
  while (!all_attached() || aborted_) {
    if (aborted_) {
      for (const auto& s : streams_)
        if (!s.totals.error.empty()) throw Error(fmt::format("a data connection failed: {}", s.totals.error));
      throw Error("the test was aborted");
    }
    if (now_ns() >= deadline_ns) {
      auto n = std::count_if(streams_.begin(), streams_.end(), [](const Stream& s) { return s.attached; });
      throw Error(fmt::format("only {} of {} data connections arrived", n, params_.threads));
    }
    // A client that gave up (or never meant to go on) frees the test's place now, not at the
    // deadline: the place counts against --max-clients.
    if (peer_closed(control_fd)) throw Error("the client closed the control connection before its data connections");
    cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return all_attached() || aborted_; });
  }
}

void TestSession::open_counters() {
  std::vector<pid_t> tids;  // the connections', in index order
  {
    std::lock_guard lock(mu_);
    for (const auto& s : streams_) tids.push_back(s.tid);
  }
  meter_.open_counters(tids, current_tid(), &counters_);
}

void TestSession::abort() {
  end_streams();
  std::lock_guard lock(mu_);
  if (control_fd_ >= 0) ::shutdown(control_fd_, SHUT_RDWR);
}

void TestSession::end_streams() {
  stop_.store(true);
  abandoned_.store(true);
  std::lock_guard lock(mu_);
  aborted_ = true;
  shut_down_sockets();
  cv_.notify_all();
}

void TestSession::shut_down_sockets() {
  // A thread blocked in send() to a peer that reads a little now and then, or in recv() from
  // one that sends nothing, returns at once: the test's end does not wait on any peer.
  for (const auto& s : streams_)
    if (s.fd >= 0) ::shutdown(s.fd, SHUT_RDWR);
}

void TestSession::stop_and_wait() {
  stop_.store(true);
  std::unique_lock lock(mu_);
  cv_.notify_all();
  auto done = [&] {
    return std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return !s.attached || s.finished; });
  };
  if (cv_.wait_for(lock, std::chrono::nanoseconds(aborted_ ? 0 : kFinishGraceNs), done)) return;
  abandoned_.store(true);  // rr responders: no next transaction
  shut_down_sockets();
  if (!cv_.wait_for(lock, std::chrono::nanoseconds(kJoinGraceNs), done))
    throw Error("data connections did not return within 30 s of their sockets' shutdown");
}

std::string TestSession::run_control(int control_fd) {
  {
    std::lock_guard lock(mu_);
    control_fd_ = control_fd;
    if (aborted_) ::shutdown(control_fd, SHUT_RDWR);
  }
  try {
    wait_for_streams(now_ns() + kConnectGraceNs, control_fd);
    open_counters();  // before START: opening many events takes time
    // The client waits for this before START: a server slower to open its meter than the
    // client's warm-up and window would otherwise time a window the traffic has already left.
    write_frame(control_fd, FrameType::ready, "", now_ns() + kConnectGraceNs);
    auto start = read_frame(control_fd, now_ns() + kConnectGraceNs);
    if (!start || start->type != FrameType::start) throw ProtocolError("expected START from the client");
    {
      std::lock_guard lock(mu_);
      t0_ns_ = now_ns();
      started_ = true;
      cv_.notify_all();
    }
    const int64_t window_begin = t0_ns_ + params_.warmup_ns, window_end = window_begin + params_.duration_ns;
    auto event = wait_control(control_fd, window_begin, abandoned_);
    if (event == ControlEvent::deadline) {
      window_.open();
      for (;;) {  // ending each --interval on the way
        const int64_t until = std::min(window_end, window_.next_tick_ns());
        event = wait_control(control_fd, until, abandoned_);
        if (event != ControlEvent::deadline || until >= window_end) break;
        window_.tick();
      }
      window_.close();  // at the window's end, or at an early STOP
    }
    if (event == ControlEvent::deadline) event = wait_control(control_fd, window_end + kStopGraceNs, abandoned_);
    switch (event) {
      case ControlEvent::stop: break;
      case ControlEvent::closed: throw Error("the client closed the control connection mid-run");
      case ControlEvent::aborted: throw Error("the server is shutting down");
      case ControlEvent::deadline: throw Error("no STOP from the client within 30 s of the window's end");
    }
    stop_and_wait();
    forget_control();
    return result_payload(control_fd);
  } catch (...) {
    window_.abandon();
    end_streams();  // the control connection stays up: it carries the reason (ABORT)
    try {
      stop_and_wait();
    } catch (const Error&) {
      // The original failure is the one worth reporting; streams_done() tells the server.
    }
    forget_control();
    throw;
  }
}

void TestSession::forget_control() {
  std::lock_guard lock(mu_);
  control_fd_ = -1;
}

void TestSession::set_grant(int index, SocketGrant grant) {
  std::lock_guard lock(mu_);
  if (index >= 0 && index < static_cast<int>(streams_.size())) streams_[index].grant = std::move(grant);
}

std::string TestSession::result_payload(int control_fd) {
  std::lock_guard lock(mu_);
  SideMeasurements m{.role = &role_,
                     .counters = &counters_,
                     .window = &window_,
                     .start_ns = t0_ns_,
                     .connections = {},
                     .meter = &meter_,
                     .zerocopy_sends = false};  // set below, from what its sends counted
  ServerReport report;
  std::vector<SendAccounting> sent;
  std::vector<RecvAccounting> received;
  for (const auto& s : streams_) {
    m.connections.push_back(connection_end(s.totals, &s.sent));
    report.messages_checked += s.totals.messages_checked;  // rr: the requests; reverse: the stream
    report.corrupt_messages += s.totals.corrupt_messages;
    report.trailing_bytes += s.totals.trailing_bytes;
    sent.push_back(s.sent);
    received.push_back(s.received);
  }
  if (role_.side == Side::sender) report.zerocopy = zerocopy_of(sent);
  m.zerocopy_sends = report.zerocopy.has_value();
  report.side = side_figures(m);
  add_receive_copy(report.side, received);
  if (!streams_.empty() && streams_.front().grant) report.side.socket = streams_.front().grant;
  else report.side.socket_reason = "the first data connection was not set up";
  report.environment = collect_environment(control_fd);
  report.side.host = report.environment.hostname;
  return encode_server_report(report);
}

}  // namespace copybench
