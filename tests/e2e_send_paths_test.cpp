// The send strategies that get no completion (sendfile, splice) or send from registered buffers
// (uring-zc-fixed), end to end: over loopback and between two network namespaces, with --verify
// and their accounting; and refusals in one line (registered buffers beyond RLIMIT_MEMLOCK, a
// kernel without sendfile, vmsplice or io_uring_setup).
#include <gtest/gtest.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "e2e_util.h"
#include "net/netns.h"
#include "strategies/strategy.h"

using namespace copybench;
using namespace copybench::test;

namespace {

// What each path must show besides verified bytes: its calls and, for uring-zc-fixed, every
// send balanced by its notification.
void expect_path_accounting(const nlohmann::json& j, const std::string& strategy) {
  const auto& tx = j["sender"];
  ASSERT_FALSE(tx.is_null()) << j["sender_missing_reason"];
  EXPECT_EQ(j["verify"]["bytes_match"], true);
  EXPECT_EQ(j["verify"]["missing_messages"], 0);
  EXPECT_GT(j["verify"]["messages_checked"].get<uint64_t>(), 0u);
  if (strategy == "uring-zc-fixed") {
    EXPECT_EQ(j["verify"]["corrupt_messages"], 0) << "buffers are rewritten only after their notifications";
    // One SEND_ZC per non-empty field: below 8 bytes some fields are empty.
    double fields = static_cast<double>(std::min<uint64_t>(8, j["parameters"]["message_bytes"].get<uint64_t>()));
    EXPECT_DOUBLE_EQ(tx["submissions_per_msg"].get<double>(), fields);
    const auto& zc = j["zerocopy"];
    ASSERT_FALSE(zc.is_null());
    EXPECT_GT(zc["sends"].get<uint64_t>(), 0u);
    EXPECT_EQ(zc["completed"], zc["sends"]);
    EXPECT_EQ(zc["balanced"], true);
  } else {
    EXPECT_TRUE(tx["submissions_per_msg"].is_null());
    EXPECT_TRUE(j["zerocopy"].is_null());
    EXPECT_GE(tx["calls_per_msg"].get<double>(), strategy == "splice" ? 2.0 : 1.0);
  }
}

class SendPath : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (auto missing = strategy_info(GetParam()).missing(); !missing.empty()) GTEST_SKIP() << missing;
  }
};

// Odd sizes too: fields that start and end mid-page, messages that span several pipe rounds.
TEST_P(SendPath, LoopbackVerifiedAtEverySize) {
  for (const char* size : {"1", "1001", "64K", "3M"}) {
    SCOPED_TRACE(size);
    TempDir dir;
    auto j = run_json("run --strategy " + GetParam() + " --size " + size +
                          " --duration 300ms --warmup 0 --verify --no-counters --quiet",
                      dir);
    ASSERT_EQ(j["status"], "ok") << j["error"];
    EXPECT_EQ(j["parameters"]["strategy"], GetParam());
    expect_path_accounting(j, GetParam());
  }
}

TEST_P(SendPath, BetweenTwoNamespacesVerified) {
  if (!has_netns_privileges() || !ip_command()) GTEST_SKIP() << "needs root and iproute2";
  TempDir dir;
  auto r = run_copybench("sweep --topology netns --strategies " + GetParam() +
                             " --sizes 16K --threads 2 --reps 1 --duration 300ms --warmup 0 --verify --no-counters "
                             "--seed 3 --quiet --out " +
                             dir.file("out"),
                         120);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto runs = read_json(dir.file("out/results.json"))["runs"];
  ASSERT_EQ(runs.size(), 1u);
  const auto& j = runs.at(0)["result"];
  ASSERT_EQ(j["status"], "ok") << j["error"];
  expect_path_accounting(j, GetParam());
}

INSTANTIATE_TEST_SUITE_P(NoCompletionOrFixedBuffers, SendPath,
                         ::testing::Values("sendfile", "splice", "uring-zc-fixed"), [](const auto& test) {
                           auto name = test.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Runs `copybench <args>` with `nr` failing with ENOSYS (a seccomp filter set in the child
// before exec, inherited by the server it starts), as on a kernel without that system call.
CommandResult run_without_syscall(int nr, const std::string& args) {
  int out[2];
  if (::pipe(out) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      ::_exit(126);
    ::execl("/bin/sh", "sh", "-c", (std::string(COPYBENCH_BIN) + " " + args).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  CommandResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) r.output.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

const char* kShort = " --duration 200ms --warmup 0 --no-counters --quiet";

TEST(SendPathRefusal, WithoutTheSystemCallEachRefusesInOneLineAndProbeSaysWhy) {
  for (const auto& [strategy, nr, call] :
       {std::tuple{"sendfile", SYS_sendfile, "sendfile"}, std::tuple{"splice", SYS_vmsplice, "vmsplice"},
        std::tuple{"uring-zc-fixed", SYS_io_uring_setup, "io_uring_setup"}}) {
    SCOPED_TRACE(strategy);
    auto r = run_without_syscall(nr, std::string("run --strategy ") + strategy + kShort);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(call), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    // Refused before the test ran (the probe's line), not a send that failed mid-run.
    EXPECT_NE(r.output.find("refused the test"), std::string::npos) << r.output;
    auto probe = run_without_syscall(nr, "probe");
    auto at = probe.output.find(std::string("strategy_") + strategy + " ");
    ASSERT_NE(at, std::string::npos) << probe.output;
    auto line = probe.output.substr(at, probe.output.find('\n', at) - at);
    EXPECT_EQ(line.find("runs here"), std::string::npos) << line;
    EXPECT_NE(line.find(call), std::string::npos) << line;
  }
}

// Registered buffers are pinned and charged to RLIMIT_MEMLOCK (root's CAP_IPC_LOCK dropped):
// 1 MiB is enough for the ring but not for the 16 MiB pool.
TEST(SendPathRefusal, UringZcFixedBeyondLockedMemoryIsOneLineNamingTheLimit) {
  if (auto missing = strategy_info("uring-zc-fixed").missing(); !missing.empty()) GTEST_SKIP() << missing;
  std::string prefix = ::geteuid() == 0 ? "ulimit -l 1024 && setpriv --bounding-set=-ipc_lock" : "ulimit -l 1024 &&";
  auto r = run_copybench_with(prefix, std::string("run --strategy uring-zc-fixed --size 64K") + kShort, 30);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("io_uring_register_buffers: out of locked memory (RLIMIT_MEMLOCK is 1024 KiB"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

}  // namespace
