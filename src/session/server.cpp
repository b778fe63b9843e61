#include "session/server.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "metrics/perf_counters.h"
#include "params/param_table.h"
#include "session/roles/roles.h"
#include "session/test_session.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"
#include "wire/auth.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

void reply(int fd, FrameType type, const std::string& payload) {
  try {
    write_frame(fd, type, payload, now_ns() + 1'000'000'000);
  } catch (const std::exception&) {
    // The peer is gone; nothing more to tell it.
  }
}

constexpr int64_t kAuthTimeoutNs = 5'000'000'000;  // for the client's AUTH after CHALLENGE

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

int max_pending_headers_per_source(const ServerOptions& options) {
  return std::max(8, max_pending_headers(options) / 4);
}

uint64_t default_max_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{4} << 30;  // unknown: a modest machine's quarter
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 4;
}

uint64_t server_buffer_bytes(const TestParams& params) {
  return connection_buffer_bytes(connection_role(params, End::server), params) * static_cast<uint64_t>(params.threads);
}

Server::Server(ServerOptions options)
    : options_(std::move(options)), listener_(listen_tcp(options_.bind, options_.port, options_.family)) {
  if (options_.max_memory_bytes == 0) options_.max_memory_bytes = default_max_memory();
}

Server::~Server() {
  for (auto& w : workers_)
    if (w.thread.joinable()) w.thread.join();
}

void Server::log(const std::string& line) const {
  if (options_.quiet) return;
  // Not fmt::print: it throws when stderr is a closed pipe, and some callers are catch handlers.
  // A log line that cannot be written is dropped; the server serves on.
  const std::string text = fmt::format("copybench server: {}\n", line);
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

void Server::reap_finished() {
  std::erase_if(workers_, [](Worker& w) {
    if (!w.done->load()) return false;
    w.thread.join();
    return true;
  });
  std::lock_guard lock(mu_);
  std::erase_if(held_, [&](HeldBuffers& h) {
    h.strategy->reap_released(h.fd.get());
    if (h.strategy->holds_buffers()) return false;
    held_bytes_ -= h.bytes;
    return true;
  });
}

void Server::serve(const std::atomic<bool>& stop) {
  // --once: after a test ran and no other is running (--bidir's two tests end apart).
  auto once_finished = [&] {
    if (!options_.once || !once_done_.load()) return false;
    std::lock_guard lock(mu_);
    return sessions_.empty();
  };
  while (!stop.load() && !once_finished()) {
    accept_one();
    reap_finished();
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [id, session] : sessions_) session->abort();
  }
  shut_down_pending();
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
}

