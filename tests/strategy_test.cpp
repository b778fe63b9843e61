// The send strategies' registry: names, the study's aliases, short names and wire ids, and a
// mistyped name's did-you-mean; each strategy's bytes over loopback TCP, checked message by
// message. What each makes the server allocate: roles_test.cpp.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/message.h"
#include "net/socket.h"
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

// Every send strategy's bytes are the message's pattern, message after message, wherever the
// kernel cannot still hold a buffer when it is rewritten: both socket buffers held small (tens
// of KiB in flight) against a pool of 16 MiB, over three turns of the pool. sendfile from the
// wrong offset, or splice of the wrong pages, shows here as corrupt messages; their stream-mode
// finding (a rewritten buffer in flight) cannot happen here.
class SendPathBytes : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (auto missing = strategy_info(GetParam()).missing(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

TEST_P(SendPathBytes, EachMessageIsItsPatternWhenNoBufferIsReusedInFlight) {
  constexpr size_t kBytes = 64 * 1024;
  static constexpr int kSmallBuffer = 32 * 1024;  // the kernel doubles it
  const uint64_t messages = 3 * zc_pool_messages(kBytes) + 5;
  auto small = [](int fd, int option) {
    ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, option, &kSmallBuffer, sizeof(int)), 0);
  };
  auto listener = listen_tcp("127.0.0.1", 0);
  small(listener.fd.get(), SO_RCVBUF);
  Fd sender = connect_tcp("127.0.0.1", listener.port, 2000, [&](int s) { small(s, SO_SNDBUF); });
  Fd receiver = accept_within(listener.fd.get(), 2000);
  ASSERT_TRUE(receiver);
  set_io_timeouts(receiver.get(), 10'000, 10'000);
  uint64_t checked = 0, corrupt = 0;
  std::thread reader([&] {
    std::vector<std::byte> buf(kBytes);
    size_t offset = 0;
    bool bad = false;
    for (ssize_t n; (n = ::recv(receiver.get(), buf.data(), kBytes - offset, 0)) > 0;) {
      if (!check_pattern({0, checked}, offset, buf.data(), static_cast<size_t>(n))) bad = true;
      offset += static_cast<size_t>(n);
      if (offset == kBytes) {
        corrupt += bad ? 1 : 0;
        ++checked;
        offset = 0;
        bad = false;
      }
    }
  });
  {
    auto strategy = strategy_info(GetParam()).make(kBytes);
    strategy->prepare(sender.get());
    for (uint64_t sequence = 0; sequence < messages; ++sequence) {
      Message& message = strategy->next_buffer(sender.get());
      message.fill({0, sequence});
      strategy->send(sender.get(), message);
    }
    strategy->drain(sender.get());
    ::shutdown(sender.get(), SHUT_WR);
    reader.join();
  }
  EXPECT_EQ(checked, messages);
  EXPECT_EQ(corrupt, 0u) << GetParam() << ": bytes off the pattern with nothing rewritten in flight";
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, SendPathBytes, ::testing::ValuesIn([] {
                           std::vector<std::string> names;
                           for (const auto& s : strategies()) names.push_back(s.name);
                           return names;
                         }()),
                         [](const auto& test) {
                           auto name = test.param;
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });
