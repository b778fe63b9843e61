#include "session/client_connections.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kDataTimeoutMs = 10'000;

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
  if (frame->type != FrameType::accept)
    throw Error(fmt::format("unexpected {} from the server", frame_type_name(frame->type)));
  return frame->payload;
}

struct Kept {
  Fd fd;
  std::unique_ptr<SendStrategy> strategy;
};

std::vector<Kept>& kept_until_exit() {
  static std::vector<Kept> kept;  // reachable, not leaked: the kernel may still read these
  return kept;
}

}  // namespace

ClientConnections::ClientConnections(const ClientOptions& options)
    : opt_(options), p_(options.params), role_(connection_role(options.params, End::client)) {}

ClientConnections::~ClientConnections() {
  for (size_t i = 0; i < senders_.size(); ++i)
    if (senders_[i]->holds_buffers()) kept_until_exit().push_back({std::move(data_[i]), std::move(senders_[i])});
}

void ClientConnections::open(Environment& env) {
  control_ = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms);
  auto id_text = handshake(control_.get(), header_for(p_, ConnectionKind::control, 0, 0), opt_.secret.get());
  uint64_t test_id = std::stoull(id_text);
  // The data connections' path MTU is known only once they exist; the control connection's,
  // on the same path, sizes what the receive strategy sets before connecting (TCP_MAXSEG).
  const int control_mtu = path_mtu(control_.get());
  const SocketKnobs knobs = socket_knobs(role_, p_);
  for (int i = 0; i < p_.threads; ++i) {
    RecvStrategy* receiver = nullptr;
    if (auto made = make_recv_strategy(role_, p_, control_mtu)) {
      receivers_.push_back(std::move(made));
      receiver = receivers_.back().get();
    }
    // Before connect, so the SYN carries them (the window's scale, the MSS); the test's -M
    // after the receive strategy's own TCP_MAXSEG, so what the user asked for wins.
    Fd fd = connect_tcp(opt_.host, opt_.port, opt_.connect_timeout_ms, [&](int s) {
      if (p_.cport != 0) bind_local_port(s, static_cast<uint16_t>(p_.cport + i));
      if (receiver) receiver->before_connect(s);
      set_knobs(s, knobs);
    });
    handshake(fd.get(), header_for(p_, ConnectionKind::data, test_id, static_cast<uint16_t>(i)), nullptr);
    set_io_timeouts(fd.get(), kDataTimeoutMs, kDataTimeoutMs);
    if (i == 0) grant_ = read_grant(fd.get());
    if (receiver) receiver->prepare(fd.get());
    if (role_.sends) {
      senders_.push_back(make_send_strategy(role_, p_));
      senders_.back()->prepare(fd.get());
    }
    data_.push_back(std::move(fd));
  }
  if (int mtu = path_mtu(data_.front().get()); mtu > 0) env.path_mtu = mtu;
}

ConnectionWork ClientConnections::work(int i, StreamCounters& counters, WindowMeter& meter) const {
  return {.fd = data(i),
          .index = static_cast<uint32_t>(i),
          .params = &p_,
          .send = role_.sends ? senders_[i].get() : nullptr,
          .receive = role_.receive != RoleReceive::none ? receivers_[i].get() : nullptr,
          .counters = &counters,
          .histogram = meter.histogram(i),
          .recording = &meter.recording()};
}

void ClientConnections::shut_down() {
  for (auto& fd : data_) ::shutdown(fd.get(), SHUT_RDWR);
}

ConnectionEnd ClientConnections::end_of(int i, const ConnectionTotals& totals) const {
  const SendAccounting* sent = i < static_cast<int>(senders_.size()) ? &senders_[i]->accounting() : nullptr;
  return connection_end(totals, sent);
}

std::vector<SendAccounting> ClientConnections::send_accounting() const {
  std::vector<SendAccounting> out;
  for (const auto& s : senders_) out.push_back(s->accounting());
  return out;
}

std::vector<RecvAccounting> ClientConnections::recv_accounting() const {
  std::vector<RecvAccounting> out;
  for (const auto& r : receivers_) out.push_back(r->accounting());
  return out;
}

}  // namespace copybench
