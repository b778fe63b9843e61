// --profile end to end: `copybench run` over loopback, the kernel's own events and samples.
// Runs that cannot profile here (no tracefs, not root) skip with the reason the result gives.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>

#include "e2e_util.h"
#include "strategies/strategy.h"

using namespace copybench::test;
using nlohmann::json;

namespace {

const json& event(const json& side, const std::string& key, const std::string& scope) {
  for (const auto& e : side["profile"]["events"])
    if (e["key"] == key && e["scope"] == scope) return e;
  throw std::runtime_error("no event " + key + " " + scope);
}

uint64_t bucket_samples(const json& view, const std::string& key) {
  for (const auto& b : view["buckets"])
    if (b["key"] == key) return b["samples"].get<uint64_t>();
  throw std::runtime_error("no bucket " + key);
}

double bucket_pct(const json& view, const std::string& key) {
  for (const auto& b : view["buckets"])
    if (b["key"] == key) return b["pct"].is_null() ? -1 : b["pct"].get<double>();
  throw std::runtime_error("no bucket " + key);
}

bool kprobe_pmu_present() {
  struct stat st {};
  return ::stat("/sys/bus/event_source/devices/kprobe", &st) == 0;
}

// The receiver's receive-copy count, or a skip naming why it is unknown.
#define REQUIRE_COUNTED(e) \
  if ((e)["count"].is_null()) GTEST_SKIP() << "not counted here: " << (e)["reason"]

TEST(Profile, ReceiveCopiesAreCountedWithinWhatTheBytesAndPacketsAllow) {
  TempDir dir;
  auto j = run_json("run --profile --strategy one-copy --size 16K --duration 1s --warmup 200ms", dir);
  const json& receiver = j["receiver"];
  ASSERT_FALSE(receiver["profile"].is_null()) << receiver["profile_reason"];
  const json& p = receiver["profile"];
  const json& copies = event(receiver, "rx_copies", "threads");
  REQUIRE_COUNTED(copies);
  const uint64_t n = copies["count"].get<uint64_t>(), bytes = p["on_bytes"].get<uint64_t>();
  ASSERT_GT(bytes, 0u);
  // Each copy event moves at most what one recv() asked for (a 256 KiB read buffer here), and
  // a recv straddling a slice's edge can move its copies to the other kind of slice.
  const uint64_t edges = p["slices_on"].get<uint64_t>() + p["slices_off"].get<uint64_t>();
  EXPECT_GE(n + edges, bytes / (256 * 1024)) << "fewer copies than the bytes need";
  // One copy per skb in the receive queue (coalescing only merges them) plus one partial copy
  // per recv(): never more than the packets that arrived plus the recv calls.
  const json& packets = event(receiver, "netif_receive", "system");
  REQUIRE_COUNTED(packets);
  EXPECT_LE(n, packets["count"].get<uint64_t>() + receiver["calls_total"].get<uint64_t>());
  const json& machine_copies = event(receiver, "rx_copies", "system");
  REQUIRE_COUNTED(machine_copies);
  EXPECT_GE(machine_copies["count"].get<uint64_t>(), n) << "the machine includes the receiver's threads";
  EXPECT_GT(receiver["copies_per_msg"].get<double>(), 0);
}

TEST(Profile, ZeroCopyOnLoopbackIsCopiedAnywayAndTheTableSaysSo) {
  TempDir dir;
  std::string out;
  auto j = run_json("run --profile --strategy zero-copy --size 64K --duration 1s --warmup 200ms", dir, &out);
  const json &sender = j["sender"], &receiver = j["receiver"];
  ASSERT_FALSE(sender["profile"].is_null()) << "--profile travels to the server: " << sender["profile_reason"];
  ASSERT_FALSE(receiver["profile"].is_null()) << receiver["profile_reason"];
  EXPECT_NE(out.find("where the copies are"), std::string::npos) << out;
  EXPECT_NE(out.find("profiling cost, the same run with and without it"), std::string::npos) << out;
  EXPECT_NE(out.find("top functions"), std::string::npos) << out;
  REQUIRE_COUNTED(event(receiver, "rx_copies", "threads"));
  EXPECT_GT(receiver["rx_copies_per_msg"].get<double>(), 0) << "the receiver copied into its buffers";
  EXPECT_TRUE(sender["profile"]["zerocopy_sends"].get<bool>());
  if (!kprobe_pmu_present()) {
    for (const char* key : {"tx_copies", "zc_copies"}) {
      const json& e = event(sender, key, "threads");
      EXPECT_TRUE(e["count"].is_null()) << key;
      EXPECT_NE(e["reason"].get<std::string>().find("no kprobe PMU on this kernel"), std::string::npos) << e;
    }
    EXPECT_TRUE(sender["copies_per_msg"].is_null());
    EXPECT_NE(sender["profile"]["copies_per_msg_reason"].get<std::string>().find("skb_copy_ubufs"), std::string::npos);
  }
  const json& view =
      !sender["profile"]["machine"].is_null() ? sender["profile"]["machine"] : sender["profile"]["threads"];
  if (view.is_null()) GTEST_SKIP() << "no samples: " << sender["profile"]["threads_reason"];
  if (!sender["profile"]["kernel_caveat"].is_null()) GTEST_SKIP() << sender["profile"]["kernel_caveat"];
  EXPECT_GT(bucket_samples(view, "copy_zc_deferred"), 0u) << "skb_copy_ubufs copied the pinned pages: " << view;
  EXPECT_GT(bucket_samples(sender["profile"]["threads"], "zc_bookkeeping"), 0u) << "pinning the pages";
  const json& receiving =
      !receiver["profile"]["machine"].is_null() ? receiver["profile"]["machine"] : receiver["profile"]["threads"];
  EXPECT_GT(bucket_samples(receiving, "copy_to_user"), 0u) << "the receive copy";
}

TEST(Profile, PackCopiesInUserSpaceWhereOneCopyDoesNot) {
  bool have_pack = false;
  for (const auto& s : copybench::strategies()) have_pack = have_pack || s.name == "pack";
  if (!have_pack) GTEST_SKIP() << "no pack strategy in this build";
  TempDir dir;
  auto pack = run_json("run --profile --strategy pack --size 64K --duration 1s --warmup 200ms", dir);
  auto one = run_json("run --profile --strategy one-copy --size 64K --duration 1s --warmup 200ms", dir);
  const json &pack_view = pack["sender"]["profile"]["threads"], &one_view = one["sender"]["profile"]["threads"];
  if (pack_view.is_null()) GTEST_SKIP() << "no samples: " << pack["sender"]["profile"]["threads_reason"];
  EXPECT_GT(bucket_samples(pack_view, "copy_user_space"), 0u) << "pack's memcpy of the fields: " << pack_view["top"];
  EXPECT_GT(bucket_pct(pack_view, "copy_user_space"), bucket_pct(one_view, "copy_user_space")) << one_view["top"];
}

TEST(Profile, OffByDefaultWithTheReason) {
  TempDir dir;
  std::string out;
  auto j =
      run_json("run --strategy one-copy --size 4K --duration 100ms --warmup 0 --csv " + dir.file("r.csv"), dir, &out);
  for (const char* side : {"sender", "receiver"}) {
    EXPECT_TRUE(j[side]["profile"].is_null());
    EXPECT_EQ(j[side]["profile_reason"], "profiling was off (--profile not given)");
    EXPECT_TRUE(j[side]["copies_per_msg"].is_null());
  }
  EXPECT_FALSE(j["parameters"]["profile"].get<bool>());
  EXPECT_EQ(out.find("where the copies are"), std::string::npos) << out;
  const std::string csv = read_text(dir.file("r.csv"));
  EXPECT_NE(csv.find("receiver_cpu_copy_to_user_pct"), std::string::npos);
  EXPECT_NE(csv.find("sender_tx_chunks_system_per_msg"), std::string::npos);
  EXPECT_TRUE(j["definitions"].contains("receiver_rx_copies_per_msg"));
}

}  // namespace

