#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/message.h"

using namespace copybench;

TEST(FieldLengths, SplitsEvenlyWithRemainderOnTheLast) {
  auto l = field_lengths(1001);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(l[i], 125u);
  EXPECT_EQ(l[7], 126u);
  EXPECT_EQ(std::accumulate(l.begin(), l.end(), size_t{0}), 1001u);
  auto eight = field_lengths(8);
  for (auto n : eight) EXPECT_EQ(n, 1u);
}

TEST(Message, FieldsAreSeparateAllocationsCoveringTheSize) {
  Message m(4096 + 3);
  size_t total = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    total += m.iov()[i].iov_len;
    EXPECT_EQ(m.iov()[i].iov_base, m.field(i));
    for (int j = 0; j < i; ++j) EXPECT_NE(m.field(i), m.field(j));
  }
  EXPECT_EQ(total, m.size());
}

// sendfile's layout: the fields back to back in storage the caller owns, one range per message.
TEST(Message, ExternalFieldsWithoutAGapAreOneContiguousRange) {
  const size_t size = 1001;
  ASSERT_EQ(Message::external_bytes(size, 0), size);
  std::vector<std::byte> storage(size);
  Message m(size, storage.data(), 0);
  size_t offset = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    EXPECT_EQ(m.field(i), storage.data() + offset) << "field " << i;
    offset += m.field_length(i);
  }
  EXPECT_EQ(offset, size);
  m.fill({2, 9});
  EXPECT_TRUE(check_pattern({2, 9}, 0, storage.data(), size)) << "fill writes through to the storage";
}

// splice's layout: separately placed, apart and 16-byte aligned as malloc places its chunks.
TEST(Message, ExternalFieldsWithAGapAreApartAndAligned) {
  const size_t size = 4096 + 3;
  std::vector<std::byte> storage(Message::external_bytes(size, 16));
  EXPECT_GE(storage.size(), size + kFieldCount * 16);
  Message m(size, storage.data(), 16);
  for (int i = 1; i < kFieldCount; ++i) {
    EXPECT_GE(m.field(i), m.field(i - 1) + m.field_length(i - 1) + 16) << "field " << i;
    EXPECT_EQ((m.field(i) - storage.data()) % 16, 0) << "field " << i;
  }
  EXPECT_LE(m.field(7) + m.field_length(7), storage.data() + storage.size());
  m.fill({4, 1});
  size_t offset = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    EXPECT_TRUE(check_pattern({4, 1}, offset, m.field(i), m.field_length(i))) << "field " << i;
    offset += m.field_length(i);
  }
}

// Copies the message's fields into one contiguous buffer, as the receiver sees it.
static std::vector<std::byte> flatten(Message& m) {
  std::vector<std::byte> out;
  for (int i = 0; i < kFieldCount; ++i) out.insert(out.end(), m.field(i), m.field(i) + m.field_length(i));
  return out;
}

TEST(Pattern, FilledMessageChecksWholeAndInAnySplit) {
  Message m(1001);
  m.fill({3, 42});
  auto bytes = flatten(m);
  EXPECT_TRUE(check_pattern({3, 42}, 0, bytes.data(), bytes.size()));
  for (size_t cut : {1u, 7u, 8u, 9u, 500u, 1000u})
    EXPECT_TRUE(check_pattern({3, 42}, 0, bytes.data(), cut) &&
                check_pattern({3, 42}, cut, bytes.data() + cut, bytes.size() - cut))
        << "cut at " << cut;
}

TEST(Pattern, CatchesACorruptedByteAnywhere) {
  Message m(1001);
  m.fill({1, 7});
  auto bytes = flatten(m);
  for (size_t i : {0u, 5u, 8u, 500u, 1000u}) {
    auto bad = bytes;
    bad[i] ^= std::byte{0x01};
    EXPECT_FALSE(check_pattern({1, 7}, 0, bad.data(), bad.size())) << "byte " << i;
  }
}

TEST(Pattern, DependsOnConnectionAndSequence) {
  Message m(64);
  m.fill({1, 7});
  auto bytes = flatten(m);
  EXPECT_FALSE(check_pattern({1, 8}, 0, bytes.data(), bytes.size()));
  EXPECT_FALSE(check_pattern({2, 7}, 0, bytes.data(), bytes.size()));
}
