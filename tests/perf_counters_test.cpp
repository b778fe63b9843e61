// The counters against the real kernel: software events count what the test threads did,
// inside the window only; hardware events a VM cannot count say why instead of reading 0.
#include <gtest/gtest.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "core/error.h"
#include "metrics/perf_counters.h"
#include "net/socket.h"

using namespace copybench;

namespace {

const CounterReading& reading(const std::vector<CounterReading>& all, const std::string& name) {
  for (const CounterReading& r : all) {
    if (r.name == name) return r;
  }
  throw std::runtime_error("no reading named " + name);
}

// Threads that run `work(thread, phase)` once per run_phase(), in step with the test thread,
// so counters can be opened on their tids before any work and started or stopped between
// phases.
class Crew {
 public:
  Crew(int n, std::function<void(int, int)> work) : work_(std::move(work)), sync_(n + 1) {
    tids_.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { body(i); });
    sync_.arrive_and_wait();  // every tid recorded
  }
  ~Crew() {
    done_ = true;
    sync_.arrive_and_wait();
    for (std::thread& t : threads_) t.join();
  }
  const std::vector<pid_t>& tids() const { return tids_; }
  void run_phase() {
    sync_.arrive_and_wait();  // go
    sync_.arrive_and_wait();  // finished
    ++phase_;
  }

 private:
  void body(int i) {
    tids_[static_cast<size_t>(i)] = current_tid();
    sync_.arrive_and_wait();
    for (;;) {
      sync_.arrive_and_wait();
      if (done_) return;
      work_(i, phase_);
      sync_.arrive_and_wait();
    }
  }
  std::function<void(int, int)> work_;
  std::barrier<> sync_;
  std::vector<pid_t> tids_;
  std::vector<std::thread> threads_;
  std::atomic<bool> done_{false};
  std::atomic<int> phase_{0};
};

// Two threads bouncing a byte over two pipes: each round blocks each thread once, so every
// round is at least one context switch.
struct PingPong {
  Fd there[2], back[2];
  PingPong() {
    int a[2], b[2];
    if (::pipe(a) != 0 || ::pipe(b) != 0) throw_sys("pipe", errno);
    there[0].reset(a[0]), there[1].reset(a[1]), back[0].reset(b[0]), back[1].reset(b[1]);
  }
  void run(int thread, int rounds) {
    char byte = 'x';
    for (int i = 0; i < rounds; ++i) {
      if (thread == 0) {
        ASSERT_EQ(::write(there[1].get(), &byte, 1), 1);
        ASSERT_EQ(::read(back[0].get(), &byte, 1), 1);
      } else {
        ASSERT_EQ(::read(there[0].get(), &byte, 1), 1);
        ASSERT_EQ(::write(back[1].get(), &byte, 1), 1);
      }
    }
  }
};

int64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// Spins until this thread has used `cpu_ns` of CPU: the same amount of work however busy
// the machine is.
void burn_cpu(int64_t cpu_ns) {
  const int64_t until = thread_cpu_ns() + cpu_ns;
  volatile uint64_t sink = 0;
  while (thread_cpu_ns() < until) {
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<uint64_t>(i);
  }
}

constexpr int kRounds = 500;

}  // namespace

TEST(PerfCounters, CountsTheContextSwitchesOfPingPongThreads) {
  PingPong pp;
  Crew crew(2, [&](int thread, int) { pp.run(thread, kRounds); });
  ThreadCounters counters(crew.tids());
  const CounterReading before = reading(counters.read(), "context-switches");
  if (before.threads == 0) GTEST_SKIP() << "context-switches: " << before.reason;
  counters.start();
  crew.run_phase();
  counters.stop();
  const CounterReading r = reading(counters.read(), "context-switches");
  EXPECT_EQ(r.threads, 2);
  ASSERT_TRUE(r.value) << r.reason;
  EXPECT_GE(*r.value, static_cast<uint64_t>(kRounds));
}

static int64_t now_wall_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

TEST(PerfCounters, TaskClockHoldsTheThreadsCpuTimeWithinTheWindow) {
  std::atomic<int64_t> cpu_ns{0};
  Crew crew(1, [&](int, int) {
    const int64_t t0 = thread_cpu_ns();
    burn_cpu(100'000'000);
    cpu_ns = thread_cpu_ns() - t0;
  });
  ThreadCounters counters(crew.tids());
  if (reading(counters.read(), "task-clock").threads == 0) GTEST_SKIP() << "task-clock cannot open";
  // task-clock counts the time the thread was scheduled in, by the perf clock; the thread's CPU
  // clock leaves out what the hypervisor stole (and, with IRQ time accounting, interrupts), so
  // on a busy VM task-clock runs ahead of it. It holds the burn and fits in the window.
  const int64_t wall0 = now_wall_ns();
  counters.start();
  crew.run_phase();
  counters.stop();
  const int64_t wall1 = now_wall_ns();
  const CounterReading r = reading(counters.read(), "task-clock");
  ASSERT_TRUE(r.value) << r.reason;
  const double counted = static_cast<double>(*r.value);
  EXPECT_GE(counted, 0.99 * static_cast<double>(cpu_ns.load())) << "the burn is inside the window";
  EXPECT_LE(counted, 1.01 * static_cast<double>(wall1 - wall0)) << "one thread is on a CPU at most the whole window";
  ASSERT_TRUE(r.running_pct);
  EXPECT_DOUBLE_EQ(*r.running_pct, 100.0);  // software events are never multiplexed
}

