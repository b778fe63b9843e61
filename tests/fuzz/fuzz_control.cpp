// libFuzzer target: a control connection's byte stream, as the client reads it after its
// header (CHALLENGE, ACCEPT, RESULT, ABORT, ...) and the server reads it (AUTH, START, STOP).
// A CHALLENGE's payload goes where the client answers it, an AUTH's where the server checks it. The bytes go
// through a real socket into read_frame; a RESULT frame's payload goes to the decoder the
// client uses. Input: byte 0 picks the test's connection count (1 to 4), the rest is the stream.
#include <sys/socket.h>
#include <cstddef>
#include <cstdint>
#include <exception>

#include "core/clock.h"
#include "net/socket.h"
#include "results/server_report.h"
#include "wire/auth.h"
#include "wire/protocol.h"

using namespace copybench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int threads = 1 + data[0] % 4;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  Fd reader(fds[0]), writer(fds[1]);
  // Fits the socket buffer (run with -max_len of at most 64 KiB): no writer thread needed.
  if (size > 1 && ::send(writer.get(), data + 1, size - 1, MSG_DONTWAIT) != static_cast<ssize_t>(size - 1)) return 0;
  ::shutdown(writer.get(), SHUT_WR);
  try {
    static const Secret secret = Secret::from_bytes("fuzz secret");
    static const HeaderBytes header = encode_header(Header{});
    while (auto frame = read_frame(reader.get(), now_ns() + 1'000'000'000)) {
      if (frame->type == FrameType::challenge) {
        try {
          (void)secret.mac(parse_challenge(frame->payload), header);
        } catch (const ProtocolError&) {  // not a 32-byte nonce: the client's one line
        }
        continue;
      }
      if (frame->type == FrameType::auth) {
        // A random answer must not match (2^-256), and the check must take any length.
        if (mac_matches(secret, Nonce{}, header, frame->payload) && frame->payload.size() != kMacBytes)
          __builtin_trap();
        continue;
      }
      if (frame->type != FrameType::result) continue;
      try {
        auto report = decode_server_report(frame->payload, threads);
        // Whatever is accepted encodes and is accepted again.
        decode_server_report(encode_server_report(report), threads);
      } catch (const Error&) {  // "malformed RESULT from the server: ..."
      }
    }
  } catch (const Error&) {  // ProtocolError and the socket's: the connection's end
  }
  return 0;
}
