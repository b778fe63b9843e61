#pragma once
// A corrupting peer: it speaks the protocol correctly and sends a verified stream (each
// message the pattern of its connection and sequence, as copybench's sender writes it) with one
// chosen fault in it, so that a test can show that copybench's receiver, on either end, counts
// what it exists to count. CorruptingServer plays the server to the real client (the client
// receives); send_faulty_stream on a RawTest's data connection plays the client to the real
// server in --reverse (the server receives).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "net/socket.h"

namespace copybench::test {

enum class Fault {
  wrong_byte,      // one byte of message `at` flipped
  wrong_sequence,  // message `at` carries another message's pattern (a message from elsewhere)
  short_message,   // message `at` ends kShortBy bytes early: every later message is misaligned
  reordered,       // messages `at` and `at + 1` swapped
};
const char* fault_name(Fault fault);
inline constexpr size_t kShortBy = 100;

struct SentTotals {
  uint64_t bytes = 0;
  uint64_t messages = 0;  // messages written, the short one counted as sent
};

/// Writes messages of `size` bytes for connection `connection`, sequence 0 on, with `fault` at
/// message `at`, until `stop()` holds at a message boundary past the fault. Throws Error when a
/// send fails.
SentTotals send_faulty_stream(int fd, uint32_t connection, size_t size, Fault fault, uint64_t at,
                              const std::function<bool()>& stop);

/// A fake server for one test of one connection: handshakes, READY, streams with the fault
/// from START to STOP, then ends its stream and answers with a RESULT whose sender figures are
/// what it sent.
class CorruptingServer {
 public:
  CorruptingServer(Fault fault, uint64_t at);
  ~CorruptingServer();
  uint16_t port() const { return listener_.port; }
  /// What went wrong on the fake server's side ("" when it served the test to its end).
  const std::string& error() const { return error_; }
  SentTotals sent() const { return sent_; }

 private:
  void serve();
  Fd accept_with_header(uint16_t* stream_index);

  Listener listener_;
  Fault fault_;
  uint64_t at_;
  uint64_t message_bytes_ = 0;
  SentTotals sent_;
  std::string error_;
  std::atomic<bool> quit_{false};
  std::thread thread_;  // last: starts once everything it uses is there
};

}  // namespace copybench::test
