// The test's parameters checked as a whole (validate) and the mode's names: what is refused
// before any connection is made. The parameter table's rows: param_table_test.cpp.
#include <gtest/gtest.h>

#include "core/error.h"
#include "params/params.h"

using namespace copybench;

TEST(Validate, RefusesOutOfRangeValues) {
  TestParams p;
  EXPECT_NO_THROW(validate(p));
  auto bad = [&](auto mutate) {
    TestParams q;
    mutate(q);
    EXPECT_THROW(validate(q), UsageError);
  };
  bad([](TestParams& q) { q.message_bytes = 0; });
  bad([](TestParams& q) { q.message_bytes = (16u << 20) + 1; });
  bad([](TestParams& q) { q.threads = 0; });
  bad([](TestParams& q) { q.threads = kMaxThreads + 1; });
  bad([](TestParams& q) { q.duration_ns = 0; });
  bad([](TestParams& q) { q.warmup_ns = -1; });
  bad([](TestParams& q) { q.duration_ns = 1'500'000; });  // not whole milliseconds
}

TEST(Params, ResponseSizeNeedsRrAndStaysInRange) {
  TestParams p;
  p.response_bytes = 10;
  EXPECT_THROW(validate(p), UsageError);  // stream mode
  p.mode = TestMode::rr;
  EXPECT_NO_THROW(validate(p));
  p.response_bytes = (16ull << 20) + 1;
  EXPECT_THROW(validate(p), UsageError);
  EXPECT_THROW(parse_mode("pingpong"), UsageError);
  EXPECT_EQ(parse_mode("rr"), TestMode::rr);
}
