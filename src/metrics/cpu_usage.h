#pragma once
// CPU accounting over a window, always available (no PMU needed): the process's own user and
// system time and context switches from getrusage(RUSAGE_SELF), and the whole machine's CPU
// time by state from /proc/stat (softirq included: much of TCP's receive path runs there).
#include <cstdint>
#include <optional>
#include <string>

namespace copybench {

struct ProcessCpuSample {
  int64_t user_ns = 0;
  int64_t system_ns = 0;
  int64_t voluntary_switches = 0;    // ru_nvcsw
  int64_t involuntary_switches = 0;  // ru_nivcsw
};

/// getrusage(RUSAGE_SELF): every thread of this process, live and exited. Throws Error.
ProcessCpuSample sample_process_cpu();

/// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks.
struct SystemCpuSample {
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  // Steal is time a virtual CPU wanted to run but the hypervisor ran someone else: elapsed,
  // but no work of this machine's, so it is not busy.
  uint64_t busy() const { return user + nice + system + irq + softirq; }
  uint64_t total() const { return busy() + idle + iowait + steal; }
};

/// Parses the text of /proc/stat; nullopt when it has no well-formed aggregate "cpu" line.
std::optional<SystemCpuSample> parse_proc_stat(const std::string& text);

/// Reads `path` (default /proc/stat); nullopt (with *why set) when it cannot.
std::optional<SystemCpuSample> sample_system_cpu(std::string* why, const std::string& path = "/proc/stat");

/// What the window cost in CPU. System figures are null (with system_reason) when /proc/stat
/// could not be read at both edges.
struct CpuUsage {
  double process_user_s = 0;
  double process_system_s = 0;
  int64_t voluntary_switches = 0;
  int64_t involuntary_switches = 0;
  int cpus = 0;                             // online CPUs (sysconf); the system % divide by all CPUs' ticks
  std::optional<double> system_busy_cpu_s;  // CPU-seconds not idle/iowait, all CPUs
  std::optional<double> system_busy_pct;    // of all CPUs' time in the window
  std::optional<double> system_softirq_pct;
  std::optional<double> system_irq_pct;
  std::optional<double> system_user_pct;    // user + nice
  std::optional<double> system_system_pct;  // kernel, outside irq/softirq
  std::optional<double> system_steal_pct;   // taken by the hypervisor
  std::optional<double> system_idle_pct;    // idle + iowait: CPU this machine had left
  std::string system_reason;
};

/// Samples both sources at start() and stop(); usage() is the difference. Not thread-safe:
/// one coordinator thread drives it.
class CpuMeter {
 public:
  void start();
  void stop();
  CpuUsage usage() const;

 private:
  ProcessCpuSample p0_, p1_;
  std::optional<SystemCpuSample> s0_, s1_;
  std::string why_;
  int64_t t0_ns_ = 0, t1_ns_ = 0;
};

}  // namespace copybench
