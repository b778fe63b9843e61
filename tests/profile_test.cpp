// --profile's parts without a test run: the classification table, the symbol tables, the event
// sources and what each says when it is missing, and the figures derived from the counts.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "core/error.h"
#include "metrics/cpu_buckets.h"
#include "metrics/kernel_symbols.h"
#include "metrics/perf_event.h"
#include "metrics/tracepoints.h"
#include "metrics/user_symbols.h"
#include "results/profile.h"
#include "results/profile_json.h"

using namespace copybench;
namespace fs = std::filesystem;

namespace {

struct Chain {
  std::vector<std::string_view> frames;  // leaf first
  Bucket expected;
};

// Real chains from this kernel's profiles (perf record -g over copybench runs).
const Chain kChains[] = {
    {{"_copy_from_iter", "tcp_sendmsg_locked", "tcp_sendmsg"}, Bucket::copy_to_kernel},
    {{"rep_movs_alternative", "_copy_to_iter", "simple_copy_to_iter", "__skb_datagram_iter"}, Bucket::copy_to_user},
    {{"__check_object_size", "simple_copy_to_iter"}, Bucket::copy_to_user},
    {{"skb_copy_datagram_iter", "tcp_recvmsg_locked"}, Bucket::copy_to_user},
    {{"memcpy", "skb_copy_ubufs", "__netif_receive_skb_core", "process_backlog"}, Bucket::copy_zc_deferred},
    {{"gup_fast_fallback", "iov_iter_get_pages2", "__zerocopy_sg_from_iter"}, Bucket::zc_bookkeeping},
    {{"ip_recv_error", "inet_recvmsg"}, Bucket::zc_bookkeeping},
    {{"tcp_zerocopy_receive", "do_tcp_getsockopt"}, Bucket::zc_bookkeeping},
    // --recv splice: pages moved by reference into the pipe, released by /dev/null.
    {{"skb_splice_bits", "tcp_splice_data_recv", "tcp_read_sock", "tcp_splice_read"}, Bucket::zc_bookkeeping},
    {{"__splice_segment", "skb_splice_bits"}, Bucket::zc_bookkeeping},
    {{"generic_pipe_buf_release", "pipe_to_null", "__splice_from_pipe", "splice_write_null"}, Bucket::zc_bookkeeping},
    {{"tcp_read_sock", "tcp_splice_read", "sock_splice_read"}, Bucket::tcp_ip},
    // --recv discard: recv(MSG_TRUNC) frees the skbs with no copy frame at all.
    {{"skb_release_data", "__kfree_skb", "tcp_recvmsg_locked", "tcp_recvmsg"}, Bucket::tcp_ip},
    {{"_raw_spin_unlock_irqrestore", "tcp_write_xmit", "__tcp_push_pending_frames"}, Bucket::tcp_ip},
    {{"_raw_spin_unlock_irqrestore", "__wake_up_sync_key", "sock_def_readable"}, Bucket::sched_locks},
    {{"handle_softirqs", "do_softirq", "__local_bh_enable_ip", "__dev_queue_xmit"}, Bucket::tcp_ip},
    {{"run_timer_softirq", "handle_softirqs"}, Bucket::other},
    {{"finish_task_switch.isra.0", "__schedule", "schedule"}, Bucket::sched_locks},
    {{"__pv_queued_spin_lock_slowpath", "_raw_spin_lock_bh", "lock_sock_nested"}, Bucket::sched_locks},
    {{"sk_wait_data", "tcp_recvmsg_locked"}, Bucket::sched_locks},
    {{"do_syscall_64", "entry_SYSCALL_64_after_hwframe"}, Bucket::syscall},
    {{"_copy_from_user", "copy_msghdr_from_user", "___sys_sendmsg"}, Bucket::syscall},
    {{"pv_native_safe_halt", "default_idle", "do_idle"}, Bucket::idle},
    {{"get_page_from_freelist", "__alloc_pages_noprof", "skb_page_frag_refill", "tcp_sendmsg_locked"}, Bucket::tcp_ip},
    {{"kmem_cache_alloc_noprof"}, Bucket::other},
};

TEST(CpuBuckets, FixedChainsLandInTheirBuckets) {
  for (const Chain& c : kChains) {
    EXPECT_EQ(classify_kernel(c.frames, false), c.expected)
        << "leaf " << c.frames.front() << " expected " << bucket_info(c.expected).key;
  }
}

// sendfile and splice move page references: bookkeeping, not a copy and not TCP/IP or syscall
// entry, although skb_splice_from_iter and __do_sys_vmsplice share those buckets' prefixes. The
// receiver's copy out of those pages stays a copy.
TEST(CpuBuckets, SpliceAndSendfilePageReferencesAreBookkeeping) {
  for (const char* leaf : {"skb_splice_from_iter", "splice_to_socket", "shmem_file_splice_read", "__do_sys_vmsplice",
                           "add_to_pipe", "page_cache_pipe_buf_release", "splice_direct_to_actor"})
    EXPECT_EQ(classify_kernel({leaf, "tcp_sendmsg_locked", "__x64_sys_sendfile64"}, false), Bucket::zc_bookkeeping)
        << leaf;
  EXPECT_EQ(classify_kernel({"_copy_to_iter", "skb_copy_datagram_iter", "tcp_recvmsg"}, false), Bucket::copy_to_user);
}

TEST(CpuBuckets, UnplacedFramesOfTheIdleTaskAreIdleAndOtherwiseOther) {
  EXPECT_EQ(classify_kernel({"some_unknown_function", ""}, true), Bucket::idle);
  EXPECT_EQ(classify_kernel({"some_unknown_function", ""}, false), Bucket::other);
  EXPECT_EQ(classify_kernel({}, false), Bucket::other);
}

TEST(CpuBuckets, UserSpaceCopiesAreTheirOwnBucket) {
  EXPECT_EQ(classify_user("memcpy/memmove (IFUNC target)"), Bucket::copy_user_space);
  EXPECT_EQ(classify_user("__memmove_avx_unaligned_erms"), Bucket::copy_user_space);
  EXPECT_EQ(classify_user("copybench::run_sender"), Bucket::user_space);
}

TEST(CpuBuckets, KeysAreDistinctAndFourAreCopies) {
  std::set<std::string> keys;
  int copies = 0;
  for (const auto& b : bucket_infos()) {
    keys.insert(b.key);
    copies += b.copy ? 1 : 0;
    EXPECT_EQ(&bucket_info(b.bucket), &b);
  }
  EXPECT_EQ(keys.size(), kBucketCount);
  EXPECT_EQ(copies, 4);
}

TEST(KernelSymbols, FindsTheFunctionHoldingAnAddressAndPrefersThePlainAlias) {
  const std::string text =
      "ffffffff81000000 T _stext\n"
      "ffffffff81b6c560 T _copy_from_iter\n"
      "ffffffff81b6cc30 T _copy_to_iter\n"
      "ffffffff81c00000 D some_data\n"
      "ffffffff821f64a0 T __pi_memcpy\n"
      "ffffffff821f64a0 T memcpy\n"
      "ffffffff821f64a0 T __memcpy\n"
      "ffffffffc0001000 t veth_xmit\t[veth]\n";
  auto table = KernelSymbols::parse(text, "hidden");
  ASSERT_TRUE(table.usable());
  EXPECT_EQ(table.size(), 5u);  // text symbols only, one per address
  EXPECT_EQ(*table.find(0xffffffff81b6c560), "_copy_from_iter");
  EXPECT_EQ(*table.find(0xffffffff81b6c600), "_copy_from_iter");
  EXPECT_EQ(*table.find(0xffffffff821f64b0), "memcpy");
  EXPECT_EQ(*table.find(0xffffffffc0001010), "veth_xmit");
  EXPECT_EQ(table.find(0xffffffff80000000), nullptr);
}

TEST(KernelSymbols, AllZeroAddressesMeanHiddenNotWrong) {
  auto table = KernelSymbols::parse("0000000000000000 T _copy_from_iter\n0000000000000000 T memcpy\n",
                                    "kernel addresses are hidden");
  EXPECT_FALSE(table.usable());
  EXPECT_EQ(table.reason(), "kernel addresses are hidden");
  EXPECT_EQ(table.find(0xffffffff81b6c560), nullptr);
}

// The real /proc/kallsyms through the eyes of an unprivileged user: a forked child gives up root.
TEST(KernelSymbols, AnUnprivilegedReaderIsToldWhy) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop privileges in a child";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto table = KernelSymbols::load();
    std::string out = (table.usable() ? "usable\n" : "hidden\n") + table.reason();
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string said;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) said.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child could not drop privileges";
  if (said.starts_with("usable")) GTEST_SKIP() << "kptr_restrict and perf_event_paranoid let anyone read addresses";
  EXPECT_NE(said.find("kernel addresses are hidden"), std::string::npos) << said;
  EXPECT_NE(said.find("kptr_restrict"), std::string::npos) << said;
}

TEST(UserSymbols, NamesThisBinarysFunctionsAndTheCopyRoutineGlibcPicked) {
  auto table = UserSymbols::load_self();
  EXPECT_GT(table.size(), 100u);
  auto here = reinterpret_cast<uint64_t>(&readable_symbol);
  EXPECT_EQ(table.find(here + 1), "copybench::readable_symbol");
  void* libc = ::dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);  // glibc's own pick, also under a sanitizer
  ASSERT_NE(libc, nullptr);
  void* copy = ::dlsym(libc, "memcpy");
  ::dlclose(libc);
  ASSERT_NE(copy, nullptr);
  const std::string& name = table.find(reinterpret_cast<uint64_t>(copy) + 16);
  EXPECT_EQ(classify_user(name), Bucket::copy_user_space) << name;
  EXPECT_EQ(table.find(8), "[unknown user address]");
}

TEST(UserSymbols, DemangledNamesLoseTheirParameters) {
  EXPECT_EQ(readable_symbol("_ZN9copybench3fooEi"), "copybench::foo");
  EXPECT_EQ(readable_symbol("_ZN9copybench12_GLOBAL__N_14Pack4sendEiRNS_7MessageE"),
            "copybench::(anonymous namespace)::Pack::send");
  EXPECT_EQ(readable_symbol("memcpy"), "memcpy");
}

