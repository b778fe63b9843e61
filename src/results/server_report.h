#pragma once
// The RESULT frame's payload: what the server measured on its side of one test, as JSON
// (METHODOLOGY.md section 2, step 8): the sender's side in a forward test, the receiver's in a
// reverse one (--reverse). The server encodes it; the client decodes what arrives, which may
// be anything a peer chose to send.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "results/result.h"

namespace copybench {

struct ServerReport {
  SideFigures side;  // side.side says which: sender (forward) or receiver (reverse)
  Environment environment;
  std::optional<ZeroCopyFigures> zerocopy;  // null unless the server sent with a zero-copy strategy
  uint64_t messages_checked = 0;            // --verify: what the server checked (rr requests; reverse: the stream)
  uint64_t corrupt_messages = 0;
  uint64_t trailing_bytes = 0;  // reverse: bytes of an incomplete last message
};

std::string encode_server_report(const ServerReport& report);

/// Parses a RESULT payload for a test of `threads` connections whose server measured side
/// `expected`. Throws Error("malformed RESULT from the server: ...") for anything else: not
/// JSON, a key missing or of the wrong type, a number out of range, the other side, or streams
/// that do not match the test's connections.
ServerReport decode_server_report(std::string_view payload, int threads, Side expected = Side::sender);

}  // namespace copybench