namespace {

TEST(Profile, SweepAnswersTheCopyQuestionsAndDrawsTheBuckets) {
  TempDir dir;
  const std::string out = dir.file("sweep");
  auto r = run_copybench(
      "sweep --profile --topology loopback --strategies one-copy,zero-copy --sizes 64K --threads 1 "
      "--reps 1 --duration 400ms --warmup 100ms --quiet --seed 1 -o " +
          out,
      180);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string report = read_text(out + "/report.md");
  const std::string csv = read_text(out + "/runs.csv");
  if (csv.find("receiver_cpu_copy_to_user_pct") == std::string::npos) FAIL() << "no profile columns in runs.csv";
  EXPECT_NE(report.find("### Is it only two copies?"), std::string::npos) << report;
  EXPECT_NE(report.find("### Which components copy?"), std::string::npos) << report;
  EXPECT_NE(report.find("### Copies per message"), std::string::npos) << report;
  const std::string summary = read_text(out + "/summary.csv");
  EXPECT_NE(summary.find("receiver_cpu_copy_to_user_pct_median"), std::string::npos);
  EXPECT_FALSE(read_text(out + "/plots/cpu_buckets_loopback.dat").empty()) << "the stacked-bar data";
  EXPECT_NE(read_text(out + "/plots/cpu_buckets_loopback.gp").find("rowstacked"), std::string::npos);
}

}  // namespace