TEST(EventSources, NoKprobePmuIsNamedAsTheReason) {
  const fs::path dir = fs::temp_directory_path() / ("cb-devices-" + std::to_string(::getpid()));
  fs::create_directories(dir / "software");
  std::string why;
  EXPECT_FALSE(kprobe_pmu_type(dir.string(), &why));
  EXPECT_NE(why.find("no kprobe PMU on this kernel"), std::string::npos) << why;
  fs::create_directories(dir / "kprobe");
  std::ofstream(dir / "kprobe" / "type") << "8\n";
  EXPECT_EQ(kprobe_pmu_type(dir.string(), &why), 8u);
  fs::remove_all(dir);
}

TEST(EventSources, TracepointIdsComeFromTracefs) {
  const fs::path dir = fs::temp_directory_path() / ("cb-tracefs-" + std::to_string(::getpid()));
  fs::create_directories(dir / "events" / "skb" / "skb_copy_datagram_iovec");
  std::ofstream(dir / "events" / "skb" / "skb_copy_datagram_iovec" / "id") << "2308\n";
  std::string why;
  EXPECT_EQ(tracepoint_id(dir.string(), "skb", "skb_copy_datagram_iovec", &why), 2308u);
  EXPECT_FALSE(tracepoint_id(dir.string(), "skb", "no_such_event", &why));
  EXPECT_NE(why.find("has no tracepoint skb:no_such_event"), std::string::npos) << why;
  fs::remove_all(dir);
}

TEST(EventCounters, MissingSourcesGiveNullsWithReasonsInBothScopes) {
  EventSources none;
  none.tracefs_reason = "tracefs is not mounted";
  none.kprobe_reason = "no kprobe PMU on this kernel";
  none.cpus_reason = "cpus unknown";
  EventCounters counters({static_cast<pid_t>(::gettid())}, none);
  EXPECT_EQ(counters.enable(), 0);
  auto all = counters.read();
  ASSERT_EQ(all.size(), 2 * event_specs().size());
  for (const auto& c : all) {
    EXPECT_FALSE(c.count) << c.name;
    const bool kprobe = c.name.starts_with("kprobe:");
    EXPECT_EQ(c.reason, kprobe ? "no kprobe PMU on this kernel" : "tracefs is not mounted") << c.name;
  }
  EXPECT_EQ(all.front().scope, "threads");
  EXPECT_EQ(all.back().scope, "system");
}

TEST(PerfEvent, CpuListsParseAndGarbageIsRefused) {
  EXPECT_EQ(parse_cpu_list("0-3,5,7-8\n"), (std::vector<int>{0, 1, 2, 3, 5, 7, 8}));
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_THROW(parse_cpu_list("0-x"), Error);
  EXPECT_THROW(parse_cpu_list("3-1"), Error);
}