void Server::accept_one() {
  std::string peer;
  int error = 0;
  Fd fd = accept_within(listener_.fd.get(), 100, &peer, &error);
  if (fd) {
    if (accept_failing_) log("accept() works again");
    accept_failing_ = false;
    spawn(std::move(fd), std::move(peer));
    return;
  }
  if (error == 0) return;
  // Out of fds (EMFILE, ENFILE) or memory: the pending connection stays queued and poll()
  // reports it again at once. Pause instead of spinning, and say so once.
  if (!accept_failing_) log(fmt::format("accept() fails: {}; retrying every 100 ms", std::strerror(error)));
  accept_failing_ = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

bool Server::claim_pending(const std::string& source, int fd) {
  std::lock_guard lock(mu_);
  if (pending_headers_ >= max_pending_headers(options_) ||
      pending_by_source_[source] >= max_pending_headers_per_source(options_)) {
    if (pending_by_source_[source] == 0) pending_by_source_.erase(source);
    return false;
  }
  ++pending_headers_;
  ++pending_by_source_[source];
  pending_fds_.insert(fd);
  return true;
}

void Server::release_pending(const std::string& source, int fd) {
  std::lock_guard lock(mu_);
  --pending_headers_;
  if (--pending_by_source_[source] == 0) pending_by_source_.erase(source);
  pending_fds_.erase(fd);
}

void Server::shut_down_pending() {
  std::lock_guard lock(mu_);
  for (int fd : pending_fds_) ::shutdown(fd, SHUT_RDWR);
}

// One thread per connection, but a flood of connections that send nothing must not become a
// flood of threads: those still owing their header are counted, and bounded, in all and per
// source address (so one peer's silent sockets cannot take every place).
void Server::spawn(Fd fd, std::string peer) {
  const std::string source = peer_host(peer);
  if (!claim_pending(source, fd.get())) {
    auto reason =
        fmt::format("server busy: {} connections are still sending their header ({} at most from one address)",
                    max_pending_headers(options_), max_pending_headers_per_source(options_));
    log(fmt::format("{}: refused: {}", peer, reason));
    refuse_now(fd.get(), reason);
    return;
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  const int raw_fd = fd.get();
  try {
    workers_.push_back({std::thread([this, done, peer, fd = std::move(fd)]() mutable {
                          handle(std::move(fd), peer);
                          done->store(true);
                        }),
                        done});
  } catch (const std::system_error& e) {  // no thread to be had: refuse this one, serve on
    release_pending(source, raw_fd);
    log(fmt::format("{}: refused: {}", peer, e.what()));
  }
}

void Server::handle(Fd fd, const std::string& peer) {
  Header header;
  HeaderBytes bytes{};
  try {
    const int64_t deadline = now_ns() + int64_t{options_.header_timeout_ms} * 1'000'000;
    bool got = false;
    {
      // Owed until the header is in, or the read failed: either way the place is given back.
      struct Owed {
        Server& server;
        std::string source;
        int fd;
        ~Owed() { server.release_pending(source, fd); }
      } owed{*this, peer_host(peer), fd.get()};
      // The version first: a peer of another version is refused in one line, not left waiting.
      got = recv_exact(fd.get(), bytes.data(), kHeaderPrefixBytes, deadline, "read header");
      if (got) check_header_prefix(bytes.data(), kHeaderPrefixBytes);
      if (got)
        recv_exact(fd.get(), bytes.data() + kHeaderPrefixBytes, bytes.size() - kHeaderPrefixBytes, deadline,
                   "read header", bytes.size());
    }
    if (!got) return;
    header = decode_header(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  if (header.kind == ConnectionKind::control) handle_control(std::move(fd), peer, header, bytes);
  else handle_data(std::move(fd), peer, header);
}

void Server::authenticate(int fd, const HeaderBytes& header) {
  const Nonce nonce = random_nonce();
  write_frame(fd, FrameType::challenge, std::string(nonce.begin(), nonce.end()), now_ns() + kAuthTimeoutNs);
  auto frame = read_frame(fd, now_ns() + kAuthTimeoutNs);
  if (!frame) throw ProtocolError("the client closed the connection instead of authenticating (no --secret-file?)");
  if (frame->type != FrameType::auth)
    throw ProtocolError(fmt::format("expected AUTH, got {}: this server needs a shared secret (--secret-file)",
                                    frame_type_name(frame->type)));
  if (!mac_matches(*options_.secret, nonce, header, frame->payload))
    throw ProtocolError("authentication failed: the client's secret is not this server's (--secret-file)");
}

// A refused test (bad parameters, a wrong secret, no room) is a stranger's as far as --once
// goes: only a test that ran ends a --once server.
void Server::handle_control(Fd fd, const std::string& peer, const Header& header, const HeaderBytes& bytes) {
  std::shared_ptr<TestSession> session;
  try {
    if (options_.secret) authenticate(fd.get(), bytes);
    auto params = params_from(header);
    validate(params);
    if (params.profile && !options_.allow_profile)
      throw ProtocolError(
          "--profile is not allowed on this server: it samples the whole machine's kernel "
          "(start the server with --allow-profile)");
    session = std::make_shared<TestSession>(random_id(), params, peer_host(peer));
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused test: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  if (auto reason = admit(session); !reason.empty()) {
    log(fmt::format("{}: refused test: {}", peer, reason));
    reply(fd.get(), FrameType::reject, reason);
    return;
  }
  const auto& p = session->params();
  const bool receives = side_of(End::server, p.direction) == Side::receiver;
  log(fmt::format("{}: test {:016x}: {}{}, {} messages, {} threads, {} after {} warm-up", peer, session->id(),
                  p.strategy, receives ? fmt::format(" from the client, received with {}", p.recv_strategy) : "",
                  format_size(p.message_bytes), p.threads, format_duration(p.duration_ns),
                  format_duration(p.warmup_ns)));
  try {
    // A peer that went silent (no FIN, no RST: a cable pulled, a host frozen) ends the test
    // within the I/O timeout: keepalive probes go unanswered and TCP_USER_TIMEOUT fires.
    set_silence_timeout(fd.get(), options_.io_timeout_ms / 2, options_.io_timeout_ms);
    // A client that cannot take ACCEPT gets no test: nothing waits for its data connections.
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
  if (p.warmup_ns + p.duration_ns > options_.max_duration_ns)
    return fmt::format(
        "the test asks for {} of warm-up and window; this server runs a test for at most {} (--max-duration)",
        format_duration(p.warmup_ns + p.duration_ns), format_duration(options_.max_duration_ns));
  std::lock_guard lock(mu_);
  if (static_cast<int>(sessions_.size()) >= options_.max_clients)
    return fmt::format("server busy: {} test(s) running, the most it runs at once (--max-clients {})",
                       options_.max_clients, options_.max_clients);
  // Checked before a single buffer is allocated: a client must not be able to make the server
  // allocate more than its operator allows (a zero-copy pool reaches 64 MiB per connection).
  if (need > options_.max_memory_bytes - std::min(held_bytes_, options_.max_memory_bytes))
    return fmt::format(
        "the test needs {} of message buffers on the server ({} connection(s) x {}), more than "
        "it may hold: --max-memory {}, of which running tests hold {}",
        format_size(need), p.threads, format_size(need / static_cast<uint64_t>(p.threads)),
        format_size(options_.max_memory_bytes), format_size(held_bytes_));
  sessions_[session->id()] = session;
  held_bytes_ += need;
  return "";
}

void Server::release(TestSession& session) {
  // Only once every thread of the test has returned: until then its buffers are still in use.
  // (run_control shuts their sockets down and waits; a thread that still did not return keeps
  // the test's place and memory, and that is said.)
  if (!session.streams_done()) {
    log(fmt::format("test {:016x}: a connection thread has not returned; its place and {} stay taken", session.id(),
                    format_size(server_buffer_bytes(session.params()))));
    return;
  }
  std::lock_guard lock(mu_);
  if (sessions_.erase(session.id())) held_bytes_ -= server_buffer_bytes(session.params());
}

void Server::handle_data(Fd fd, const std::string& peer, const Header& header) {
  std::shared_ptr<TestSession> session;
  const int index = header.stream_index;
  try {
    {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(header.test_id);
      if (it == sessions_.end()) throw ProtocolError(fmt::format("unknown test id {:016x}", header.test_id));
      session = it->second;
    }
    if (peer_host(peer) != session->peer_host())
      throw ProtocolError(fmt::format("a data connection from {}, but its test's control connection came from {}",
                                      peer_host(peer), session->peer_host()));
    if (!same_test(params_from(header), session->params()))
      throw ProtocolError("data connection's parameters differ from its test's");
    // The slot first, then the buffers: a duplicate or a stray is turned away having cost a
    // header's worth, and a test never has more connections than its threads.
    session->attach(index, current_tid(), fd.get());
  } catch (const std::exception& e) {
    log(fmt::format("{}: refused data connection: {}", peer, e.what()));
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  const auto& params = session->params();
  const RoleInfo& role = connection_role(params, End::server);
  std::unique_ptr<SendStrategy> send;
  std::unique_ptr<RecvStrategy> receive;
  try {
    // What the role sends (the stream's messages, or rr's responses) and what it receives
    // with (a reverse stream: the client's named strategy; rr's requests: plain recv()).
    send = make_send_strategy(role, params);
    receive = make_recv_strategy(role, params, path_mtu(fd.get()));
    set_io_timeouts(fd.get(), options_.io_timeout_ms, options_.io_timeout_ms);
    set_knobs(fd.get(), socket_knobs(role, params));  // -w, -C, -M, -N, --pacing kernel, as the client's
    session->set_grant(index, read_grant(fd.get()));
    if (send) send->prepare(fd.get());
    if (receive) receive->prepare(fd.get());
    write_frame(fd.get(), FrameType::accept, "", now_ns() + 1'000'000'000);
  } catch (const std::exception& e) {
    log(fmt::format("{}: data connection {} of test {:016x} failed: {}", peer, index, session->id(), e.what()));
    session->fail_stream(index, e.what());
    reply(fd.get(), FrameType::reject, e.what());
    return;
  }
  auto held = session->run_data_connection(index, std::move(fd), std::move(send), std::move(receive));
  if (held) hold(*session, index, std::move(*held));
}

// The kernel may still send from these buffers (a peer that stopped reading, the connection
// reset): they stay, counted against --max-memory, until their completions come.
void Server::hold(const TestSession& session, int index, HeldBuffers held) {
  const TestParams& params = session.params();
  held.bytes =
      strategy_info(params.strategy).buffer_bytes(connection_role(params, End::server).sent_message_bytes(params));
  log(fmt::format("test {:016x}: connection {}: {} kept until the kernel releases them", session.id(), index,
                  format_size(held.bytes)));
  std::lock_guard lock(mu_);
  held_bytes_ += held.bytes;
  held_.push_back(std::move(held));
}

}  // namespace copybench
