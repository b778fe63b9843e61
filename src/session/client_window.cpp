#include "session/client_window.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "metrics/perf_counters.h"
#include "metrics/tcp_info.h"
#include "session/auto_duration.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
// For READY after the data connections: the server opens its meter on every connection's thread
// (--profile on a slow machine: seconds), after waiting up to 10 s for the connections itself.
constexpr int64_t kReadyWaitNs = 30 * kSecond;

}  // namespace

void StartGate::arrive_and_wait(int64_t timeout_ns) {
  std::unique_lock lock(mu_);
  --waiting_for_;
  cv_.notify_all();
  cv_.wait_for(lock, std::chrono::nanoseconds(timeout_ns), [&] { return waiting_for_ <= 0; });
}

void StartGate::leave() {
  std::lock_guard lock(mu_);
  --waiting_for_;
  cv_.notify_all();
}

ClientWindow::ClientWindow(const ClientOptions& options, ClientConnections& connections,
                           const std::atomic<bool>& interrupted, StartGate* gate)
    : p_(options.params),
      connections_(connections),
      role_(connections.role()),
      interrupted_(interrupted),
      gate_(gate),
      counters_(p_.threads),
      totals_(p_.threads) {
  WindowEdges::IntervalSink sink;
  if (options.on_interval)
    sink = [listener = options.on_interval, side = role_.side, direction = p_.direction](const IntervalFigures& v) {
      listener(side, direction, v);
    };
  window_.watch([this] { return read_sockets(); }, p_.interval_ns, std::move(sink));
}

ClientWindow::~ClientWindow() {
  if (!finished_) finish(true);  // only on a path that skipped finish(): never leave a thread behind
}

void ClientWindow::start_threads() {
  static const std::atomic<bool> never_abandoned{false};  // the client ends its tests by STOP alone
  for (int i = 0; i < p_.threads; ++i) {
    threads_.emplace_back([this, i] {
      tids_[i] = current_tid();
      tids_known_.count_down();
      go_.wait();  // after START: an rr requester's first round trip must not wait for it
      const RoleSignals signals{.stop = stop_sent_, .eof_ends = stop_sent_, .abandon = never_abandoned};
      totals_[i] = run_connection(role_, connections_.work(i, counters_[i], meter_), signals);
      done_[i].store(true);
    });
    started_ = true;
  }
}

void ClientWindow::run() {
  start_threads();
  tids_known_.wait();
  meter_.open_counters(tids_, current_tid(), &counters_);
  await_ready();
  if (gate_) {
    gate_->arrive_and_wait(30 * kSecond);
    gate_ = nullptr;  // arrived: not to leave again
  }
  write_frame(connections_.control(), FrameType::start, "", now_ns() + 5 * kSecond);
  t0_ = now_ns();
  open_gate();
  auto stopped = [this] { return interrupted_.load() || any_connection_ended(); };
  if (sleep_until(t0_ + p_.warmup_ns, stopped)) {
    window_.open();
    completed_ =
        p_.auto_duration ? run_auto_window(stopped) : wait_ticking(t0_ + p_.warmup_ns + p_.duration_ns, stopped);
    window_.close();
  }
  stop_sent_.store(true, std::memory_order_release);
  write_frame(connections_.control(), FrameType::stop, "", now_ns() + 5 * kSecond);
}

// START only once the server's meter is open: its window then begins a warm-up after ours at
// most by START's way there, whichever side took longer to open its meter. An interrupt goes on
// to START and STOP at once, as it does when it comes later.
void ClientWindow::await_ready() {
  const int control = connections_.control();
  const int64_t deadline_ns = now_ns() + kReadyWaitNs;
  pollfd p{control, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, 100);
    if (ready > 0 || (ready < 0 && errno != EINTR)) break;  // read_frame says what came
    if (interrupted_.load()) return;
    if (now_ns() >= deadline_ns)
      throw Error(fmt::format("the server was not ready (no READY) within {} of the data connections",
                              format_duration(kReadyWaitNs)));
  }
  auto frame = read_frame(control, now_ns() + 5 * kSecond);
  if (!frame) throw Error("the server closed the control connection before the test started");
  if (frame->type == FrameType::abort) throw Error("the server ended the test: " + frame->payload);
  if (frame->type != FrameType::ready)
    throw Error(fmt::format("unexpected {} from the server before READY", frame_type_name(frame->type)));
}

void ClientWindow::finish(bool failed) {
  window_.abandon();
  if (failed) connections_.shut_down();
  open_gate();  // threads still at the gate (START never went out) proceed and find the shutdown
  for (auto& t : threads_) t.join();
  threads_.clear();
  finished_ = true;
}

bool ClientWindow::connections_end_by(int64_t deadline_ns) const {
  for (;;) {
    bool all = true;
    for (int i = 0; i < p_.threads; ++i) all = all && done_[i].load();
    if (all) return true;
    if (now_ns() >= deadline_ns) return false;
    ::usleep(10'000);
  }
}

void ClientWindow::leave_gate() {
  if (gate_) gate_->leave();
  gate_ = nullptr;
}

SideMeasurements ClientWindow::measurements() const {
  SideMeasurements m{.role = &role_,
                     .counters = &counters_,
                     .window = &window_,
                     .start_ns = t0_,
                     .connections = {},
                     .meter = &meter_,
                     .zerocopy_sends = connections_.zerocopy_sends()};
  for (int i = 0; i < p_.threads; ++i) m.connections.push_back(connections_.end_of(i, totals_[i]));
  return m;
}

bool ClientWindow::run_auto_window(const std::function<bool()>& stopped) {
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

bool ClientWindow::wait_ticking(int64_t deadline_ns, const std::function<bool()>& stopped) {
  for (;;) {
    const int64_t until = std::min(deadline_ns, window_.next_tick_ns());
    if (!sleep_until(until, stopped)) return false;
    if (until >= deadline_ns) return true;
    window_.tick();
  }
}

std::vector<TcpSample> ClientWindow::read_sockets() const {
  std::vector<TcpSample> samples;
  samples.reserve(static_cast<size_t>(p_.threads));
  for (int i = 0; i < p_.threads; ++i) samples.push_back(sample_tcp(connections_.data(i)));
  return samples;
}

bool ClientWindow::any_connection_ended() const {
  for (int i = 0; i < p_.threads; ++i)
    if (done_[i].load()) return true;  // a connection ended before STOP: the peer went away
  return false;
}

void ClientWindow::open_gate() {
  if (!gate_open_) go_.count_down();
  gate_open_ = true;
}

}  // namespace copybench
