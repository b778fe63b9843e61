#include "session/client.h"

#include <fmt/format.h>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "metrics/tcp_info.h"
#include "wire/protocol.h"
#include "net/socket.h"
#include "results/directions.h"
#include "results/limits.h"
#include "results/server_report.h"
#include "session/affinity.h"
#include "session/auto_duration.h"
#include "machine/environment.h"
#include "session/roles/receiver.h"
#include "session/roles/sender.h"
#include "session/roles/rr.h"
#include "session/side_figures.h"
#include "session/window.h"
#include "session/window_meter.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kDataTimeoutMs = 10'000;
// Once RESULT is in, the server's streams have finished (it sends RESULT after they end), so
// the data connections reach their end at once; a server that keeps sending is cut off here.
constexpr int64_t kDataEndAfterResultNs = 5 * kSecond;

// --bidir: the forward and the reverse test send START together, so their windows overlap.
// A test that fails before START leaves, and the other goes on alone rather than wait.
class StartGate {
 public:
  explicit StartGate(int parties) : waiting_for_(parties) {}
  /// Arrives and waits (at most `timeout_ns`) until every party has arrived or left.
  void arrive_and_wait(int64_t timeout_ns) {
    std::unique_lock lock(mu_);
    --waiting_for_;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::nanoseconds(timeout_ns), [&] { return waiting_for_ <= 0; });
  }
  void leave() {
    std::lock_guard lock(mu_);
    --waiting_for_;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_for_;
};

// Sends a header and reads the server's verdict; throws with the server's reason on REJECT.
// A server with a shared secret first sends CHALLENGE: the control connection answers it
// with AUTH when the client holds a secret. A client with a secret refuses a server that does
// not ask for it (a server started without --secret-file, or not the one meant).
std::string handshake(int fd, const Header& header, const Secret* secret) {
  auto bytes = encode_header(header);
  send_all(fd, bytes.data(), bytes.size(), now_ns() + 5 * kSecond, "send header");
  auto frame = read_frame(fd, now_ns() + 10 * kSecond);
  if (frame && frame->type == FrameType::challenge) {
    if (!secret) throw Error("the server requires a shared secret: give the client --secret-file FILE");
    const Mac mac = secret->mac(parse_challenge(frame->payload), bytes);
    write_frame(fd, FrameType::auth, std::string(mac.begin(), mac.end()), now_ns() + 5 * kSecond);
    frame = read_frame(fd, now_ns() + 10 * kSecond);
  } else if (frame && secret && header.kind == ConnectionKind::control && frame->type == FrameType::accept) {
    throw Error("the server did not ask for the shared secret (was it started with --secret-file?)");
  }
  if (!frame) throw Error("the server closed the connection without answering");
  if (frame->type == FrameType::reject) throw Error("the server refused the test: " + frame->payload);
  if (frame->type != FrameType::accept) throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
  return frame->payload;
}

// The test's connections: the control connection, then one data connection per thread, each
// with the strategies this end uses on it: the receive strategy where the client receives
// (forward, and rr's responses), the send strategy where it sends (reverse, and rr's requests).
class Connections {
 public:
  explicit Connections(const ClientOptions& options) : opt_(options), p_(options.params) {}
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;
  ~Connections() {
    // A zero-copy send the kernel has not released (a peer that stopped reading, reset) may
    // still read its buffers: they are kept, with their sockets, until the process ends.
    for (size_t i = 0; i < senders_.size(); ++i)
      if (senders_[i]->holds_buffers()) kept_until_exit().push_back({std::move(data_[i]), std::move(senders_[i])});
  }

