#include "run/client.h"

#include <fmt/format.h>
#include <latch>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "net/protocol.h"
#include "net/socket.h"
#include "results/sender_report.h"
#include "run/environment.h"
#include "run/receiver.h"
#include "run/affinity.h"
#include "run/auto_duration.h"
#include "run/rr.h"
#include "run/window_meter.h"
#include "run/window.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kDataTimeoutMs = 10'000;

// Sends a header and reads the server's verdict; throws with the server's reason on REJECT.
std::string handshake(int fd, const Header& header) {
  auto bytes = encode_header(header);
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 5 * kSecond, "send header");
  auto frame = read_frame(fd, now_ns() + 10 * kSecond);
  if (!frame) throw Error("the server closed the connection without answering");
  if (frame->type == FrameType::reject) throw Error("the server refused the test: " + frame->payload);
  if (frame->type != FrameType::accept) throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
  return frame->payload;
}

class ClientRun {
 public:
  ClientRun(const ClientOptions& options, const std::atomic<bool>& interrupted)
      : opt_(options), p_(options.params), interrupted_(interrupted), counters_(p_.threads), totals_(p_.threads) {}

  RunResult run() {
    result_.params = p_;
    result_.started_at = utc_timestamp();
    // An IPv6 literal is bracketed, as in a URL: "::1:7470" would be ambiguous.
    result_.server = opt_.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", opt_.host, opt_.port)
                                                              : fmt::format("{}:{}", opt_.host, opt_.port);
    result_.verify.enabled = p_.verify;
    result_.sender_missing_reason = "the test did not reach its end";
    result_.receiver_env = collect_environment();  // path MTU added once connected
    try {
      connect_all();
      measure();
      collect_sender();
    } catch (const std::exception& e) {
      fail(e.what());
    }
    finish_receivers();
    summarise();
    if (!result_.sender && !result_.error.empty()) result_.sender_missing_reason = result_.error;
    if (interrupted_.load() && result_.status == "ok") {
      result_.status = "interrupted";
      result_.error = window_completed_ ? "interrupted after the window" : "interrupted before the window's end";
    }
    return std::move(result_);
  }

 private:
  void fail(const std::string& why) {
    if (result_.status == "ok") {
      result_.status = interrupted_.load() ? "interrupted" : "failed";
      result_.error = why;
    }
  }

