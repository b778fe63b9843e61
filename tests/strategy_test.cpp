#include <gtest/gtest.h>

#include "core/error.h"
#include "params/params.h"
#include "session/server.h"
#include "strategies/strategy.h"

using namespace copybench;

TEST(Registry, NamesAndStudyAliases) {
  EXPECT_EQ(strategy_info("a1").name, "two-copy");
  EXPECT_EQ(strategy_info("A2").name, "one-copy");
  EXPECT_EQ(strategy_info("a3").name, "zero-copy");
  EXPECT_EQ(strategy_info("zero-copy").id, strategy_by_id(strategy_info("zero-copy").id)->id);
  EXPECT_EQ(strategy_by_id(0), nullptr);
}

TEST(Registry, BeyondTheStudyNewIdsAndShortNames) {
  EXPECT_EQ(strategy_info("p").name, "pack");
  EXPECT_EQ(strategy_info("u").name, "uring");
  EXPECT_EQ(strategy_info("UZ").name, "uring-zc");
  EXPECT_EQ(strategy_by_id(4)->name, "pack");
  EXPECT_EQ(strategy_by_id(6)->name, "uring-zc");
  EXPECT_EQ(strategy_info("sf").name, "sendfile");
  EXPECT_EQ(strategy_info("SP").name, "splice");
  EXPECT_EQ(strategy_info("uzf").name, "uring-zc-fixed");
  EXPECT_EQ(strategy_by_id(7)->name, "sendfile");
  EXPECT_EQ(strategy_by_id(8)->name, "splice");
  EXPECT_EQ(strategy_by_id(9)->name, "uring-zc-fixed");
  EXPECT_EQ(strategy_by_id(10), nullptr);
  EXPECT_TRUE(strategy_info("pack").missing().empty()) << "plain system calls run everywhere";
  for (const auto& s : strategies_available()) EXPECT_TRUE(s.missing().empty()) << s.name;
  try {
    strategy_info("uring-z");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'uring-zc'"), std::string::npos) << e.what();
  }
}

TEST(Registry, TypoGetsDidYouMean) {
  try {
    strategy_info("one-cpy");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'one-copy'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(strategy_info("sendmmsg"), UsageError);
}

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

TEST(ServerMemory, WhatEachStrategyMakesTheServerAllocate) {
  TestParams p;
  p.message_bytes = 4096;
  p.threads = 2;
  p.strategy = "one-copy";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 4096);
  p.strategy = "pack";  // the fields and the contiguous copy
  EXPECT_EQ(server_buffer_bytes(p), 2u * 8192);
  p.strategy = "zero-copy";  // a 4 MiB pool (16 MiB / 4 KiB would be 4096 buffers: at most 1024)
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 4096);
  // The pools in one mapping: the same 1024 messages, in whole pages; splice and uring-zc-fixed
  // place each field 16 bytes after the previous one (16-byte aligned): 8 x (512 + 16) bytes.
  p.strategy = "sendfile";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 4096);
  p.strategy = "splice";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 8 * (512 + 16));
  p.strategy = "uring-zc-fixed";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 8 * (512 + 16));
  p.message_bytes = 3;  // 7 empty fields still take a byte each
  p.strategy = "two-copy";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 10);
  p.mode = TestMode::rr;  // responses sent with the strategy, requests received into one buffer
  p.message_bytes = 1024;
  p.response_bytes = 100;
  EXPECT_EQ(server_buffer_bytes(p), 2u * (100 + 1024));
  EXPECT_GE(default_max_memory(), 1u << 20);
}
