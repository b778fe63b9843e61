#include <gtest/gtest.h>

#include "core/error.h"
#include "core/units.h"

using namespace copybench;

TEST(ParseSize, AcceptsBinarySuffixesAndFractions) {
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("1K"), 1024u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("64K"), 65536u);
  EXPECT_EQ(parse_size("64k"), 65536u);
  EXPECT_EQ(parse_size("1M"), 1048576u);
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("8B"), 8u);
  EXPECT_EQ(parse_size("1.5K"), 1536u);
}

TEST(ParseSize, RejectsJunkWithTheTextInTheMessage) {
  for (const char* bad : {"", "K", "-1", "12Q", "1.3", "abc", "1KK"}) {
    try {
      parse_size(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(ParseDuration, AcceptsSecondsAndMilliseconds) {
  EXPECT_EQ(parse_duration_ns("5"), 5'000'000'000);
  EXPECT_EQ(parse_duration_ns("5s"), 5'000'000'000);
  EXPECT_EQ(parse_duration_ns("500ms"), 500'000'000);
  EXPECT_EQ(parse_duration_ns("0"), 0);
  EXPECT_EQ(parse_duration_ns("1.5s"), 1'500'000'000);
  EXPECT_EQ(parse_duration_ns("2m"), 120'000'000'000);
  EXPECT_THROW(parse_duration_ns("5x"), UsageError);
  EXPECT_THROW(parse_duration_ns("-1s"), UsageError);
  EXPECT_THROW(parse_duration_ns("soon"), UsageError);
}

TEST(FormatSize, ExactAndFractional) {
  EXPECT_EQ(format_size(65536), "64 KiB");
  EXPECT_EQ(format_size(1000), "1000 B");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_duration(500'000'000), "500 ms");
  EXPECT_EQ(format_duration(5'000'000'000), "5 s");
}

TEST(ParseRate, DecimalUnitsAsIperf3) {
  EXPECT_EQ(parse_rate_bps("2G"), 2'000'000'000u);
  EXPECT_EQ(parse_rate_bps("500M"), 500'000'000u);
  EXPECT_EQ(parse_rate_bps("1.5g"), 1'500'000'000u);
  EXPECT_EQ(parse_rate_bps("100k"), 100'000u);
  EXPECT_EQ(parse_rate_bps("2Gbit"), 2'000'000'000u);
  EXPECT_EQ(parse_rate_bps("2Gbps"), 2'000'000'000u);
  EXPECT_EQ(parse_rate_bps("3Gbit/s"), 3'000'000'000u);
  EXPECT_EQ(parse_rate_bps("1T"), 1'000'000'000'000u);
  EXPECT_EQ(parse_rate_bps("999"), 999u);
  for (const char* bad : {"fast", "2X", "-1G", "", "2GiB"}) EXPECT_THROW(parse_rate_bps(bad), UsageError) << bad;
}

TEST(RateText, RoundTripsAndReads) {
  for (uint64_t bps : {2'000'000'000ull, 500'000'000ull, 1'500'000'000ull, 999ull, 1'000'000'000'000ull})
    EXPECT_EQ(parse_rate_bps(rate_text(bps)), bps) << rate_text(bps);
  EXPECT_EQ(rate_text(1'500'000'000), "1500M");
  EXPECT_EQ(format_rate(2'000'000'000), "2 Gbit/s");
  EXPECT_EQ(format_rate(1'500'000'000), "1.5 Gbit/s");
  EXPECT_EQ(format_rate(500'000), "500 kbit/s");
}
