// The RESULT frame's payload: what the server encodes decodes to the same figures, and what a
// peer could send instead is refused with one reason, never undefined behaviour.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "results/server_report.h"

using namespace copybench;

namespace {

ServerReport sample(int threads) {
  ServerReport r;
  r.side.side = Side::sender;
  r.side.role = Role::sender;
  r.side.host = "h";
  r.side.window_ns = 1'000'000'000;
  r.side.bytes_total = 4096;
  for (int i = 0; i < threads; ++i) {
    StreamFigures s;
    s.index = i;
    s.bytes_total = 2048;
    r.side.streams.push_back(s);
  }
  r.environment.hostname = "h";
  r.environment.copybench_version = "0.1.0";
  r.zerocopy = zerocopy_figures(10, 2, 10, 10, 3, 1);
  r.messages_checked = 7;
  r.corrupt_messages = 1;
  return r;
}

std::string failure_of(const std::string& payload, int threads) {
  try {
    decode_server_report(payload, threads);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ServerReport, RoundTrips) {
  auto r = decode_server_report(encode_server_report(sample(2)), 2);
  EXPECT_EQ(r.side.bytes_total, 4096u);
  ASSERT_EQ(r.side.streams.size(), 2u);
  EXPECT_EQ(r.side.streams[1].index, 1);
  EXPECT_EQ(r.environment.hostname, "h");
  ASSERT_TRUE(r.zerocopy);
  EXPECT_EQ(r.zerocopy->enobufs_retries, 3u);
  EXPECT_EQ(r.messages_checked, 7u);
  EXPECT_EQ(r.corrupt_messages, 1u);
}

TEST(ServerReport, AnythingElseIsRefusedWithAReason) {
  auto good = nlohmann::json::parse(encode_server_report(sample(2)));
  auto edited = [&](auto edit) {
    auto j = good;
    edit(j);
    return j.dump();
  };
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "parse error"},
      {"{}", "key 'side' not found"},
      {edited([](auto& j) { j["side"]["side"] = "receiver"; }),
       "the receiver's figures, but in this test the server is the sender"},
      {edited([](auto& j) { j.erase("trailing_bytes"); }), "key 'trailing_bytes' not found"},
      {edited([](auto& j) { j["side"]["streams"][0]["index"] = 1e300; }), "expected an integer"},
      {edited([](auto& j) { j["side"]["bytes_total"] = -1; }), "expected an integer"},
      {edited([](auto& j) { j["side"]["window_ns"] = 0.5; }), "expected an integer"},
      {edited([](auto& j) { j["environment"]["cores"] = 1e10; }), "expected an integer"},
      {edited([](auto& j) { j["side"]["window_start_s"] = 1e300; }), "out of range"},
      {edited([](auto& j) { j["side"]["streams"] = "many"; }), "cannot use at() with string"},
      {edited([](auto& j) { j["side"]["streams"].push_back(j["side"]["streams"][0]); }), "3 streams for a test of 2"},
      {edited([](auto& j) { j["side"]["streams"][1]["index"] = 0; }), "stream 1 is numbered 0"},
      {edited([](auto& j) { j["zerocopy"] = 5; }), "cannot use at() with number"},
  };
  for (const auto& [payload, needle] : cases) {
    auto why = failure_of(payload, 2);
    EXPECT_EQ(why.rfind("malformed RESULT from the server: ", 0), 0u) << payload.substr(0, 80) << ": " << why;
    EXPECT_NE(why.find(needle), std::string::npos) << why;
  }
}
