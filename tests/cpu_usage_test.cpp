#include "metrics/cpu_usage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <thread>

namespace copybench {
namespace {

int64_t cpu_clock_ns(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Spins until this thread has had `ns` of CPU: CPU time, not wall time, so a loaded machine
// only makes it take longer.
void burn_thread_cpu(int64_t ns) {
  int64_t start = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID);
  volatile uint64_t x = 0;
  while (cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < ns) {
    for (int i = 0; i < 10'000; ++i) x = x + i;
  }
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fds), 0) << errno; }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
};

bool write_byte(int fd) {
  char c = 'x';
  ssize_t n;
  while ((n = ::write(fd, &c, 1)) < 0 && errno == EINTR) {
  }
  return n == 1;
}

bool read_byte(int fd) {
  char c;
  ssize_t n;
  while ((n = ::read(fd, &c, 1)) < 0 && errno == EINTR) {
  }
  return n == 1;
}

constexpr const char* kStat =
    "cpu  145917 3 26406 488286 654 1 7578 34 120 5\n"
    "cpu0 70932 0 12834 246793 110 0 3748 15 0 0\n"
    "intr 1234 0 0\n";

TEST(CpuUsage, ParsesAggregateLine) {
  auto s = parse_proc_stat(kStat);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, 145917u);
  EXPECT_EQ(s->nice, 3u);
  EXPECT_EQ(s->system, 26406u);
  EXPECT_EQ(s->idle, 488286u);
  EXPECT_EQ(s->iowait, 654u);
  EXPECT_EQ(s->irq, 1u);
  EXPECT_EQ(s->softirq, 7578u);
  EXPECT_EQ(s->steal, 34u);  // guest and guest_nice (120, 5) are inside user and nice already
  EXPECT_EQ(s->busy(), 145917u + 3 + 26406 + 1 + 7578) << "steal is not this machine's work";
  EXPECT_EQ(s->total(), s->busy() + 488286 + 654 + 34);
}

TEST(CpuUsage, FindsAggregateLineAfterOthers) {
  auto s = parse_proc_stat("cpu0 9 9 9 9\ncpu 1 2 3 4 5\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, 1u);
  EXPECT_EQ(s->iowait, 5u);
}

TEST(CpuUsage, ToleratesOnlyFourFields) {
  auto s = parse_proc_stat("cpu 10 20 30 40\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->idle, 40u);
  EXPECT_EQ(s->iowait, 0u);
  EXPECT_EQ(s->irq, 0u);
  EXPECT_EQ(s->softirq, 0u);
  EXPECT_EQ(s->steal, 0u);
  EXPECT_EQ(s->total(), 100u);
}

TEST(CpuUsage, RejectsGarbage) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("hello world\n"));
  EXPECT_FALSE(parse_proc_stat("cpu 1 2 3\n"));                   // fewer than four fields
  EXPECT_FALSE(parse_proc_stat("cpu a b c d\n"));                 // not numbers
  EXPECT_FALSE(parse_proc_stat("cpu 1 2 3x 4\n"));                // trailing junk in a field
  EXPECT_FALSE(parse_proc_stat("cpu 1 2 -3 4\n"));                // negative
  EXPECT_FALSE(parse_proc_stat("cpu0 1 2 3 4\ncpu1 1 2 3 4\n"));  // per-CPU lines only
}

TEST(CpuUsage, MissingFileGivesReason) {
  std::string why;
  EXPECT_FALSE(sample_system_cpu(&why, "/nonexistent/copybench/stat"));
  EXPECT_NE(why.find("/nonexistent/copybench/stat"), std::string::npos) << why;
  EXPECT_NE(why.find("No such file"), std::string::npos) << why;
}

TEST(CpuUsage, UnstartedMeterHasNoSystemFigures) {
  CpuUsage u = CpuMeter().usage();
  EXPECT_FALSE(u.system_busy_pct);
  EXPECT_FALSE(u.system_busy_cpu_s);
  EXPECT_FALSE(u.system_reason.empty());
}

TEST(CpuUsage, BusyLoopGrowsProcessCpu) {
  CpuMeter meter;
  int64_t clock0 = cpu_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  meter.start();
  burn_thread_cpu(200'000'000);
  meter.stop();
  double clock_s = double(cpu_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - clock0) / 1e9;
  CpuUsage u = meter.usage();
  double rusage_s = u.process_user_s + u.process_system_s;
  EXPECT_GE(rusage_s, 0.1);
  EXPECT_GE(u.process_user_s, 0.0);
  EXPECT_GE(u.process_system_s, 0.0);
  // Both sources count the same CPU time; getrusage rounds to microseconds.
  EXPECT_NEAR(rusage_s, clock_s, 0.02 + 0.1 * clock_s);
}

TEST(CpuUsage, PipePingPongCountsVoluntarySwitches) {
  constexpr int kRounds = 200;
  Pipe to_echo, from_echo;
  CpuMeter meter;
  meter.start();
  int echo_failures = 0;
  std::thread echo([&] {
    for (int i = 0; i < kRounds; ++i) {
      if (!read_byte(to_echo.read_end()) || !write_byte(from_echo.write_end())) ++echo_failures;
    }
  });
  int failures = 0;
  for (int i = 0; i < kRounds; ++i) {
    if (!write_byte(to_echo.write_end()) || !read_byte(from_echo.read_end())) ++failures;
  }
  echo.join();
  meter.stop();
  ASSERT_EQ(failures + echo_failures, 0);
  CpuUsage u = meter.usage();
  // Each side blocks on an empty pipe about once per round trip, and the exited thread's
  // switches stay in RUSAGE_SELF.
  EXPECT_GE(u.voluntary_switches, kRounds);
  EXPECT_GE(u.involuntary_switches, 0);
}

TEST(CpuUsage, SystemFiguresArePresentAndInRange) {
  std::string why;
  if (!sample_system_cpu(&why)) GTEST_SKIP() << "no /proc/stat here: " << why;
  CpuMeter meter;
  meter.start();
  burn_thread_cpu(100'000'000);  // > 50 ms of busy work: several ticks on every CPU
  meter.stop();
  CpuUsage u = meter.usage();
  ASSERT_TRUE(u.system_busy_pct) << u.system_reason;
  EXPECT_TRUE(u.system_reason.empty()) << u.system_reason;
  EXPECT_GT(u.cpus, 0);
  ASSERT_TRUE(u.system_busy_cpu_s);
  EXPECT_GT(*u.system_busy_cpu_s, 0.0);
  for (const auto& pct : {u.system_busy_pct, u.system_softirq_pct, u.system_irq_pct, u.system_user_pct,
                          u.system_system_pct, u.system_steal_pct}) {
    ASSERT_TRUE(pct);
    EXPECT_GE(*pct, 0.0);
    EXPECT_LE(*pct, 100.0);
  }
  EXPECT_GT(*u.system_busy_pct, 0.0);
  EXPECT_NEAR(*u.system_busy_pct, *u.system_user_pct + *u.system_system_pct + *u.system_irq_pct + *u.system_softirq_pct,
              1e-9);
}

}  // namespace
}  // namespace copybench