  /// Connects and handshakes every connection; throws Error. The path MTU goes into `env`.
  void open(Environment& env) {
    control_ = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms);
    auto id_text = handshake(control_.get(), header_for(p_, ConnectionKind::control, 0, 0), opt_.secret.get());
    uint64_t test_id = std::stoull(id_text);
    // The data connections' path MTU is known only once they exist; the control connection's,
    // on the same path, sizes what the receive strategy sets before connecting (TCP_MAXSEG).
    const int control_mtu = path_mtu(control_.get());
    const bool receives = p_.mode == TestMode::rr || p_.server_sends();
    const bool sends = p_.mode == TestMode::rr || !p_.server_sends();
    const auto& receive = recv_strategy_info(p_.recv_strategy);
    for (int i = 0; i < p_.threads; ++i) {
      RecvStrategy* receiver = nullptr;
      if (receives) {
        receivers_.push_back(receive.make(p_.mode == TestMode::rr ? rr_context(p_.response_size(), control_mtu)
                                                                  : stream_context(p_.message_bytes, p_.recv_size(), control_mtu)));
        receiver = receivers_.back().get();
      }
      Fd fd = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms, [&](int s) {
        if (receiver) receiver->before_connect(s);
      });
      handshake(fd.get(), header_for(p_, ConnectionKind::data, test_id, static_cast<uint16_t>(i)), nullptr);
      set_io_timeouts(fd.get(), kDataTimeoutMs, kDataTimeoutMs);
      if (receiver) receiver->prepare(fd.get());
      if (sends) {  // rr's requests, or the stream of a reverse test
        if (p_.mode == TestMode::rr) set_nodelay(fd.get());  // as the server does, see there
        senders_.push_back(strategy_info(p_.strategy).make(p_.message_bytes));
        senders_.back()->prepare(fd.get());
      }
      data_.push_back(std::move(fd));
    }
    if (int mtu = path_mtu(data_.front().get()); mtu > 0) env.path_mtu = mtu;
  }

  int control() const { return control_.get(); }
  int data(int i) const { return data_[i].get(); }
  RecvStrategy& receiver(int i) { return *receivers_[i]; }
  SendStrategy& sender(int i) { return *senders_[i]; }

  /// Wakes every thread blocked in a data connection now.
  void shut_down() {
    for (auto& fd : data_) ::shutdown(fd.get(), SHUT_RDWR);
  }

  /// Connection i's calls made with its send strategy (rr's requests, a reverse stream).
  void add_send_calls_of(int i, ConnectionEnd& end) const {
    if (i < static_cast<int>(senders_.size())) add_send_calls(end, senders_[i]->accounting());
  }
  bool zerocopy_sends() const { return !senders_.empty() && senders_.front()->accounting().zerocopy; }

  std::vector<SendAccounting> send_accounting() const {
    std::vector<SendAccounting> out;
    for (const auto& s : senders_) out.push_back(s->accounting());
    return out;
  }

  std::vector<RecvAccounting> recv_accounting() const {
    std::vector<RecvAccounting> out;
    for (const auto& r : receivers_) out.push_back(r->accounting());
    return out;
  }

 private:
  struct Kept {
    Fd fd;
    std::unique_ptr<SendStrategy> strategy;
  };
  static std::vector<Kept>& kept_until_exit() {
    static std::vector<Kept> kept;  // reachable, not leaked: the kernel may still read these
    return kept;
  }

  const ClientOptions& opt_;
  const TestParams& p_;
  Fd control_;
  std::vector<Fd> data_;
  std::vector<std::unique_ptr<SendStrategy>> senders_;    // rr's requests, or reverse's stream
  std::vector<std::unique_ptr<RecvStrategy>> receivers_;  // forward and rr: one per connection
};

// The receiving threads and the timing they run under: START, the warm-up, the measured
// window (fixed or --duration auto), STOP. The client owns the test's timing.
class ClientWindow {
 public:
  ClientWindow(const ClientOptions& options, Connections& connections, const std::atomic<bool>& interrupted, StartGate* gate)
      : p_(options.params), connections_(connections), interrupted_(interrupted), gate_(gate), counters_(p_.threads),
        totals_(p_.threads) {
    WindowEdges::IntervalSink sink;
    if (options.on_interval)
      sink = [listener = options.on_interval, side = p_.server_sends() ? Side::receiver : Side::sender,
              direction = p_.direction](const IntervalFigures& v) { listener(side, direction, v); };
    window_.watch([this] { return read_sockets(); }, p_.interval_ns, std::move(sink));
  }
  ~ClientWindow() {
    if (!finished_) finish(true);  // only on a path that skipped finish(): never leave a thread behind
  }

