// libFuzzer target: the 64-byte header, as the server reads it from any connection: decode,
// map to test parameters, validate. Whatever the bytes, each step either succeeds or throws
// the error the server sends back; a header that passes must survive a round trip.
#include <cstddef>
#include <cstdint>
#include <exception>

#include "wire/protocol.h"

using namespace copybench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Header header;
  try {
    header = decode_header(data, size);
  } catch (const ProtocolError&) {
    return 0;
  }
  auto again = decode_header(encode_header(header).data(), kHeaderBytes);
  if (encode_header(again) != encode_header(header)) __builtin_trap();
  try {
    auto params = params_from(header);
    validate(params);
    // What the client would send for these parameters decodes to the same parameters.
    auto echoed = params_from(decode_header(
        encode_header(header_for(params, header.kind, header.test_id, header.stream_index)).data(), kHeaderBytes));
    if (echoed.message_bytes != params.message_bytes || echoed.threads != params.threads ||
        echoed.strategy != params.strategy || echoed.response_size() != params.response_size())
      __builtin_trap();
  } catch (const std::exception&) {  // ProtocolError and UsageError: the server's REJECT
  }
  return 0;
}
