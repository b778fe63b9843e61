// The send strategies' registry: names, the study's aliases, short names and wire ids, and a
// mistyped name's did-you-mean. What each makes the server allocate: roles_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
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