  /// Starts one thread per connection, sends START, measures the window and sends STOP; throws Error.
  void run() {
    for (int i = 0; i < p_.threads; ++i) {
      threads_.emplace_back([this, i] {
        tids_[i] = current_tid();
        tids_known_.count_down();
        go_.wait();  // after START: an rr requester's first round trip must not wait for it
        if (auto why = pin_current_thread(pin_cpu(p_.pin, i, /*sender_side=*/!p_.server_sends())); !why.empty()) totals_[i].error = why;
        else receive(i);
        done_[i].store(true);
      });
      started_ = true;
    }
    tids_known_.wait();
    meter_.open_counters(tids_, current_tid(), &counters_);
    if (gate_) {
      gate_->arrive_and_wait(30 * kSecond);
      gate_ = nullptr;  // arrived: not to leave again
    }
    write_frame(connections_.control(), FrameType::start, "", now_ns() + 5 * kSecond);
    t0_ = now_ns();
    open_gate();
    auto stopped = [this] { return interrupted_.load() || any_receiver_ended(); };
    if (sleep_until(t0_ + p_.warmup_ns, stopped)) {
      window_.open();
      completed_ = p_.auto_duration ? run_auto_window(stopped) : wait_ticking(t0_ + p_.warmup_ns + p_.duration_ns, stopped);
      window_.close();
    }
    stop_sent_.store(true, std::memory_order_release);
    write_frame(connections_.control(), FrameType::stop, "", now_ns() + 5 * kSecond);
  }

  /// Ends a window an exception cut short and joins the threads; after a failure their
  /// connections are shut down first, so they return now.
  void finish(bool failed) {
    window_.abandon();
    if (failed) connections_.shut_down();
    open_gate();  // threads still at the gate (START never went out) proceed and find the shutdown
    for (auto& t : threads_) t.join();
    threads_.clear();
    finished_ = true;
  }

  /// Waits until deadline_ns for every receiving thread to reach the end of its connection;
  /// returns whether they all did.
  bool receivers_end_by(int64_t deadline_ns) const {
    for (;;) {
      bool all = true;
      for (int i = 0; i < p_.threads; ++i) all = all && done_[i].load();
      if (all) return true;
      if (now_ns() >= deadline_ns) return false;
      ::usleep(10'000);
    }
  }

  bool started() const { return started_; }
  bool completed() const { return completed_; }
  /// A test that will not reach START lets the other --bidir test go on.
  void leave_gate() {
    if (gate_) gate_->leave();
    gate_ = nullptr;
  }
  const std::vector<ReceiverTotals>& totals() const { return totals_; }

  /// The receiving side's measurements, for side_figures().
  SideMeasurements measurements() const {
    const bool sends = !p_.server_sends();
    SideMeasurements m{sends ? Side::sender : Side::receiver, p_.mode, &counters_, &window_, t0_, {}, &meter_,
                       sends ? "send_call" : "transaction",
                       sends ? "send-call timing was turned off (--no-latency)"
                             : "in stream mode the sender times its send calls; the receiver times nothing",
                       connections_.zerocopy_sends()};
    for (int i = 0; i < p_.threads; ++i) {
      ConnectionEnd end{totals_[i].error, totals_[i].recv_calls, totals_[i].submissions};
      connections_.add_send_calls_of(i, end);
      m.connections.push_back(std::move(end));
    }
    return m;
  }

 private:
  void receive(int i) {
    auto connection = static_cast<uint32_t>(i);
    if (p_.mode == TestMode::rr)
      totals_[i] = run_requester(connections_.data(i), connections_.sender(i), connections_.receiver(i), p_,
                                 connection, counters_[i], stop_sent_, meter_.histogram(i), meter_.recording());
    else if (p_.server_sends())
      totals_[i] = run_receiver(connections_.data(i), connections_.receiver(i), p_, connection, counters_[i], stop_sent_);
    else
      send(i, connection);
  }

  // --reverse: this end sends the stream until STOP, then drains and half-closes.
  void send(int i, uint32_t connection) {
    try {
      run_sender(connections_.data(i), connections_.sender(i), p_, connection, counters_[i], stop_sent_,
                 meter_.histogram(i), meter_.recording());
    } catch (const std::exception& e) {
      totals_[i].error = e.what();
    }
  }

  // --duration auto: a rate sample every interval until the rate is stable or the ceiling.
  // Returns false when `stopped` cut the window short.
  bool run_auto_window(const std::function<bool()>& stopped) {
    StabilityDetector detector;
    const int64_t begin = window_.first()->t_ns, ceiling = begin + p_.duration_ns;
    Snapshot previous = *window_.first();
    for (;;) {
      if (!wait_ticking(std::min(previous.t_ns + detector.rule().interval_ns, ceiling), stopped)) return false;
      Snapshot now = window_.now();
      uint64_t bytes = 0;
      for (size_t i = 0; i < now.bytes.size(); ++i) bytes += now.bytes[i] - previous.bytes[i];
      double rate = static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, now.t_ns - previous.t_ns));
      if (now.t_ns >= ceiling || detector.add(rate, now.t_ns - begin)) return true;
      previous = std::move(now);
    }
  }

  // Sleeps until deadline_ns, ending each --interval on the way; false when `stopped` cut it short.
  bool wait_ticking(int64_t deadline_ns, const std::function<bool()>& stopped) {
    for (;;) {
      const int64_t until = std::min(deadline_ns, window_.next_tick_ns());
      if (!sleep_until(until, stopped)) return false;
      if (until >= deadline_ns) return true;
      window_.tick();
    }
  }

  // Every connection's TCP_INFO; the sockets are the Connections', open until the test ends.
  std::vector<TcpSample> read_sockets() const {
    std::vector<TcpSample> samples;
    samples.reserve(static_cast<size_t>(p_.threads));
    for (int i = 0; i < p_.threads; ++i) samples.push_back(sample_tcp(connections_.data(i)));
    return samples;
  }

  bool any_receiver_ended() const {
    for (int i = 0; i < p_.threads; ++i)
      if (done_[i].load()) return true;  // a receiver ended before STOP: the peer went away
    return false;
  }

  void open_gate() {
    if (!gate_open_) go_.count_down();
    gate_open_ = true;
  }

  const TestParams& p_;
  Connections& connections_;
  const std::atomic<bool>& interrupted_;
  StartGate* gate_;  // --bidir: shared with the other direction's test; null once passed
  CounterSet counters_;  // before the meter: its profile reads them until it ends
  // Histograms: rr's round trips, or the send calls of a reverse stream.
  WindowMeter meter_{p_, p_.mode == TestMode::rr || (!p_.server_sends() && p_.latency) ? p_.threads : 0};
  WindowEdges window_{counters_, meter_};
  std::vector<ReceiverTotals> totals_;
  std::vector<std::thread> threads_;
  std::vector<pid_t> tids_ = std::vector<pid_t>(p_.threads);  // the connections' threads
  std::latch tids_known_{p_.threads};
  std::latch go_{1};
  bool gate_open_ = false;
  bool started_ = false;  // at least one thread was made
  bool finished_ = false;
  std::unique_ptr<std::atomic<bool>[]> done_ = std::make_unique<std::atomic<bool>[]>(p_.threads);
  std::atomic<bool> stop_sent_{false};
  int64_t t0_ = 0;
  bool completed_ = false;
};