  void connect_all() {
    control_ = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms);
    auto id_text = handshake(control_.get(), header_for(p_, ConnectionKind::control, 0, 0));
    uint64_t test_id = std::stoull(id_text);
    // The data connections' path MTU is known only once they exist; the control connection's,
    // on the same path, sizes what the receive strategy sets before connecting (TCP_MAXSEG).
    const int control_mtu = path_mtu(control_.get());
    const auto& receive = recv_strategy_info(p_.recv_strategy);
    for (int i = 0; i < p_.threads; ++i) {
      receivers_.push_back(receive.make(p_.mode == TestMode::rr ? rr_context(p_.response_size(), control_mtu)
                                                                : stream_context(p_.message_bytes, control_mtu)));
      auto& receiver = *receivers_.back();
      Fd fd = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms, [&](int s) { receiver.before_connect(s); });
      handshake(fd.get(), header_for(p_, ConnectionKind::data, test_id, static_cast<uint16_t>(i)));
      set_io_timeouts(fd.get(), kDataTimeoutMs, kDataTimeoutMs);
      receiver.prepare(fd.get());
      if (p_.mode == TestMode::rr) {  // the client sends the requests with the strategy
        set_nodelay(fd.get());        // as the server does, see there
        requests_.push_back(strategy_info(p_.strategy).make(p_.message_bytes));
        requests_.back()->prepare(fd.get());
      }
      data_.push_back(std::move(fd));
    }
    if (int mtu = path_mtu(data_.front().get()); mtu > 0) result_.receiver_env.path_mtu = mtu;
  }

  void receive(int i) {
    auto connection = static_cast<uint32_t>(i);
    if (p_.mode == TestMode::rr)
      totals_[i] = run_requester(data_[i].get(), *requests_[i], *receivers_[i], p_, connection, counters_[i],
                                 stop_sent_, meter_.histogram(i), meter_.recording());
    else
      totals_[i] = run_receiver(data_[i].get(), *receivers_[i], p_, connection, counters_[i], stop_sent_);
  }

  void measure() {
    tids_.back() = current_tid();  // this coordinating thread
    for (int i = 0; i < p_.threads; ++i)
      threads_.emplace_back([this, i] {
        tids_[i] = current_tid();
        tids_known_.count_down();
        go_.wait();  // after START: an rr requester's first round trip must not wait for it
        if (auto why = pin_current_thread(pin_cpu(p_.pin, i, false)); !why.empty()) totals_[i].error = why;
        else receive(i);
        done_[i].store(true);
      });
    tids_known_.wait();
    meter_.open_counters(tids_, &counters_);
    write_frame(control_.get(), FrameType::start, "", now_ns() + 5 * kSecond);
    t0_ = now_ns();
    open_gate();
    auto stopped = [this] { return interrupted_.load() || any_receiver_failed(); };
    if (sleep_until(t0_ + p_.warmup_ns, stopped)) {
      meter_.begin();
      first_ = counters_.snapshot();
      window_completed_ = p_.auto_duration ? run_auto_window(stopped)
                                           : sleep_until(t0_ + p_.warmup_ns + p_.duration_ns, stopped);
      last_ = counters_.snapshot();  // the window's end, or the moment it was cut short
      meter_.end();
    }
    stop_sent_.store(true, std::memory_order_release);
    write_frame(control_.get(), FrameType::stop, "", now_ns() + 5 * kSecond);
  }

  // --duration auto: a rate sample every interval until the rate is stable or the ceiling.
  // Returns false when `stopped` cut the window short.
  bool run_auto_window(const std::function<bool()>& stopped) {
    StabilityDetector detector;
    const int64_t begin = first_->t_ns, ceiling = begin + p_.duration_ns;
    Snapshot previous = *first_;
    for (;;) {
      if (!sleep_until(std::min(previous.t_ns + detector.rule().interval_ns, ceiling), stopped)) return false;
      Snapshot now = counters_.snapshot();
      uint64_t bytes = 0;
      for (size_t i = 0; i < now.bytes.size(); ++i) bytes += now.bytes[i] - previous.bytes[i];
      double rate = static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, now.t_ns - previous.t_ns));
      if (now.t_ns >= ceiling || detector.add(rate, now.t_ns - begin)) return true;
      previous = std::move(now);
    }
  }

  bool any_receiver_failed() const {
    for (int i = 0; i < p_.threads; ++i)
      if (done_[i].load()) return true;  // a receiver ended before STOP: the peer went away
    return false;
  }

  void collect_sender() {
    auto frame = read_frame(control_.get(), now_ns() + p_.threads * kSecond + 60 * kSecond);
    if (!frame) throw Error("the server closed the control connection before sending its figures");
    if (frame->type == FrameType::abort) throw Error("the server ended the test: " + frame->payload);
    if (frame->type != FrameType::result) throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
    auto report = decode_sender_report(frame->payload, p_.threads);
    result_.sender = std::move(report.sender);
    result_.sender_env = std::move(report.environment);
    result_.zerocopy = report.zerocopy;
    if (p_.verify && p_.mode == TestMode::rr) {  // the requests, checked by the responder
      result_.verify.messages_checked += report.messages_checked;
      result_.verify.corrupt_messages += report.corrupt_messages;
    }
  }

  void open_gate() {
    if (!gate_open_) go_.count_down();
    gate_open_ = true;
  }

  void finish_receivers() {
    meter_.end();  // idempotent; ends a window that an exception cut short, before counters_ goes
    if (result_.status != "ok")
      for (auto& fd : data_) ::shutdown(fd.get(), SHUT_RDWR);  // wakes receivers now
    open_gate();  // threads still at the gate (START never went out) proceed and find the shutdown
    for (auto& t : threads_) t.join();
    // A sender connection that fails resets the connection: the receiver's error is the echo,
    // the sender's is the cause, so it comes first.
    if (result_.sender)
      for (const auto& s : result_.sender->streams)
        if (s.error) fail(fmt::format("sender connection {}: {}", s.index, *s.error));
    for (int i = 0; i < static_cast<int>(threads_.size()); ++i)
      if (!totals_[i].error.empty()) fail(fmt::format("connection {}: {}", i, totals_[i].error));
  }

  void summarise();
  void add_receive_copy(SideFigures& side) const;

  const ClientOptions& opt_;
  const TestParams& p_;
  const std::atomic<bool>& interrupted_;
  RunResult result_;
  Fd control_;
  std::vector<Fd> data_;
  std::vector<std::unique_ptr<SendStrategy>> requests_;  // rr only
  std::vector<std::unique_ptr<RecvStrategy>> receivers_;  // one per connection
  WindowMeter meter_{p_, p_.mode == TestMode::rr ? p_.threads : 0};
  CounterSet counters_;
  std::vector<ReceiverTotals> totals_;
  std::vector<std::thread> threads_;
  std::vector<pid_t> tids_ = std::vector<pid_t>(p_.threads + 1);  // the connections' threads, then ours
  std::latch tids_known_{p_.threads};
  std::latch go_{1};
  bool gate_open_ = false;
  std::unique_ptr<std::atomic<bool>[]> done_ = std::make_unique<std::atomic<bool>[]>(p_.threads);
  std::atomic<bool> stop_sent_{false};
  int64_t t0_ = 0;
  bool window_completed_ = false;
  std::optional<Snapshot> first_, last_;
};

