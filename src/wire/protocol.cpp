#include "wire/protocol.h"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "net/socket.h"
#include "params/param_table.h"

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

// The flag bits the parameter table places; any other set bit is a parameter this copybench
// does not know.
uint32_t known_flag_bits() {
  static const uint32_t mask = [] {
    uint32_t m = 0;
    for (const auto& p : test_parameters())
      if (p.wire.slot == WireSlot::flags) m |= ((1u << p.wire.width) - 1) << p.wire.shift;
    return m;
  }();
  return mask;
}

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
  w.put(h.recv_strategy_id);
  w.put(h.recv_bytes);
  w.put(h.interval_ms);
  w.put(h.rate_bps);
  w.put(h.window_bytes);
  w.put(h.mss_bytes);
  std::copy_n(h.congestion.begin(), std::min(h.congestion.size(), kCongestionNameBytes - 1),
              bytes.begin() + kHeaderUsedBytes - kCongestionNameBytes);
  return bytes;  // the rest is reserved, zero
}

void check_header_prefix(const uint8_t* bytes, size_t len) {
  if (len < kHeaderPrefixBytes) throw ProtocolError(fmt::format("truncated header: {} of {} bytes", len, kHeaderBytes));
  Reader r(bytes);
  auto magic = r.get<uint32_t>();
  if (magic != kProtocolMagic) throw ProtocolError(fmt::format("not a copybench header (magic 0x{:08x})", magic));
  auto version = r.get<uint16_t>();
  if (version != kProtocolVersion)
    throw ProtocolError(fmt::format("protocol version {} is not supported (this copybench speaks version {})", version,
                                    kProtocolVersion));
}

Header decode_header(const uint8_t* bytes, size_t len) {
  check_header_prefix(bytes, len);
  if (len < kHeaderBytes) throw ProtocolError(fmt::format("truncated header: {} of {} bytes", len, kHeaderBytes));
  Reader r(bytes + kHeaderPrefixBytes);
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
  h.recv_strategy_id = r.get<uint8_t>();
  h.recv_bytes = r.get<uint32_t>();
  h.interval_ms = r.get<uint32_t>();
  h.rate_bps = r.get<uint64_t>();
  h.window_bytes = r.get<uint32_t>();
  h.mss_bytes = r.get<uint16_t>();
  const auto* name = reinterpret_cast<const char*>(bytes + kHeaderUsedBytes - kCongestionNameBytes);
  h.congestion.assign(name, strnlen(name, kCongestionNameBytes));
  if (h.congestion.size() >= kCongestionNameBytes)
    throw ProtocolError("the congestion control's name in the header is not terminated");
  for (size_t i = kHeaderUsedBytes; i < kHeaderBytes; ++i)
    if (bytes[i] != 0)
      throw ProtocolError(
          fmt::format("reserved header byte {} is 0x{:02x}, not zero (from a newer copybench?)", i, bytes[i]));
  if (const uint32_t unknown = h.flags & ~known_flag_bits(); unknown != 0)
    throw ProtocolError(fmt::format("unknown flag bits 0x{:08x} in the header (from a newer copybench?)", unknown));
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
    case FrameType::challenge: return "CHALLENGE";
    case FrameType::auth: return "AUTH";
    case FrameType::ready: return "READY";
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
  if (raw_type < 1 || raw_type > kLastFrameType) throw ProtocolError(fmt::format("unknown frame type {}", raw_type));
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

namespace {

// The header field a parameter's wire slot names, clamped to the field's width on the way in.
uint64_t slot_value(const Header& h, const Wire& wire) {
  switch (wire.slot) {
    case WireSlot::strategy_id: return h.strategy_id;
    case WireSlot::mode: return h.mode;
    case WireSlot::message_bytes: return h.message_bytes;
    case WireSlot::response_bytes: return h.response_bytes;
    case WireSlot::recv_strategy_id: return h.recv_strategy_id;
    case WireSlot::recv_bytes: return h.recv_bytes;
    case WireSlot::interval_ms: return h.interval_ms;
    case WireSlot::warmup_ms: return h.warmup_ms;
    case WireSlot::duration_ms: return h.duration_ms;
    case WireSlot::threads: return h.threads;
    case WireSlot::rate_bps: return h.rate_bps;
    case WireSlot::window_bytes: return h.window_bytes;
    case WireSlot::mss_bytes: return h.mss_bytes;
    case WireSlot::congestion: break;  // text: params_from parses it
    case WireSlot::flags: return (h.flags >> wire.shift) & ((1u << wire.width) - 1);
    case WireSlot::none: break;
  }
  return 0;
}

template <typename T>
T clamped(uint64_t v) {
  return static_cast<T>(std::min<uint64_t>(v, std::numeric_limits<T>::max()));
}

void put_slot(Header& h, const Wire& wire, uint64_t v) {
  switch (wire.slot) {
    case WireSlot::strategy_id: h.strategy_id = clamped<uint8_t>(v); break;
    case WireSlot::mode: h.mode = clamped<uint8_t>(v); break;
    case WireSlot::message_bytes: h.message_bytes = clamped<uint32_t>(v); break;
    case WireSlot::response_bytes: h.response_bytes = clamped<uint32_t>(v); break;
    case WireSlot::recv_strategy_id: h.recv_strategy_id = clamped<uint8_t>(v); break;
    case WireSlot::recv_bytes: h.recv_bytes = clamped<uint32_t>(v); break;
    case WireSlot::interval_ms: h.interval_ms = clamped<uint32_t>(v); break;
    case WireSlot::warmup_ms: h.warmup_ms = clamped<uint32_t>(v); break;
    case WireSlot::duration_ms: h.duration_ms = clamped<uint32_t>(v); break;
    case WireSlot::threads: h.threads = clamped<uint16_t>(v); break;
    case WireSlot::rate_bps: h.rate_bps = v; break;
    case WireSlot::window_bytes: h.window_bytes = clamped<uint32_t>(v); break;
    case WireSlot::mss_bytes: h.mss_bytes = clamped<uint16_t>(v); break;
    case WireSlot::congestion: break;  // text: header_for puts it
    case WireSlot::flags: {
      const uint32_t mask = (1u << wire.width) - 1;
      h.flags = (h.flags & ~(mask << wire.shift)) |
                ((static_cast<uint32_t>(std::min<uint64_t>(v, mask)) & mask) << wire.shift);
      break;
    }
    case WireSlot::none: break;
  }
}

}  // namespace

Header header_for(const TestParams& params, ConnectionKind kind, uint64_t test_id, uint16_t stream_index) {
  Header h;
  h.kind = kind;
  h.stream_index = stream_index;
  h.test_id = test_id;
  for (const auto& p : test_parameters()) {
    if (p.wire.slot == WireSlot::congestion) h.congestion = params.congestion;
    else if (p.wire.slot != WireSlot::none) put_slot(h, p.wire, p.to_wire(params));
  }
  return h;
}

TestParams params_from(const Header& h) {
  TestParams params;
  for (const auto& p : test_parameters()) {
    if (p.wire.slot == WireSlot::none) continue;
    try {
      if (p.wire.slot == WireSlot::congestion) p.parse(params, h.congestion.empty() ? "default" : h.congestion);
      else p.from_wire(params, slot_value(h, p.wire));
    } catch (const Error& e) {
      throw ProtocolError(e.what());
    }
  }
  return params;
}

}  // namespace copybench