// One test from the client's side: connect, measure, collect the server's figures, then
// assemble both sides into one result. Failures become the result's status, never a throw.
// The server is the sender in a forward test and the receiver in a reverse one; the figures
// keep their side's name either way.
class ClientRun {
 public:
  ClientRun(const ClientOptions& options, const std::atomic<bool>& interrupted, StartGate* gate = nullptr)
      : opt_(options), p_(options.params), interrupted_(interrupted), window_(options, connections_, interrupted_, gate) {}

  RunResult run() {
    result_.params = p_;
    result_.started_at = utc_timestamp();
    // An IPv6 literal is bracketed, as in a URL: "::1:7470" would be ambiguous.
    result_.server = opt_.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", opt_.host, opt_.port)
                                                              : fmt::format("{}:{}", opt_.host, opt_.port);
    result_.verify.enabled = p_.verify;
    remote_missing() = "the test did not reach its end";
    local_env_ = collect_environment();  // path MTU added once connected
    try {
      connections_.open(local_env_);
      window_.run();
      collect_server();
      if (!window_.receivers_end_by(now_ns() + kDataEndAfterResultNs))
        throw Error(fmt::format("the server kept sending on its data connections {} after its figures (RESULT)",
                                format_duration(kDataEndAfterResultNs)));
    } catch (const std::exception& e) {
      fail(e.what());
    }
    window_.leave_gate();
    window_.finish(result_.status != RunStatus::ok);
    if (p_.server_sends()) result_.receiver_env = local_env_;
    else result_.sender_env = local_env_;
    connection_errors();
    if (window_.started()) local_figures();
    decide_limit(result_);
    if (!remote_side() && !result_.error.empty()) remote_missing() = result_.error;
    if (interrupted_.load() && result_.status == RunStatus::ok) {
      result_.status = RunStatus::interrupted;
      result_.error = window_.completed() ? "interrupted after the window" : "interrupted before the window's end";
    }
    return std::move(result_);
  }