// zerocopy-recv's mapped and copied bytes, summed over the connections, and a note when the
// kernel mapped nothing: 0% is then a measured fact, and the note says what was tried.
void ClientRun::add_receive_copy(SideFigures& side) const {
  if (receivers_.empty() || !receivers_.front()->accounting().zerocopy) return;
  uint64_t mapped = 0, copied = 0;
  for (const auto& r : receivers_) mapped += r->accounting().bytes_mapped, copied += r->accounting().bytes_copied;
  side.zc_mapped_bytes = mapped;
  side.zc_copied_bytes = copied;
  const auto& setup = receivers_.front()->accounting().setup;
  if (mapped == 0)
    side.zc_mapped_note = fmt::format(
        "the kernel mapped no page ({}): it maps only whole, single pages of payload; a copying sender's data "
        "sits in compound pages, and messages under two pages are read with recv()",
        setup.empty() ? "TCP_MAXSEG left alone" : setup);
  else
    side.zc_mapped_note = setup;
}

void ClientRun::summarise() {
  if (threads_.empty()) return;  // never got to receive
  SideFigures side;
  side.side = "receiver";
  side.role = p_.mode == TestMode::rr ? "requester" : "receiver";
  side.host = result_.receiver_env.hostname;
  fill_totals(side, counters_);
  fill_window(side, first_ ? &*first_ : nullptr, last_ ? &*last_ : nullptr, t0_);
  if (t0_ > 0) side.wall_ns = now_ns() - t0_;
  uint64_t trailing = 0;
  for (int i = 0; i < p_.threads; ++i) {
    if (!totals_[i].error.empty()) side.streams[i].error = totals_[i].error;
    side.calls_total += totals_[i].recv_calls;
    if (i < static_cast<int>(requests_.size())) {
      const auto& a = requests_[i]->accounting();
      side.calls_total += a.send_calls;
      if (a.uring) side.submissions_total = side.submissions_total.value_or(0) + a.submissions;
    }
    result_.verify.messages_checked += totals_[i].messages_checked;
    result_.verify.corrupt_messages += totals_[i].corrupt_messages;
    trailing += totals_[i].trailing_bytes;
  }
  add_receive_copy(side);
  derive_rates(side, p_.threads);
  const bool zerocopy_requests = !requests_.empty() && requests_.front()->accounting().zerocopy;
  meter_.fill(side, "transaction", "in stream mode the sender times its send calls; the receiver times nothing",
              zerocopy_requests);
  result_.receiver = side;
  if (trailing > 0) fail(fmt::format("{} bytes of an incomplete message arrived at the end", trailing));
  if (!result_.sender) return;
  result_.verify.bytes_match = result_.sender->bytes_total == side.bytes_total;
  uint64_t missing = 0;
  for (int i = 0; i < p_.threads && i < static_cast<int>(result_.sender->streams.size()); ++i) {
    uint64_t sent = result_.sender->streams[i].messages_total, got = side.streams[i].messages_total;
    missing += sent > got ? sent - got : 0;
  }
  result_.verify.missing_messages = missing;
  for (const auto& s : result_.sender->streams)
    if (s.error) fail(fmt::format("sender connection {}: {}", s.index, *s.error));
}

}  // namespace

RunResult run_client(const ClientOptions& options, const std::atomic<bool>& interrupted) {
  return ClientRun(options, interrupted).run();
}

}  // namespace copybench
