#pragma once
// The RESULT frame's payload: what the server measured on its side of one test, as JSON
// (METHODOLOGY.md section 2, step 8). The server encodes it; the client decodes what arrives,
// which may be anything a peer chose to send.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "results/result.h"

namespace copybench {

struct SenderReport {
  SideFigures sender;
  Environment environment;
  std::optional<ZeroCopyFigures> zerocopy;  // null unless the strategy is zero-copy
  uint64_t messages_checked = 0;            // rr: requests the server checked (--verify)
  uint64_t corrupt_messages = 0;
};

std::string encode_sender_report(const SenderReport& report);

/// Parses a RESULT payload for a test of `threads` connections. Throws Error("malformed
/// RESULT from the server: ...") for anything else: not JSON, a key missing or of the wrong
/// type, a number out of range, or streams that do not match the test's connections.
SenderReport decode_sender_report(std::string_view payload, int threads);

}  // namespace copybench
