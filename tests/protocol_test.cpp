#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "core/error.h"
#include "params/param_table.h"
#include "wire/protocol.h"

using namespace copybench;

TEST(Header, RoundTrips) {
  TestParams p;
  p.strategy = "zero-copy";
  p.message_bytes = 16384;
  p.threads = 8;
  p.warmup_ns = 250'000'000;
  p.duration_ns = 3'000'000'000;
  p.verify = true;
  auto bytes = encode_header(header_for(p, ConnectionKind::data, 0x1122334455667788ull, 5));
  auto h = decode_header(bytes.data(), bytes.size());
  EXPECT_EQ(h.kind, ConnectionKind::data);
  EXPECT_EQ(h.test_id, 0x1122334455667788ull);
  EXPECT_EQ(h.stream_index, 5);
  auto q = params_from(h);
  EXPECT_EQ(q.strategy, "zero-copy");
  EXPECT_EQ(q.message_bytes, 16384u);
  EXPECT_EQ(q.threads, 8);
  EXPECT_EQ(q.warmup_ns, 250'000'000);
  EXPECT_EQ(q.duration_ns, 3'000'000'000);
  EXPECT_TRUE(q.verify);
}

static std::string decode_error(const uint8_t* bytes, size_t len) {
  try {
    decode_header(bytes, len);
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "";
}

TEST(Header, RejectsTruncatedWrongMagicVersionAndKind) {
  auto good = encode_header(header_for(TestParams{}, ConnectionKind::control, 0, 0));
  EXPECT_NE(decode_error(good.data(), 10).find("truncated"), std::string::npos);
  EXPECT_NE(decode_error(good.data(), 0).find("truncated"), std::string::npos);
  auto bad = good;
  bad[0] = 'G';
  EXPECT_NE(decode_error(bad.data(), bad.size()).find("magic"), std::string::npos);
  bad = good;
  bad[5] = 99;  // version low byte
  EXPECT_NE(decode_error(bad.data(), bad.size()).find("version 99"), std::string::npos);
  bad = good;
  bad[6] = 7;  // kind
  EXPECT_NE(decode_error(bad.data(), bad.size()).find("kind"), std::string::npos);
  uint8_t garbage[kHeaderBytes];
  for (size_t i = 0; i < sizeof garbage; ++i) garbage[i] = static_cast<uint8_t>(i * 37);
  EXPECT_FALSE(decode_error(garbage, sizeof garbage).empty());
}

TEST(Header, UnknownStrategyIdIsRefused) {
  auto h = header_for(TestParams{}, ConnectionKind::control, 0, 0);
  h.strategy_id = 200;
  EXPECT_THROW(params_from(h), ProtocolError);
}

TEST(Frame, PrefixRoundTripsAndRejectsJunk) {
  auto bytes = encode_frame(FrameType::result, "{\"x\":1}");
  FrameType type{};
  uint32_t len = 0;
  parse_frame_prefix(reinterpret_cast<const uint8_t*>(bytes.data()), &type, &len);
  EXPECT_EQ(type, FrameType::result);
  EXPECT_EQ(len, 7u);
  const uint8_t unknown[8] = {0, 0, 0, 99, 0, 0, 0, 0};
  EXPECT_THROW(parse_frame_prefix(unknown, &type, &len), ProtocolError);
  const uint8_t huge[8] = {0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff};
  EXPECT_THROW(parse_frame_prefix(huge, &type, &len), ProtocolError);
}

TEST(Header, CarriesModeResponseSizeAndMeasurementFlags) {
  TestParams p;
  p.mode = TestMode::rr;
  p.message_bytes = 1;
  p.response_bytes = 4096;
  p.counters = false;
  p.latency = false;
  auto bytes = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  auto q = params_from(decode_header(bytes.data(), bytes.size()));
  EXPECT_EQ(q.mode, TestMode::rr);
  EXPECT_EQ(q.message_bytes, 1u);
  EXPECT_EQ(q.response_size(), 4096u);
  EXPECT_FALSE(q.counters);
  EXPECT_FALSE(q.latency);
  auto h = decode_header(bytes.data(), bytes.size());
  h.mode = 9;
  EXPECT_THROW(params_from(h), ProtocolError);
}

TEST(Header, ReservedBytesAndUnknownFlagBitsAreRefusedAsANewerCopybench) {
  TestParams p;
  p.verify = true;
  auto bytes = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  EXPECT_NO_THROW(decode_header(bytes.data(), bytes.size()));
  for (size_t i = kHeaderUsedBytes; i < kHeaderBytes; ++i) {
    auto edited = bytes;
    edited[i] = 0x10;
    try {
      decode_header(edited.data(), edited.size());
      ADD_FAILURE() << "reserved byte " << i << " accepted";
    } catch (const ProtocolError& e) {
      EXPECT_NE(std::string(e.what()).find("from a newer copybench?"), std::string::npos) << e.what();
    }
  }
  auto h = header_for(p, ConnectionKind::control, 0, 0);
  h.flags |= 1u << 31;
  auto flagged = encode_header(h);
  EXPECT_THROW(decode_header(flagged.data(), flagged.size()), ProtocolError);
}

TEST(Header, CarriesTheDirectionAndHowAReceivingServerReceives) {
  TestParams p;
  p.direction = Direction::reverse;
  p.recv_strategy = "zerocopy-recv";
  p.recv_bytes = 12345;
  auto bytes = encode_header(header_for(p, ConnectionKind::data, 7, 1));
  auto q = params_from(decode_header(bytes.data(), bytes.size()));
  EXPECT_EQ(q.direction, Direction::reverse);
  EXPECT_EQ(q.recv_strategy, "zerocopy-recv");
  EXPECT_EQ(q.recv_bytes, 12345u);
  EXPECT_FALSE(same_test(params_from(decode_header(
                             encode_header(header_for(TestParams{}, ConnectionKind::data, 7, 1)).data(), kHeaderBytes)),
                         q))
      << "a data connection of the other direction is not this test's";
  auto h = decode_header(bytes.data(), bytes.size());
  h.recv_strategy_id = 200;
  EXPECT_THROW(params_from(h), Error);
  h = decode_header(bytes.data(), bytes.size());
  h.flags |= 3u << 10;  // direction 3: none
  EXPECT_THROW(params_from(h), Error);
}

TEST(Header, CarriesTheIntervalOfTheServersReports) {
  TestParams p;
  p.interval_ns = 250'000'000;
  p.recv_strategy = "uring";  // and the newest receive strategies' ids
  auto bytes = encode_header(header_for(p, ConnectionKind::control, 7, 0));
  auto q = params_from(decode_header(bytes.data(), bytes.size()));
  EXPECT_EQ(q.interval_ns, 250'000'000);
  EXPECT_EQ(q.recv_strategy, "uring");
  EXPECT_EQ(params_from(decode_header(encode_header(header_for(TestParams{}, ConnectionKind::control, 7, 0)).data(),
                                      kHeaderBytes))
                .interval_ns,
            0);
}

TEST(Header, CarriesTheRateAndTheSocketKnobs) {
  TestParams p;
  p.rate_bps = 25'000'000'000;  // above a u32 of bits/s
  p.pacing = Pacing::kernel;
  p.window_bytes = 4u << 20;
  p.congestion = "cubic";
  p.mss_bytes = 1400;
  p.nodelay = true;
  auto bytes = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  auto q = params_from(decode_header(bytes.data(), bytes.size()));
  EXPECT_EQ(q.rate_bps, p.rate_bps);
  EXPECT_EQ(q.pacing, Pacing::kernel);
  EXPECT_EQ(q.window_bytes, p.window_bytes);
  EXPECT_EQ(q.congestion, "cubic");
  EXPECT_EQ(q.mss_bytes, 1400);
  EXPECT_TRUE(q.nodelay);
  // The client's alone: its source port and its label do not travel.
  p.cport = 5000;
  p.title = "mine";
  q = params_from(decode_header(encode_header(header_for(p, ConnectionKind::control, 0, 0)).data(), kHeaderBytes));
  EXPECT_EQ(q.cport, 0);
  EXPECT_EQ(q.title, "");
  auto unterminated = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  std::fill(unterminated.begin() + 64, unterminated.begin() + 80, 'a');
  EXPECT_THROW(decode_header(unterminated.data(), unterminated.size()), ProtocolError);
}

TEST(Header, AnotherVersionIsNamedFromItsFirstSixBytes) {
  auto bytes = encode_header(header_for(TestParams{}, ConnectionKind::control, 0, 0));
  bytes[5] = 6;  // a version-6 peer, whose header is 64 bytes: the prefix alone decides
  try {
    check_header_prefix(bytes.data(), kHeaderPrefixBytes);
    FAIL() << "accepted version 6";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "protocol version 6 is not supported (this copybench speaks version 7)");
  }
  bytes[5] = 7;
  EXPECT_NO_THROW(check_header_prefix(bytes.data(), kHeaderPrefixBytes));
}

TEST(Header, TheFuzzSeedsOfThisVersionDecode) {
  // tests/fuzz/corpus/header/*_v7: the fuzzer's starting points must be headers this version reads.
  std::ifstream in(std::string(COPYBENCH_SOURCE_DIR) + "/tests/fuzz/corpus/header/control_knobs_v7", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), kHeaderBytes);
  auto p = params_from(decode_header(bytes.data(), bytes.size()));
  EXPECT_EQ(p.rate_bps, 2'000'000'000u);
  EXPECT_EQ(p.window_bytes, 262144u);
  EXPECT_EQ(p.mss_bytes, 1400);
  EXPECT_EQ(p.congestion, "cubic");
  EXPECT_TRUE(p.nodelay);
  EXPECT_EQ(p.pacing, Pacing::kernel);
  EXPECT_EQ(p.message_bytes, 65536u);
}
