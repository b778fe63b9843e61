#include "run/test_session.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/error.h"
#include "net/protocol.h"
#include "results/sender_report.h"
#include "run/environment.h"
#include "run/affinity.h"
#include "run/rr.h"
#include "run/sender.h"
#include "run/side_figures.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kConnectGraceNs = 10 * kSecond;  // for the data connections and START
constexpr int64_t kStopGraceNs = 30 * kSecond;     // STOP after our window, at the latest
constexpr int64_t kDrainGraceNs = 30 * kSecond;    // streams to finish after stop

enum class ControlEvent { deadline, stop, closed };

// Waits until deadline_ns for a control frame; STOP and EOF end the wait early.
ControlEvent wait_control(int fd, int64_t deadline_ns) {
  for (;;) {
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

TestSession::TestSession(uint64_t id, TestParams params)
    : id_(id),
      params_(std::move(params)),
      counters_(params_.threads),
      meter_(params_, params_.mode == TestMode::stream && params_.latency ? params_.threads : 0),
      streams_(params_.threads) {}

void TestSession::attach(int index, pid_t tid) {
  std::lock_guard lock(mu_);
  if (index < 0 || index >= params_.threads)
    throw ProtocolError(fmt::format("stream {} is out of range (test has {})", index, params_.threads));
  if (streams_[index].attached) throw ProtocolError(fmt::format("stream {} is already connected", index));
  if (started_ || aborted_) throw ProtocolError("the test has already started");
  streams_[index].attached = true;
  streams_[index].tid = tid;
  cv_.notify_all();
}

void TestSession::run_stream(int index, Fd fd, std::unique_ptr<SendStrategy> strategy) {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ || aborted_; });  // run_control bounds this wait
  }
  std::string error;
  ReceiverTotals rr;
  try {
    auto connection = static_cast<uint32_t>(index);
    if (auto why = pin_current_thread(pin_cpu(params_.pin, index, true)); !why.empty()) throw Error(why);
    if (params_.mode == TestMode::rr)
      run_responder(fd.get(), *strategy, params_, connection, counters_[index], abandoned_, rr);
    else if (!stop_.load())
      run_sender(fd.get(), *strategy, params_, connection, counters_[index], stop_, meter_.histogram(index),
                 meter_.recording());
  } catch (const std::exception& e) {
    error = e.what();  // run_sender has already drained what it could
  }
  std::lock_guard lock(mu_);
  streams_[index].accounting = strategy->accounting();
  streams_[index].error = error;
  streams_[index].rr = rr;
  streams_[index].finished = true;
  cv_.notify_all();
}

void TestSession::wait_for_streams(int64_t deadline_ns, int control_fd) {
  std::unique_lock lock(mu_);
  auto all_attached = [&] {
    return std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return s.attached; });
  };
  while (!all_attached()) {
    if (now_ns() >= deadline_ns) {
      auto n = std::count_if(streams_.begin(), streams_.end(), [](const Stream& s) { return s.attached; });
      throw Error(fmt::format("only {} of {} data connections arrived", n, params_.threads));
    }
    // A client that gave up (or never meant to go on) frees the test's place now, not at the
    // deadline: the place counts against --max-clients.
    if (peer_closed(control_fd)) throw Error("the client closed the control connection before its data connections");
    cv_.wait_for(lock, std::chrono::milliseconds(100), all_attached);
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
  stop_.store(true);
  abandoned_.store(true);
  std::lock_guard lock(mu_);
  aborted_ = true;
  cv_.notify_all();
}

void TestSession::stop_and_wait() {
  stop_.store(true);
  std::unique_lock lock(mu_);
  cv_.notify_all();
  auto done = [&] {
    return std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return !s.attached || s.finished; });
  };
  if (!cv_.wait_for(lock, std::chrono::nanoseconds(kDrainGraceNs), done))
    throw Error("data connections did not finish within 30 s of the stop");
}

std::string TestSession::run_control(int control_fd) {
  try {
    wait_for_streams(now_ns() + kConnectGraceNs, control_fd);
    open_counters();  // before START: opening many events takes time
    auto start = read_frame(control_fd, now_ns() + kConnectGraceNs);
    if (!start || start->type != FrameType::start) throw ProtocolError("expected START from the client");
    {
      std::lock_guard lock(mu_);
      t0_ns_ = now_ns();
      started_ = true;
      cv_.notify_all();
    }
    const int64_t window_begin = t0_ns_ + params_.warmup_ns, window_end = window_begin + params_.duration_ns;
    auto event = wait_control(control_fd, window_begin);
    if (event == ControlEvent::deadline) {
      window_.open();
      event = wait_control(control_fd, window_end);
      window_.close();  // at the window's end, or at an early STOP
    }
    if (event == ControlEvent::deadline) event = wait_control(control_fd, window_end + kStopGraceNs);
    if (event != ControlEvent::stop)
      throw Error(event == ControlEvent::closed ? "the client closed the control connection mid-run"
                                                : "no STOP from the client within 30 s of the window's end");
    stop_and_wait();
    return result_payload(control_fd);
  } catch (...) {
    window_.abandon();
    abort();
    try {
      stop_and_wait();
    } catch (const Error&) {
      // The original failure is the one worth reporting.
    }
    throw;
  }
}

std::string TestSession::result_payload(int control_fd) {
  std::lock_guard lock(mu_);
  SideMeasurements m{Side::sender, params_.mode, &counters_, &window_, t0_ns_, {}, &meter_, "send_call",
                     params_.mode == TestMode::rr ? "in rr mode the requester (client) times the transactions"
                                                  : "send-call timing was turned off (--no-latency)",
                     false};
  SendAccounting sum;
  SenderReport report;
  for (const auto& s : streams_) {
    ConnectionEnd end{s.error, s.rr.recv_calls, std::nullopt};
    add_send_calls(end, s.accounting);
    m.connections.push_back(std::move(end));
    report.messages_checked += s.rr.messages_checked;  // rr: the requests, checked here
    report.corrupt_messages += s.rr.corrupt_messages;
    const auto& a = s.accounting;
    sum.zerocopy = sum.zerocopy || a.zerocopy;
    sum.zc_sends += a.zc_sends;
    sum.zc_notifications += a.zc_notifications;
    sum.zc_completed += a.zc_completed;
    sum.zc_copied += a.zc_copied;
    sum.zc_enobufs += a.zc_enobufs;
    sum.zc_buffer_waits += a.zc_buffer_waits;
  }
  m.zerocopy_sends = sum.zerocopy;
  report.sender = side_figures(m);
  report.environment = collect_environment(control_fd);
  report.sender.host = report.environment.hostname;
  if (sum.zerocopy)
    report.zerocopy = zerocopy_figures(sum.zc_sends, sum.zc_notifications, sum.zc_completed, sum.zc_copied,
                                       sum.zc_enobufs, sum.zc_buffer_waits);
  return encode_sender_report(report);
}

}  // namespace copybench
