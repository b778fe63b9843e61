#include "run/server.h"

#include <fmt/format.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "net/protocol.h"
#include "metrics/perf_counters.h"
#include "run/test_session.h"
#include "spec/param_table.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

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

// Counts a connection as owing its header until the end of the scope.
struct PendingHeader {
  std::atomic<int>& count;
  ~PendingHeader() { --count; }
};

// From the accept loop, which must not wait on any one peer: a new socket's send buffer is
// empty, so one non-blocking send of a short frame goes out whole or not at all.
void refuse_now(int fd, const std::string& reason) {
  auto frame = encode_frame(FrameType::reject, reason);
  (void)!::send(fd, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

int max_pending_headers(const ServerOptions& options) {
  // A client handshakes its connections one after another, so a few per test suffice; the
  // rest is room for clients arriving together.
  return std::max(64, 4 * options.max_clients);
}

uint64_t default_max_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{4} << 30;  // unknown: a modest machine's quarter
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 4;
}

uint64_t server_buffer_bytes(const TestParams& params) {
  const bool rr = params.mode == TestMode::rr;
  const uint64_t sent = rr ? params.response_size() : params.message_bytes;
  uint64_t per_connection = strategy_info(params.strategy).buffer_bytes(sent);
  if (rr) per_connection += std::max<uint64_t>(params.message_bytes, 1);
  return per_connection * static_cast<uint64_t>(params.threads);
}

Server::Server(ServerOptions options) : options_(std::move(options)), listener_(listen_tcp(options_.bind, options_.port)) {
  if (options_.max_memory_bytes == 0) options_.max_memory_bytes = default_max_memory();
}

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
    if (fd) spawn(std::move(fd), std::move(peer));
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [id, session] : sessions_) session->abort();
  }
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
}

// One thread per connection, but a flood of connections that send nothing must not become a
// flood of threads: those still owing their header are counted, and bounded.
void Server::spawn(Fd fd, std::string peer) {
  if (pending_headers_.load() >= max_pending_headers(options_)) {
    auto reason = fmt::format("server busy: {} connections are still sending their header", max_pending_headers(options_));
    log(fmt::format("{}: refused: {}", peer, reason));
    refuse_now(fd.get(), reason);
    return;
  }
  ++pending_headers_;
  auto done = std::make_shared<std::atomic<bool>>(false);
  try {
    workers_.push_back({std::thread([this, done, peer, fd = std::move(fd)]() mutable {
                          handle(std::move(fd), peer);
                          done->store(true);
                        }),
                        done});
  } catch (const std::system_error& e) {  // no thread to be had: refuse this one, serve on
    --pending_headers_;
    log(fmt::format("{}: refused: {}", peer, e.what()));
  }
}

void Server::handle(Fd fd, std::string peer) {
  Header header;
  try {
    HeaderBytes bytes{};
    const int64_t deadline = now_ns() + int64_t{options_.header_timeout_ms} * 1'000'000;
    {
      PendingHeader owed{pending_headers_};
      if (!recv_exact(fd.get(), bytes.data(), bytes.size(), deadline, "read header")) return;
    }
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
  if (auto reason = admit(session); !reason.empty()) {
    log(fmt::format("{}: refused test: {}", peer, reason));
    reply(fd.get(), FrameType::reject, reason);
    once_done_.store(true);
    return;
  }
  const auto& p = session->params();
  log(fmt::format("{}: test {:016x}: {}, {} messages, {} threads, {} after {} warm-up", peer, session->id(), p.strategy,
                  format_size(p.message_bytes), p.threads, format_duration(p.duration_ns), format_duration(p.warmup_ns)));
  try {
    write_frame(fd.get(), FrameType::accept, fmt::format("{}", session->id()), now_ns() + 5'000'000'000);
    auto result = session->run_control(fd.get());
    // The test's place is free once it is measured: a client that starts the next test as
    // soon as it has this one's RESULT must not find the server busy.
    release(*session);
    write_frame(fd.get(), FrameType::result, result, now_ns() + 10'000'000'000);
    log(fmt::format("test {:016x}: done", session->id()));
  } catch (const std::exception& e) {
    release(*session);
    log(fmt::format("test {:016x}: ended early: {}", session->id(), e.what()));
    reply(fd.get(), FrameType::abort, e.what());
  }
  once_done_.store(true);
}

std::string Server::admit(const std::shared_ptr<TestSession>& session) {
  const TestParams& p = session->params();
  const uint64_t need = server_buffer_bytes(p);
  std::lock_guard lock(mu_);
  if (static_cast<int>(sessions_.size()) >= options_.max_clients)
    return fmt::format("server busy: {} test(s) running, the most it runs at once (--max-clients {})",
                       options_.max_clients, options_.max_clients);
  // Checked before a single buffer is allocated: a client must not be able to make the server
  // allocate more than its operator allows (a zero-copy pool reaches 64 MiB per connection).
  if (need > options_.max_memory_bytes - std::min(held_bytes_, options_.max_memory_bytes))
    return fmt::format("the test needs {} of message buffers on the server ({} connection(s) x {}), more than "
                       "it may hold: --max-memory {}, of which running tests hold {}",
                       format_size(need), p.threads, format_size(need / static_cast<uint64_t>(p.threads)),
                       format_size(options_.max_memory_bytes), format_size(held_bytes_));
  sessions_[session->id()] = session;
  held_bytes_ += need;
  return "";
}

void Server::release(const TestSession& session) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(session.id())) held_bytes_ -= server_buffer_bytes(session.params());
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
    if (!same_test(params, want)) throw ProtocolError("data connection's parameters differ from its test's");
    // The server sends the stream's messages, or the responses of a request/response test.
    strategy = strategy_info(params.strategy).make(params.mode == TestMode::rr ? params.response_size() : params.message_bytes);
    set_io_timeouts(fd.get(), options_.io_timeout_ms, options_.io_timeout_ms);
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