 private:
  void fail(const std::string& why) {
    if (result_.status == RunStatus::ok) {
      result_.status = interrupted_.load() ? RunStatus::interrupted : RunStatus::failed;
      result_.error = why;
    }
  }

  // The side the server measures, and why it is missing when it is.
  std::optional<SideFigures>& remote_side() { return p_.server_sends() ? result_.sender : result_.receiver; }
  std::string& remote_missing() {
    return p_.server_sends() ? result_.sender_missing_reason : result_.receiver_missing_reason;
  }

  // The server's figures, within the RESULT wait after STOP (ClientOptions::result_timeout_ms).
  std::optional<Frame> read_result() {
    const int64_t wait_ns = opt_.result_timeout_ms > 0 ? int64_t{opt_.result_timeout_ms} * 1'000'000
                                                       : p_.threads * kSecond + 60 * kSecond;
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
    if (frame->type != FrameType::result) throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
    const bool server_sends = p_.server_sends();
    auto report = decode_server_report(frame->payload, p_.threads, server_sends ? Side::sender : Side::receiver);
    remote_side() = std::move(report.side);
    if (server_sends) {
      result_.sender_env = std::move(report.environment);
      result_.zerocopy = report.zerocopy;
    } else {
      result_.receiver_env = std::move(report.environment);
      server_trailing_bytes_ = report.trailing_bytes;
    }
    // What the server checked: rr's requests, or a reverse stream.
    if (p_.verify && (p_.mode == TestMode::rr || !server_sends)) {
      result_.verify.messages_checked += report.messages_checked;
      result_.verify.corrupt_messages += report.corrupt_messages;
    }
  }

  // A sender connection that fails resets the connection: the receiver's error is the echo,
  // the sender's is the cause, so it comes first.
  void connection_errors() {
    const auto& totals = window_.totals();
    auto local = [&](const char* label) {
      for (int i = 0; window_.started() && i < static_cast<int>(totals.size()); ++i)
        if (!totals[i].error.empty()) fail(fmt::format("{}connection {}: {}", label, i, totals[i].error));
    };
    auto remote = [&](const char* label) {
      if (remote_side())
        for (const auto& s : remote_side()->streams)
          if (s.error) fail(fmt::format("{} connection {}: {}", label, s.index, *s.error));
    };
    if (p_.server_sends()) {
      remote("sender");
      local("");
    } else {
      local("sender ");
      remote("server's receiving");
    }
  }

  // This end's side, then what the two sides say together (verify).
  void local_figures() {
    SideFigures side = side_figures(window_.measurements());
    side.host = local_env_.hostname;
    uint64_t trailing = server_trailing_bytes_;
    if (p_.server_sends()) {
      add_receive_copy(side, connections_.recv_accounting());
      for (const auto& t : window_.totals()) {
        result_.verify.messages_checked += t.messages_checked;
        result_.verify.corrupt_messages += t.corrupt_messages;
        trailing += t.trailing_bytes;
      }
      result_.receiver = side;
    } else {
      result_.zerocopy = zerocopy_of(connections_.send_accounting());
      result_.sender = side;
    }
    if (trailing > 0) fail(fmt::format("{} bytes of an incomplete message arrived at the end", trailing));
    if (!result_.sender || !result_.receiver) return;
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
  RunResult result_;
  Environment local_env_;
  uint64_t server_trailing_bytes_ = 0;  // reverse: of the server's receivers
  Connections connections_{opt_};
  ClientWindow window_;
};

// --bidir: a forward and a reverse test against the same server, at once, START together.
RunResult run_both_directions(const ClientOptions& options, const std::atomic<bool>& interrupted) {
  StartGate gate(2);
  ClientOptions forward = options, reverse = options;
  forward.params.direction = Direction::forward;
  reverse.params.direction = Direction::reverse;
  RunResult reverse_result;
  std::thread other([&] { reverse_result = ClientRun(reverse, interrupted, &gate).run(); });
  RunResult forward_result = ClientRun(forward, interrupted, &gate).run();
  other.join();
  return combine_directions(std::move(forward_result), std::move(reverse_result));
}

}  // namespace

RunResult run_client(const ClientOptions& options, const std::atomic<bool>& interrupted) {
  if (options.params.direction == Direction::bidir) return run_both_directions(options, interrupted);
  return ClientRun(options, interrupted).run();
}

}  // namespace copybench
