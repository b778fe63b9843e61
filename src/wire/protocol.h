#pragma once
// The wire protocol. Every connection opens with a fixed 64-byte versioned header; the server
// answers with a frame (ACCEPT or REJECT + reason). The control connection then carries
// length-prefixed frames: START, STOP, RESULT (JSON), ABORT (reason). All integers big-endian.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "params/params.h"

namespace copybench {

inline constexpr uint32_t kProtocolMagic = 0x43505942;  // "CPYB"
// 2: mode, response size, measurement flags; 3: reserved bytes and unknown flags refused, the
// CHALLENGE/AUTH exchange of a server with a shared secret; 4: the direction (flags) and, for
// a server that receives (--reverse), the receive strategy and receive size; 5: the interval of
// the server's interval reports; 6: READY, after which the client sends START (the server's meter
// is open, so both windows cover the same traffic however long either side took to open its own);
// 7: 128 bytes, the rate and the socket knobs (rate, window, MSS, congestion control, nodelay,
// pacing), read after the first kHeaderPrefixBytes have said which version the peer speaks.
inline constexpr uint16_t kProtocolVersion = 7;
inline constexpr size_t kHeaderBytes = 128;
/// Magic and version: a server reads these first, so a peer of another version is told so in
/// one line instead of waiting for bytes it will never send (version 6 headers are 64 bytes).
inline constexpr size_t kHeaderPrefixBytes = 6;
inline constexpr size_t kCongestionNameBytes = 16;  // TCP_CA_NAME_MAX, the terminating zero included
inline constexpr uint32_t kMaxFramePayload = 4u << 20;

enum class ConnectionKind : uint8_t { control = 1, data = 2 };

/// The header's fields. Which test parameter travels in which field (and in which bits of
/// `flags`) is the parameter table's wire column (spec/param_table.cpp); header_for and
/// params_from only loop over it.
struct Header {
  ConnectionKind kind = ConnectionKind::control;
  uint8_t strategy_id = 0;
  uint32_t flags = 0;
  uint32_t message_bytes = 0;
  uint32_t warmup_ms = 0;
  uint32_t duration_ms = 0;
  uint16_t threads = 0;
  uint16_t stream_index = 0;
  uint64_t test_id = 0;
  uint8_t mode = 1;  // TestMode
  uint32_t response_bytes = 0;
  uint8_t recv_strategy_id = 0;  // reverse: how the server receives (0: the default, recv)
  uint32_t recv_bytes = 0;       // reverse: bytes per receive call (0: the default rule)
  uint32_t interval_ms = 0;      // --interval (0: none)
  uint64_t rate_bps = 0;         // --rate per connection (0: max)
  uint32_t window_bytes = 0;     // -w (0: the kernel's)
  uint16_t mss_bytes = 0;        // -M (0: the path's)
  std::string congestion;        // -C ("": the system's), at most kCongestionNameBytes - 1 bytes
};

using HeaderBytes = std::array<uint8_t, kHeaderBytes>;

HeaderBytes encode_header(const Header& header);

/// Bytes of the header the fields use; the rest is reserved and must be zero.
inline constexpr size_t kHeaderUsedBytes = 80;

/// Checks the first kHeaderPrefixBytes (magic, version); throws ProtocolError as decode_header.
void check_header_prefix(const uint8_t* bytes, size_t len);

/// Decodes `len` bytes; throws ProtocolError naming the problem (truncated, magic, version,
/// kind, reserved bytes or flag bits set: a newer copybench). Range checks of the values are the
/// server's (validate()).
Header decode_header(const uint8_t* bytes, size_t len);

/// Malformed or unacceptable protocol input; the message is sent back to the peer.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// A server with a shared secret answers a control header with CHALLENGE (a nonce); the client
// proves it holds the secret with AUTH (auth.h), then gets ACCEPT or REJECT.
enum class FrameType : uint32_t {
  accept = 1,
  reject = 2,
  start = 3,
  stop = 4,
  result = 5,
  abort = 6,
  challenge = 7,
  auth = 8,
  ready = 9  // the server's meter is open on the test's threads: the client may send START
};
inline constexpr uint32_t kLastFrameType = 9;

struct Frame {
  FrameType type;
  std::string payload;
};

const char* frame_type_name(FrameType type);

/// Writes one frame before deadline_ns.
void write_frame(int fd, FrameType type, const std::string& payload, int64_t deadline_ns);

/// Reads one frame before deadline_ns; nullopt on a clean EOF at a frame boundary.
std::optional<Frame> read_frame(int fd, int64_t deadline_ns);

/// Encodes the frame (for tests and fuzzing); parse_frame_prefix reads type and length.
std::string encode_frame(FrameType type, const std::string& payload);
void parse_frame_prefix(const uint8_t* bytes, FrameType* type, uint32_t* length);

/// Header <-> parameters, as the parameter table places them (strategy by registry id,
/// durations in whole milliseconds); params_from throws ProtocolError for a value it cannot take.
Header header_for(const TestParams& params, ConnectionKind kind, uint64_t test_id, uint16_t stream_index);
TestParams params_from(const Header& header);

}  // namespace copybench