TEST(PerfCounters, OnlyTheWindowIsCounted) {
  PingPong pp;
  const std::vector<int> rounds = {kRounds, 5, kRounds};  // before, inside, after the window
  Crew crew(2, [&](int thread, int phase) { pp.run(thread, rounds[static_cast<size_t>(phase)]); });
  ThreadCounters counters(crew.tids());
  const CounterReading before = reading(counters.read(), "context-switches");
  if (before.threads == 0) GTEST_SKIP() << "context-switches: " << before.reason;
  crew.run_phase();
  counters.start();
  crew.run_phase();
  counters.stop();
  crew.run_phase();
  const CounterReading r = reading(counters.read(), "context-switches");
  ASSERT_TRUE(r.value) << r.reason;
  EXPECT_LT(*r.value, static_cast<uint64_t>(kRounds));
}

TEST(PerfCounters, UncountableHardwareEventsSayWhyInsteadOfReadingZero) {
  // Ask the kernel directly whether this machine counts cycles at all.
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_CPU_CYCLES;
  attr.disabled = 1;
  attr.exclude_hv = 1;
  const long fd = ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  const int open_errno = fd < 0 ? errno : 0;
  if (fd >= 0) ::close(static_cast<int>(fd));

  ThreadCounters counters({current_tid()});
  counters.start();
  burn_cpu(20'000'000);
  counters.stop();
  const std::vector<CounterReading> all = counters.read();
  for (const char* name : {"cycles", "cycles:k"}) {
    const CounterReading& r = reading(all, name);
    if (open_errno != 0 && open_errno != EACCES && open_errno != EPERM) {
      EXPECT_FALSE(r.value) << name << " read " << *r.value << " where the kernel cannot count it";
      EXPECT_NE(r.reason.find(errno_text(open_errno)), std::string::npos) << name << ": " << r.reason;
    }
  }
  const CounterReading& cycles = reading(all, "cycles");
  if (open_errno == 0) {
    ASSERT_TRUE(cycles.value) << cycles.reason;
    EXPECT_GT(*cycles.value, 0u);
  }
  EXPECT_TRUE(cycles.value || !cycles.reason.empty());
}

TEST(PerfCounters, ReadingsFollowTheSpecListAndNeverHideAFailure) {
  ThreadCounters counters({current_tid()});
  counters.start();
  counters.stop();
  const std::vector<CounterReading> all = counters.read();
  const std::vector<CounterSpec>& specs = counter_specs();
  ASSERT_EQ(all.size(), specs.size());
  ASSERT_EQ(specs.size(), 14u);
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(all[i].name, specs[i].kernel_only ? specs[i].name + ":k" : specs[i].name);
    EXPECT_EQ(all[i].scope == "kernel", specs[i].kernel_only) << all[i].name;
    EXPECT_TRUE(all[i].value || !all[i].reason.empty()) << all[i].name;
  }
  EXPECT_EQ(all[0].name, "cycles");
  EXPECT_EQ(all[5].name, "cycles:k");
  EXPECT_EQ(all[13].name, "task-clock");
}

TEST(PerfCounters, AThreadThatIsGoneIsReportedNotFatal) {
  pid_t gone = 0;
  std::thread([&] { gone = current_tid(); }).join();
  ThreadCounters later({current_tid(), gone});
  const CounterReading r = reading(later.read(), "task-clock");
  if (r.threads == 0) GTEST_SKIP() << "task-clock: " << r.reason;
  EXPECT_EQ(r.threads, 1);
  EXPECT_NE(r.reason.find("counted on 1 of 2 threads"), std::string::npos) << r.reason;

  ThreadCounters first({gone, current_tid()});
  const CounterReading f = reading(first.read(), "task-clock");
  EXPECT_EQ(f.threads, 0);
  EXPECT_FALSE(f.value);
  EXPECT_FALSE(f.reason.empty());
}

class PmuDirs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pmu_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void add(const std::string& name, const std::string& type) {
    std::filesystem::create_directory(dir_ / name);
    std::ofstream(dir_ / name / "type") << type << "\n";
  }
  std::filesystem::path dir_;
};

TEST_F(PmuDirs, HybridCpuHasOnePmuPerCoreKind) {
  add("cpu_core", "4");
  add("cpu_atom", "10");
  add("software", "1");
  add("breakpoint", "5");
  const std::vector<CorePmu> pmus = core_pmus(dir_.string());
  ASSERT_EQ(pmus.size(), 2u);
  EXPECT_EQ(pmus[0].name, "cpu_atom");
  EXPECT_EQ(pmus[0].type, 10u);
  EXPECT_EQ(pmus[1].name, "cpu_core");
  EXPECT_EQ(pmus[1].type, 4u);
  EXPECT_TRUE(pmus[0].hybrid && pmus[1].hybrid);
  EXPECT_EQ(config_for_pmu(PERF_COUNT_HW_CPU_CYCLES, pmus[1]), 4ULL << 32);
  EXPECT_EQ(config_for_pmu(PERF_COUNT_HW_CACHE_MISSES, pmus[0]), (10ULL << 32) | 3);
}

TEST_F(PmuDirs, PlainCpuKeepsTheGenericConfig) {
  add("cpu", "4");
  add("software", "1");
  add("cpu_broken", "not a number");  // no usable type: not a PMU to open on
  const std::vector<CorePmu> pmus = core_pmus(dir_.string());
  ASSERT_EQ(pmus.size(), 1u);
  EXPECT_EQ(pmus[0].name, "cpu");
  EXPECT_EQ(pmus[0].type, 4u);
  EXPECT_FALSE(pmus[0].hybrid);
  EXPECT_EQ(config_for_pmu(PERF_COUNT_HW_CACHE_MISSES, pmus[0]), 3u);
}

TEST_F(PmuDirs, NoPmuDirectoryMeansNoCorePmu) {
  EXPECT_TRUE(core_pmus(dir_.string()).empty());
  EXPECT_TRUE(core_pmus((dir_ / "missing").string()).empty());
}
