#include "metrics/cpu_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>

#include "core/clock.h"
#include "core/error.h"

namespace copybench {
namespace {

int64_t timeval_ns(const timeval& tv) { return int64_t{tv.tv_sec} * 1'000'000'000 + int64_t{tv.tv_usec} * 1'000; }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// The whole file; /proc files report size 0, so read until EOF rather than by size.
std::optional<std::string> read_whole_file(const std::string& path, std::string* why) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "re"));
  if (!f) {
    if (why) *why = "cannot open " + path + ": " + errno_text(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) {
    if (why) *why = "cannot read " + path + ": " + errno_text(errno);
    return std::nullopt;
  }
  return text;
}

/// b - a, but 0 where the counter went backwards: proc(5) warns that iowait is unreliable, and
/// on tickless kernels idle and iowait have been seen to step back by a tick.
uint64_t ticks_since(uint64_t a, uint64_t b) { return b > a ? b - a : 0; }

SystemCpuSample delta(const SystemCpuSample& a, const SystemCpuSample& b) {
  SystemCpuSample d;
  d.user = ticks_since(a.user, b.user);
  d.nice = ticks_since(a.nice, b.nice);
  d.system = ticks_since(a.system, b.system);
  d.idle = ticks_since(a.idle, b.idle);
  d.iowait = ticks_since(a.iowait, b.iowait);
  d.irq = ticks_since(a.irq, b.irq);
  d.softirq = ticks_since(a.softirq, b.softirq);
  d.steal = ticks_since(a.steal, b.steal);
  return d;
}

long clock_ticks_per_s() {
  long tck = ::sysconf(_SC_CLK_TCK);
  return tck > 0 ? tck : 100;  // USER_HZ is 100 on every Linux ABI in practice
}

}  // namespace

ProcessCpuSample sample_process_cpu() {
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) != 0) throw_sys("getrusage(RUSAGE_SELF)", errno);
  ProcessCpuSample s;
  s.user_ns = timeval_ns(ru.ru_utime);
  s.system_ns = timeval_ns(ru.ru_stime);
  s.voluntary_switches = ru.ru_nvcsw;
  s.involuntary_switches = ru.ru_nivcsw;
  return s;
}

std::optional<SystemCpuSample> parse_proc_stat(const std::string& text) {
  // The aggregate line is "cpu" and a space; the per-CPU lines are "cpu0", "cpu1"...
  size_t start = text.rfind("cpu ", 0) == 0 ? 0 : text.find("\ncpu ");
  if (start == std::string::npos) return std::nullopt;
  if (text[start] == '\n') ++start;
  size_t stop = text.find('\n', start);
  const char* p = text.data() + start + 3;
  const char* end = text.data() + (stop == std::string::npos ? text.size() : stop);

  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user and nice (proc(5)), so fields past the eighth are checked but dropped.
  uint64_t fields[8] = {};
  size_t n = 0;
  while (true) {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (p == end) break;
    uint64_t value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || (next != end && *next != ' ' && *next != '\t')) return std::nullopt;
    if (n < 8) fields[n] = value;
    ++n;
    p = next;
  }
  // Older kernels stop after idle (iowait came in 2.5.41, steal in 2.6.11): missing ones are 0.
  if (n < 4) return std::nullopt;
  SystemCpuSample s;
  s.user = fields[0];
  s.nice = fields[1];
  s.system = fields[2];
  s.idle = fields[3];
  s.iowait = fields[4];
  s.irq = fields[5];
  s.softirq = fields[6];
  s.steal = fields[7];
  return s;
}

std::optional<SystemCpuSample> sample_system_cpu(std::string* why, const std::string& path) {
  std::optional<std::string> text = read_whole_file(path, why);
  if (!text) return std::nullopt;
  std::optional<SystemCpuSample> s = parse_proc_stat(*text);
  if (!s && why) *why = path + " has no well-formed aggregate \"cpu\" line";
  return s;
}

void CpuMeter::start() {
  why_.clear();
  s1_.reset();
  t0_ns_ = now_ns();
  p0_ = sample_process_cpu();
  s0_ = sample_system_cpu(&why_);
}

void CpuMeter::stop() {
  t1_ns_ = now_ns();
  p1_ = sample_process_cpu();
  std::string why;
  s1_ = sample_system_cpu(&why);
  if (!s1_ && why_.empty()) why_ = why;  // keep the first failure: it is the one to fix
}

CpuUsage CpuMeter::usage() const {
  CpuUsage u;
  u.process_user_s = double(p1_.user_ns - p0_.user_ns) / 1e9;
  u.process_system_s = double(p1_.system_ns - p0_.system_ns) / 1e9;
  u.voluntary_switches = p1_.voluntary_switches - p0_.voluntary_switches;
  u.involuntary_switches = p1_.involuntary_switches - p0_.involuntary_switches;
  u.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));

  if (!s0_ || !s1_) {
    u.system_reason = why_.empty() ? "CPU meter was not started and stopped" : why_;
    return u;
  }
  SystemCpuSample d = delta(*s0_, *s1_);
  uint64_t total = d.total();
  long tck = clock_ticks_per_s();
  if (total == 0) {
    // /proc/stat counts in whole USER_HZ ticks, so a very short window can see none at all.
    char msg[160];
    std::snprintf(msg, sizeof msg, "the window was shorter than one /proc/stat tick (%ld ms): it lasted %.1f ms",
                  1000 / tck, double(t1_ns_ - t0_ns_) / 1e6);
    u.system_reason = msg;
    return u;
  }
  auto pct = [total](uint64_t ticks) { return 100.0 * double(ticks) / double(total); };
  u.system_busy_cpu_s = double(d.busy()) / double(tck);
  u.system_busy_pct = pct(d.busy());
  u.system_softirq_pct = pct(d.softirq);
  u.system_irq_pct = pct(d.irq);
  u.system_user_pct = pct(d.user + d.nice);
  u.system_system_pct = pct(d.system);
  u.system_steal_pct = pct(d.steal);
  u.system_idle_pct = pct(d.idle + d.iowait);
  return u;
}

}  // namespace copybench
