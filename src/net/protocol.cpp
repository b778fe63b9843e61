#include "net/protocol.h"

#include <fmt/format.h>

#include "core/error.h"
#include "net/socket.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

class Writer {
 public:
  explicit Writer(uint8_t* out) : out_(out) {}
  template <typename T>
  void put(T value) {
    for (int i = sizeof(T) - 1; i >= 0; --i) *out_++ = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i));
  }

 private:
  uint8_t* out_;
};

class Reader {
 public:
  explicit Reader(const uint8_t* in) : in_(in) {}
  template <typename T>
  T get() {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | *in_++;
    return static_cast<T>(v);
  }

 private:
  const uint8_t* in_;
};

}  // namespace

HeaderBytes encode_header(const Header& h) {
  HeaderBytes bytes{};
  Writer w(bytes.data());
  w.put(kProtocolMagic);
  w.put(kProtocolVersion);
  w.put(static_cast<uint8_t>(h.kind));
  w.put(h.strategy_id);
  w.put(h.flags);
  w.put(h.message_bytes);
  w.put(h.warmup_ms);
  w.put(h.duration_ms);
  w.put(h.threads);
  w.put(h.stream_index);
  w.put(h.test_id);
  w.put(h.mode);
  w.put(h.response_bytes);
  return bytes;  // the rest is reserved, zero
}

Header decode_header(const uint8_t* bytes, size_t len) {
  if (len < kHeaderBytes) throw ProtocolError(fmt::format("truncated header: {} of {} bytes", len, kHeaderBytes));
  Reader r(bytes);
  auto magic = r.get<uint32_t>();
  if (magic != kProtocolMagic) throw ProtocolError(fmt::format("not a copybench header (magic 0x{:08x})", magic));
  auto version = r.get<uint16_t>();
  if (version != kProtocolVersion)
    throw ProtocolError(fmt::format("protocol version {} is not supported (this copybench speaks version {})", version,
                                    kProtocolVersion));
  Header h;
  auto kind = r.get<uint8_t>();
  if (kind != static_cast<uint8_t>(ConnectionKind::control) && kind != static_cast<uint8_t>(ConnectionKind::data))
    throw ProtocolError(fmt::format("unknown connection kind {}", kind));
  h.kind = static_cast<ConnectionKind>(kind);
  h.strategy_id = r.get<uint8_t>();
  h.flags = r.get<uint32_t>();
  h.message_bytes = r.get<uint32_t>();
  h.warmup_ms = r.get<uint32_t>();
  h.duration_ms = r.get<uint32_t>();
  h.threads = r.get<uint16_t>();
  h.stream_index = r.get<uint16_t>();
  h.test_id = r.get<uint64_t>();
  h.mode = r.get<uint8_t>();
  h.response_bytes = r.get<uint32_t>();
  return h;
}

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::accept: return "ACCEPT";
    case FrameType::reject: return "REJECT";
    case FrameType::start: return "START";
    case FrameType::stop: return "STOP";
    case FrameType::result: return "RESULT";
    case FrameType::abort: return "ABORT";
  }
  return "UNKNOWN";
}

std::string encode_frame(FrameType type, const std::string& payload) {
  std::string out(8 + payload.size(), '\0');
  Writer w(reinterpret_cast<uint8_t*>(out.data()));
  w.put(static_cast<uint32_t>(type));
  w.put(static_cast<uint32_t>(payload.size()));
  std::copy(payload.begin(), payload.end(), out.begin() + 8);
  return out;
}

void parse_frame_prefix(const uint8_t* bytes, FrameType* type, uint32_t* length) {
  Reader r(bytes);
  auto raw_type = r.get<uint32_t>();
  *length = r.get<uint32_t>();
  if (raw_type < 1 || raw_type > 6) throw ProtocolError(fmt::format("unknown frame type {}", raw_type));
  if (*length > kMaxFramePayload) throw ProtocolError(fmt::format("frame of {} bytes is too large", *length));
  *type = static_cast<FrameType>(raw_type);
}

void write_frame(int fd, FrameType type, const std::string& payload, int64_t deadline_ns) {
  auto bytes = encode_frame(type, payload);
  send_all(fd, bytes.data(), bytes.size(), deadline_ns, fmt::format("send {} frame", frame_type_name(type)).c_str());
}

std::optional<Frame> read_frame(int fd, int64_t deadline_ns) {
  uint8_t prefix[8];
  if (!recv_exact(fd, prefix, sizeof prefix, deadline_ns, "read control frame")) return std::nullopt;
  Frame frame{};
  uint32_t length = 0;
  parse_frame_prefix(prefix, &frame.type, &length);
  frame.payload.resize(length);
  if (length > 0 && !recv_exact(fd, frame.payload.data(), length, deadline_ns, "read control frame payload"))
    throw ProtocolError("connection closed inside a frame");
  return frame;
}

Header header_for(const TestParams& params, ConnectionKind kind, uint64_t test_id, uint16_t stream_index) {
  Header h;
  h.kind = kind;
  h.strategy_id = strategy_info(params.strategy).id;
  h.flags = (params.verify ? kFlagVerify : 0) | (params.counters ? 0 : kFlagNoCounters) |
            (params.latency ? 0 : kFlagNoLatency) | (params.profile ? kFlagProfile : 0) |
            (static_cast<uint32_t>(params.pin) << kFlagPinShift);
  h.mode = static_cast<uint8_t>(params.mode);
  h.response_bytes = static_cast<uint32_t>(std::min<uint64_t>(params.response_bytes, UINT32_MAX));
  h.message_bytes = static_cast<uint32_t>(std::min<uint64_t>(params.message_bytes, UINT32_MAX));
  h.warmup_ms = static_cast<uint32_t>(std::min<int64_t>(params.warmup_ns / 1'000'000, UINT32_MAX));
  h.duration_ms = static_cast<uint32_t>(std::min<int64_t>(params.duration_ns / 1'000'000, UINT32_MAX));
  h.threads = static_cast<uint16_t>(std::min(params.threads, 65535));
  h.stream_index = stream_index;
  h.test_id = test_id;
  return h;
}

TestParams params_from(const Header& h) {
  TestParams p;
  auto* info = strategy_by_id(h.strategy_id);
  if (!info) throw ProtocolError(fmt::format("unknown strategy id {}", h.strategy_id));
  p.strategy = info->name;
  p.message_bytes = h.message_bytes;
  p.threads = h.threads;
  p.warmup_ns = int64_t{h.warmup_ms} * 1'000'000;
  p.duration_ns = int64_t{h.duration_ms} * 1'000'000;
  p.verify = (h.flags & kFlagVerify) != 0;
  p.counters = (h.flags & kFlagNoCounters) == 0;
  p.latency = (h.flags & kFlagNoLatency) == 0;
  p.profile = (h.flags & kFlagProfile) != 0;
  const uint32_t pin = (h.flags >> kFlagPinShift) & 3u;
  if (pin > static_cast<uint32_t>(PinMode::split)) throw ProtocolError(fmt::format("unknown pin mode {}", pin));
  p.pin = static_cast<PinMode>(pin);
  if (h.mode != static_cast<uint8_t>(TestMode::stream) && h.mode != static_cast<uint8_t>(TestMode::rr))
    throw ProtocolError(fmt::format("unknown test mode {}", h.mode));
  p.mode = static_cast<TestMode>(h.mode);
  p.response_bytes = h.response_bytes;
  return p;
}

}  // namespace copybench
