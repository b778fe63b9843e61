#include "run/server.h"

#include <fmt/format.h>
#include <random>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "net/protocol.h"
#include "metrics/perf_counters.h"
#include "run/test_session.h"

namespace copybench {
namespace {

constexpr int64_t kHeaderDeadlineNs = 5'000'000'000;  // a header that stalls is dropped
constexpr int kDataTimeoutMs = 10'000;                 // a receiver that stops reading

uint64_t random_test_id() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  uint64_t id = 0;
  while (id == 0) id = rng();
  return id;
}

void reply(int fd, FrameType type, const std::string& payload) {
  try {
    write_frame(fd, type, payload, now_ns() + 1'000'000'000);
  } catch (const std::exception&) {
    // The peer is gone; nothing more to tell it.
  }
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)), listener_(listen_tcp(options_.bind, options_.port)) {}

Server::~Server() {
  for (auto& w : workers_)
    if (w.thread.joinable()) w.thread.join();
}

void Server::log(const std::string& line) const {
  if (!options_.quiet) fmt::print(stderr, "copybench server: {}\n", line);
}

void Server::reap_finished() {
  std::erase_if(workers_, [](Worker& w) {
    if (!w.done->load()) return false;
    w.thread.join();
    return true;
  });
}

void Server::serve(const std::atomic<bool>& stop) {
  while (!stop.load() && !(options_.once && once_done_.load())) {
    std::string peer;
    Fd fd = accept_within(listener_.fd.get(), 100, &peer);
    reap_finished();
    if (!fd) continue;
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([this, done, peer, fd = std::move(fd)]() mutable {
                          handle(std::move(fd), peer);
                          done->store(true);
                        }),
                        done});
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [id, session] : sessions_) session->abort();
  }
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
}

void Server::handle(Fd fd, std::string peer) {
  Header header;
  try {
    HeaderBytes bytes{};
    if (!recv_exact(fd.get(), bytes.data(), bytes.size(), now_ns() + kHeaderDeadlineNs, "read header")) return;
    header = decode_header(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  if (header.kind == ConnectionKind::control) handle_control(std::move(fd), peer, header);
  else handle_data(std::move(fd), peer, header);
}

void Server::handle_control(Fd fd, const std::string& peer, const Header& header) {
  std::shared_ptr<TestSession> session;
  try {
    auto params = params_from(header);
    validate(params);
    session = std::make_shared<TestSession>(random_test_id(), params);
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused test: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    once_done_.store(true);  // --once: a refused test is the one test
    return;
  }
  {
    std::lock_guard lock(mu_);
    sessions_[session->id()] = session;
  }
  const auto& p = session->params();
  log(fmt::format("{}: test {:016x}: {}, {} messages, {} threads, {} after {} warm-up", peer, session->id(), p.strategy,
                  format_size(p.message_bytes), p.threads, format_duration(p.duration_ns), format_duration(p.warmup_ns)));
  try {
    write_frame(fd.get(), FrameType::accept, fmt::format("{}", session->id()), now_ns() + 5'000'000'000);
    session->run_control(fd.get());
    log(fmt::format("test {:016x}: done", session->id()));
  } catch (const std::exception& e) {
    log(fmt::format("test {:016x}: ended early: {}", session->id(), e.what()));
    reply(fd.get(), FrameType::abort, e.what());
  }
  {
    std::lock_guard lock(mu_);
    sessions_.erase(session->id());
  }
  once_done_.store(true);
}

void Server::handle_data(Fd fd, const std::string& peer, const Header& header) {
  std::shared_ptr<TestSession> session;
  std::unique_ptr<SendStrategy> strategy;
  try {
    {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(header.test_id);
      if (it == sessions_.end()) throw ProtocolError(fmt::format("unknown test id {:016x}", header.test_id));
      session = it->second;
    }
    auto params = params_from(header);
    const auto& want = session->params();
    if (params.strategy != want.strategy || params.message_bytes != want.message_bytes ||
        params.threads != want.threads || params.verify != want.verify || params.mode != want.mode ||
        params.response_size() != want.response_size())
      throw ProtocolError("data connection's parameters differ from its test's");
    // The server sends the stream's messages, or the responses of a request/response test.
    strategy = strategy_info(params.strategy).make(params.mode == TestMode::rr ? params.response_size() : params.message_bytes);
    set_io_timeouts(fd.get(), kDataTimeoutMs, kDataTimeoutMs);
    // rr, as sockperf does: without it a response split over several sends (two-copy) waits
    // for the peer's delayed ACK, and the round trip measures 40 ms timers, not copying.
    if (params.mode == TestMode::rr) set_nodelay(fd.get());
    strategy->prepare(fd.get());
    session->attach(header.stream_index, current_tid());
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused data connection: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  reply(fd.get(), FrameType::accept, "");
  session->run_stream(header.stream_index, std::move(fd), std::move(strategy));
}

}  // namespace copybench
