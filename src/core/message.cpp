#include "core/message.h"

#include <cstring>

namespace copybench {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t message_seed(PatternKey key) { return splitmix64((uint64_t{key.connection} << 48) ^ key.sequence); }

// Word j of a message's pattern; byte i of the message is byte (i % 8) of word (i / 8).
uint64_t pattern_word(uint64_t seed, uint64_t j) { return seed ^ (j * 0xD6E8FEB86659FD93ull); }

uint8_t pattern_byte(uint64_t seed, size_t i) {
  return static_cast<uint8_t>(pattern_word(seed, i / 8) >> (8 * (i % 8)));
}

// Walks [offset, offset+len) as an unaligned head, whole words, and a tail; `op` returns false
// to stop early.
template <typename ByteOp, typename WordOp>
bool walk(uint64_t seed, size_t offset, size_t len, ByteOp byte_op, WordOp word_op) {
  size_t i = 0;
  while (i < len && (offset + i) % 8 != 0) {
    if (!byte_op(i, pattern_byte(seed, offset + i))) return false;
    ++i;
  }
  for (; i + 8 <= len; i += 8) {
    if (!word_op(i, pattern_word(seed, (offset + i) / 8))) return false;
  }
  for (; i < len; ++i) {
    if (!byte_op(i, pattern_byte(seed, offset + i))) return false;
  }
  return true;
}

}  // namespace

std::array<size_t, kFieldCount> field_lengths(size_t size) {
  std::array<size_t, kFieldCount> lengths;
  lengths.fill(size / kFieldCount);
  lengths.back() += size % kFieldCount;
  return lengths;
}

void fill_pattern(PatternKey key, size_t offset, std::byte* dst, size_t len) {
  walk(
      message_seed(key), offset, len,
      [&](size_t i, uint8_t b) {
        dst[i] = std::byte{b};
        return true;
      },
      [&](size_t i, uint64_t w) {
        std::memcpy(dst + i, &w, 8);
        return true;
      });
}

bool check_pattern(PatternKey key, size_t offset, const std::byte* src, size_t len) {
  return walk(
      message_seed(key), offset, len, [&](size_t i, uint8_t b) { return src[i] == std::byte{b}; },
      [&](size_t i, uint64_t w) {
        uint64_t got;
        std::memcpy(&got, src + i, 8);
        return got == w;
      });
}

size_t Message::heap_bytes(size_t size) {
  size_t total = 0;
  for (size_t length : field_lengths(size)) total += length ? length : 1;
  return total;
}

namespace {

// Offsets of the fields of a message in external storage, and (last) the end of the span.
std::array<size_t, kFieldCount + 1> external_offsets(size_t size, size_t field_gap) {
  auto lengths = field_lengths(size);
  std::array<size_t, kFieldCount + 1> at{};
  for (int i = 0; i < kFieldCount; ++i) {
    size_t end = at[i] + lengths[i];
    at[i + 1] = field_gap == 0 ? end : (end + field_gap + 15) / 16 * 16;
  }
  return at;
}

}  // namespace

size_t Message::external_bytes(size_t size, size_t field_gap) { return external_offsets(size, field_gap).back(); }

Message::Message(size_t size, std::byte* storage, size_t field_gap) : size_(size) {
  auto lengths = field_lengths(size);
  auto at = external_offsets(size, field_gap);
  for (int i = 0; i < kFieldCount; ++i) iov_[i] = {storage + at[i], lengths[i]};
}

Message::Message(size_t size) : size_(size) {
  auto lengths = field_lengths(size);
  for (int i = 0; i < kFieldCount; ++i) {
    // Each field is its own allocation, as in the study; value-initialised so pages are touched.
    fields_[i] = std::make_unique<std::byte[]>(lengths[i] ? lengths[i] : 1);
    iov_[i] = {fields_[i].get(), lengths[i]};
  }
}

void Message::fill(PatternKey key) {
  size_t offset = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    fill_pattern(key, offset, field(i), iov_[i].iov_len);
    offset += iov_[i].iov_len;
  }
}

}  // namespace copybench