ProfileFigures sample_profile(bool zerocopy) {
  ProfileFigures p;
  p.on_ns = 1'000'000'000, p.off_ns = 1'000'000'000;
  p.on_bytes = 900, p.off_bytes = 1000, p.on_messages = 100, p.off_messages = 110;
  p.zerocopy_sends = zerocopy;
  p.events = {
      {"skb:skb_copy_datagram_iovec", "rx_copies", "threads", 150, ""},
      {"tcp:tcp_sendmsg_locked", "tx_chunks", "threads", 200, ""},
      {"kprobe:_copy_from_iter", "tx_copies", "threads", std::nullopt, "no kprobe PMU on this kernel"},
      {"kprobe:_copy_from_iter_nocache", "tx_copies_nocache", "threads", std::nullopt, "no kprobe PMU on this kernel"},
      {"kprobe:skb_copy_ubufs", "zc_copies", "threads", std::nullopt, "no kprobe PMU on this kernel"}};
  SampleFigures s{4000, 200, 150, {}, {{"memcpy", "copy_zc_deferred", 50, 25.0}}};
  for (const auto& b : bucket_infos()) s.buckets.push_back({b.key, 0, 0.0});
  s.buckets[0] = {"copy_to_kernel", 30, 15.0};
  s.buckets[1] = {"copy_to_user", 20, 10.0};
  s.buckets[5] = {"tcp_ip", 150, 75.0};
  p.threads = s;
  p.machine_reason = "not permitted";
  return p;
}

TEST(ProfileFigures, CopiesPerMessageAddsReceiveAndSendCopies) {
  std::string why;
  auto copying = sample_profile(false);
  EXPECT_DOUBLE_EQ(*copies_per_msg(copying, &why), 3.5);  // (150 + 200) / 100
  auto pinning = sample_profile(true);
  EXPECT_FALSE(copies_per_msg(pinning, &why));
  EXPECT_NE(why.find("no kprobe PMU on this kernel"), std::string::npos) << why;
  pinning.events[2].count = 10, pinning.events[3].count = 0, pinning.events[4].count = 90;  // a kernel with kprobes
  EXPECT_DOUBLE_EQ(*copies_per_msg(pinning, &why), 2.5);
}

TEST(ProfileFigures, OverheadSharesAndPerMessageFigures) {
  auto p = sample_profile(false);
  std::string why;
  EXPECT_DOUBLE_EQ(*profile_overhead_pct(p, &why), 10.0);
  EXPECT_DOUBLE_EQ(*copies_pct(p, false, &why), 25.0);
  EXPECT_FALSE(copies_pct(p, true, &why));
  EXPECT_EQ(why, "not permitted");
  EXPECT_DOUBLE_EQ(*event_per_msg(p, "rx_copies", "threads"), 1.5);
  EXPECT_DOUBLE_EQ(*event_per_kib(p, "rx_copies", "threads"), 150 * 1024.0 / 900);
  p.kernel_caveat = "kernel addresses are hidden";
  EXPECT_FALSE(copies_pct(p, false, &why));
  p.off_ns = 0;
  EXPECT_FALSE(profile_overhead_pct(p, &why));
}

TEST(ProfileFigures, JsonRoundTripKeepsCountsSharesAndReasons) {
  const auto p = sample_profile(true);
  const auto j = to_json(p);
  EXPECT_TRUE(j["copies_per_msg"].is_null());
  EXPECT_NE(j["copies_per_msg_reason"].get<std::string>().find("kprobe"), std::string::npos);
  EXPECT_TRUE(j["rx_copy_bytes"].is_null());
  EXPECT_FALSE(j["rx_copy_bytes_reason"].is_null());
  EXPECT_DOUBLE_EQ(j["events"][0]["per_msg"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["threads"]["cpu_in_copies_pct"].get<double>(), 25.0);
  const auto back = profile_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(to_json(back), j);
  auto bad = j;
  bad["on_s"] = 1e300;
  EXPECT_ANY_THROW(profile_from_json(bad));
}

}  // namespace

#include "params/param_table.h"
#include "wire/protocol.h"

namespace {

TEST(ProfileFlag, TravelsInTheHeaderAsBitThree) {
  copybench::TestParams p;
  p.profile = true;
  const auto h = copybench::header_for(p, copybench::ConnectionKind::control, 0, 0);
  EXPECT_NE(h.flags & (1u << 3), 0u);
  EXPECT_EQ(copybench::test_parameter("profile").wire.shift, 3u);
  const auto bytes = copybench::encode_header(h);
  EXPECT_TRUE(copybench::params_from(copybench::decode_header(bytes.data(), bytes.size())).profile);
  p.profile = false;
  EXPECT_FALSE(copybench::params_from(copybench::header_for(p, copybench::ConnectionKind::control, 0, 0)).profile);
}

}  // namespace
