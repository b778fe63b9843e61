#include "corrupting_peer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "raw_peer.h"
#include "results/server_report.h"
#include "wire/protocol.h"

namespace copybench::test {
namespace {

constexpr int64_t kMs = 1'000'000;

// The sequence whose pattern message number `n` carries under `fault`.
uint64_t sequence_sent(Fault fault, uint64_t at, uint64_t n) {
  if (fault == Fault::wrong_sequence && n == at) return n + 1000;
  if (fault == Fault::reordered && n == at) return at + 1;
  if (fault == Fault::reordered && n == at + 1) return at;
  return n;
}

}  // namespace

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::wrong_byte: return "a wrong byte";
    case Fault::wrong_sequence: return "another message's bytes";
    case Fault::short_message: return "a short message";
    case Fault::reordered: return "two messages swapped";
  }
  return "?";
}

SentTotals send_faulty_stream(int fd, uint32_t connection, size_t size, Fault fault, uint64_t at,
                              const std::function<bool()>& stop) {
  std::vector<std::byte> message(size);
  SentTotals sent;
  for (uint64_t n = 0; n <= at + 1 || !stop(); ++n) {
    fill_pattern({connection, sequence_sent(fault, at, n)}, 0, message.data(), size);
    size_t len = size;
    if (n == at && fault == Fault::wrong_byte) message[size / 2] ^= std::byte{0x5a};
    if (n == at && fault == Fault::short_message) len -= kShortBy;
    send_all(fd, message.data(), len, now_ns() + 10'000 * kMs, "send a message");
    sent.bytes += len;
    ++sent.messages;
  }
  return sent;
}

CorruptingServer::CorruptingServer(Fault fault, uint64_t at)
    : listener_(listen_tcp("127.0.0.1", 0)), fault_(fault), at_(at), thread_([this] { serve(); }) {}

CorruptingServer::~CorruptingServer() {
  quit_.store(true);
  thread_.join();
}

Fd CorruptingServer::accept_with_header(uint16_t* stream_index) {
  Header header;
  Fd fd = test::accept_with_header(listener_.fd.get(), header);
  message_bytes_ = header.message_bytes;
  if (stream_index) *stream_index = header.stream_index;
  return fd;
}

void CorruptingServer::serve() {
  try {
    Fd control = accept_with_header(nullptr);
    write_frame(control.get(), FrameType::accept, "1", now_ns() + 2000 * kMs);
    uint16_t index = 0;
    Fd data = accept_with_header(&index);
    write_frame(data.get(), FrameType::accept, "", now_ns() + 2000 * kMs);
    write_frame(control.get(), FrameType::ready, "", now_ns() + 2000 * kMs);
    auto start = read_frame(control.get(), now_ns() + 10'000 * kMs);
    if (!start || start->type != FrameType::start) throw Error("expected START");
    sent_ =
        send_faulty_stream(data.get(), index, message_bytes_, fault_, at_, [&] { return readable_now(control.get()); });
    auto stop = read_frame(control.get(), now_ns() + 10'000 * kMs);
    if (!stop || stop->type != FrameType::stop) throw Error("expected STOP");
    ::shutdown(data.get(), SHUT_WR);  // the stream ends here, as a real sender's does after STOP
    ServerReport report;
    report.side.side = Side::sender;
    report.side.role = Role::sender;
    report.side.host = "corrupting-peer";
    StreamFigures stream;
    stream.index = index;
    stream.bytes_total = sent_.bytes;
    stream.messages_total = sent_.messages;
    report.side.streams.push_back(stream);
    report.side.bytes_total = sent_.bytes;
    report.side.messages_total = sent_.messages;
    report.environment.hostname = "corrupting-peer";
    write_frame(control.get(), FrameType::result, encode_server_report(report), now_ns() + 2000 * kMs);
    while (!quit_.load() && !readable_now(control.get())) ::usleep(10'000);  // until the client leaves
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

}  // namespace copybench::test
