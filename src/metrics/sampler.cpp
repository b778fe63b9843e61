#include "metrics/sampler.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "metrics/perf_counters.h"

namespace copybench {
namespace {

const std::string kUnresolvedKernel = "[kernel, unresolved]";
const std::string kOtherProcess = "[user space of another process]";
const std::string kOtherMode = "[guest or hypervisor]";

perf_event_attr sampling_attr(int hz, const SamplerSetup& setup) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;                              // a timer: works without a hardware PMU
  attr.sample_period = 1'000'000'000ull / static_cast<uint64_t>(hz);  // ns of CPU time
  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN;
  attr.disabled = 1;
  attr.exclude_hv = 1;
  attr.exclude_callchain_user = 1;  // the kernel chain decides the bucket; user chains cost more
  attr.sample_max_stack = static_cast<uint16_t>(setup.max_stack);
  attr.watermark = 1;  // wake the reader when a quarter of the ring is full
  attr.wakeup_watermark = static_cast<uint32_t>(setup.ring_pages * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) / 4);
  return attr;
}

std::string refused(int err) {
  if (err != EACCES && err != EPERM) return "cannot open cpu-clock sampling: " + errno_text(err);
  const std::optional<int> paranoid = perf_event_paranoid();
  return fmt::format("not permitted (/proc/sys/kernel/perf_event_paranoid is {}; CAP_PERFMON or root lifts it): {}",
                     paranoid ? std::to_string(*paranoid) : std::string("unreadable"), errno_text(err));
}

struct SampleRecord {  // PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN, in that order
  uint64_t ip;
  uint32_t pid, tid;
  uint64_t nr;
};

}  // namespace

CpuSampler::CpuSampler(const std::vector<pid_t>& tids, const std::optional<std::vector<int>>& cpus,
                       const std::string& cpus_reason, SamplerSetup setup)
    : setup_(setup), tids_(tids.begin(), tids.end()), self_(::getpid()), user_(UserSymbols::load_self()) {
  machine_reason_ = cpus ? "" : cpus_reason;
  try {
    if (cpus) open_machine(*cpus);
    if (cpus && machine_rings_ == 0) open_threads(tids, *cpus);
    else if (!cpus) threads_reason_ = cpus_reason;
  } catch (const Error& e) {  // a ring that cannot be mapped: nothing to read at all
    rings_.clear();
    fds_ = PerfFds();
    machine_rings_ = 0;
    threads_reason_ = machine_reason_ = e.what();
    kernel_caveat_.clear();
    return;
  }
  if (kernel_caveat_.empty()) {
    kernel_ = KernelSymbols::load();
    if (!kernel_.usable()) kernel_caveat_ = kernel_.reason();
  }
  if (!rings_.empty()) reader_ = std::thread([this] { read_loop(); });
}

CpuSampler::~CpuSampler() {
  stop_.store(true);
  if (reader_.joinable()) reader_.join();
}

void CpuSampler::open_machine(const std::vector<int>& cpus) {
  const perf_event_attr attr = sampling_attr(setup_.frequency_hz, setup_);
  PerfFds opened;
  for (int cpu : cpus) {
    const int fd = open_perf_event(attr, -1, cpu);
    if (fd < 0) {  // every CPU or none: a machine view with holes would mislead
      machine_reason_ = fmt::format("{} (CPU {})", system_wide_refusal(errno), cpu);
      return;
    }
    opened.add(fd);
  }
  for (int fd : opened.fds()) {
    fds_.add(fd);
    rings_.push_back(std::make_unique<SampleRing>(fd, setup_.ring_pages));
  }
  opened.release();
  machine_rings_ = rings_.size();
}

// One event per thread and CPU (pid = tid, cpu = N), every thread's records on CPU N going to
// one ring (PERF_EVENT_IOC_SET_OUTPUT): the kernel lets events share a ring only when they are
// bound to the same CPU, and one ring per thread would not fit perf_event_mlock_kb.
void CpuSampler::open_threads(const std::vector<pid_t>& tids, const std::vector<int>& cpus) {
  if (tids.empty()) {
    threads_reason_ = "no threads to sample";
    return;
  }
  perf_event_attr attr = sampling_attr(setup_.frequency_hz, setup_);
  int probe = open_perf_event(attr, tids[0], cpus.front());
  if (probe < 0 && (errno == EACCES || errno == EPERM)) {
    kernel_caveat_ = "kernel mode not sampled: " + refused(errno);
    attr.exclude_kernel = 1;
    probe = open_perf_event(attr, tids[0], cpus.front());
  }
  if (probe < 0) {
    threads_reason_ = refused(errno);
    kernel_caveat_.clear();
    return;
  }
  ::close(probe);
  threads_caveat_ =
      "sampled per thread (the machine view was refused): samples that fell due while a thread "
      "was being switched back in land on finish_task_switch, so scheduler time is overstated";
  for (int cpu : cpus) {
    int owner = -1;
    for (pid_t tid : tids) {
      const int fd = open_perf_event(attr, tid, cpu);
      if (fd < 0) continue;  // a thread that has exited: nothing of it to sample
      fds_.add(fd);
      if (owner < 0) {
        owner = fd;
        rings_.push_back(std::make_unique<SampleRing>(fd, setup_.ring_pages));
      } else if (::ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, owner) != 0) {
        throw_sys("sending a thread's samples to its CPU's ring", errno);
      }
    }
  }
}

int CpuSampler::enable() const { return fds_.ioctl_all(PERF_EVENT_IOC_ENABLE); }
int CpuSampler::disable() const { return fds_.ioctl_all(PERF_EVENT_IOC_DISABLE); }

void CpuSampler::read_loop() {
  std::vector<pollfd> polls;
  for (const auto& ring : rings_) polls.push_back({ring->fd(), POLLIN, 0});
  while (!stop_.load(std::memory_order_relaxed)) {
    ::poll(polls.data(), polls.size(), 20);  // wakes at the watermark; the timeout bounds stop's wait
    drain_all();
  }
}

void CpuSampler::drain_all() {
  for (size_t i = 0; i < rings_.size(); ++i) {
    const bool machine = i < machine_rings_;
    rings_[i]->drain(
        [this, machine](const perf_event_header& h, const uint8_t* record) { on_record(h, record, machine); });
  }
}

std::optional<Bucket> CpuSampler::kernel_bucket(const std::string* function) {
  auto [it, added] = kernel_cache_.try_emplace(function);
  if (added) it->second = kernel_function_bucket(*function);
  return it->second;
}

void CpuSampler::on_record(const perf_event_header& h, const uint8_t* record, bool machine) {
  if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
    uint64_t lost = 0;
    std::memcpy(&lost, record + sizeof h + 8, 8);  // {u64 id; u64 lost}
    lost_ += lost;
    return;
  }
  if (h.type == PERF_RECORD_THROTTLE) ++throttled_;
  if (h.type != PERF_RECORD_SAMPLE || h.size < sizeof h + sizeof(SampleRecord)) return;
  SampleRecord s{};
  std::memcpy(&s, record + sizeof h, sizeof s);
  if (s.nr > (h.size - sizeof h - sizeof s) / 8) return;
  const uint8_t* chain = record + sizeof h + sizeof s;
  const uint16_t mode = h.misc & PERF_RECORD_MISC_CPUMODE_MASK;
  const std::string* function = &kOtherMode;
  Bucket bucket = Bucket::other;
  if (mode == PERF_RECORD_MISC_KERNEL && !kernel_.usable()) {
    function = &kUnresolvedKernel;
  } else if (mode == PERF_RECORD_MISC_KERNEL) {
    std::optional<Bucket> decided;
    const std::string* leaf = nullptr;
    for (uint64_t i = 0, frames = 0; i < std::max<uint64_t>(s.nr, 1) && !decided; ++i) {
      uint64_t ip = s.ip;
      if (s.nr > 0) std::memcpy(&ip, chain + 8 * i, 8);
      if (ip >= static_cast<uint64_t>(PERF_CONTEXT_MAX)) continue;  // a context marker
      // A return address points past its call; step back into the calling function.
      const std::string* f = kernel_.find(frames++ == 0 ? ip : ip - 1);
      if (!leaf) leaf = f ? f : &kUnresolvedKernel;
      if (f) decided = kernel_bucket(f);
    }
    function = leaf ? leaf : &kUnresolvedKernel;
    bucket = decided ? *decided : s.pid == 0 ? Bucket::idle : Bucket::other;
  } else if (mode == PERF_RECORD_MISC_USER && static_cast<pid_t>(s.pid) == self_) {
    function = &user_.find(s.ip);
    bucket = classify_user(*function);
  } else if (mode == PERF_RECORD_MISC_USER) {
    function = &kOtherProcess;
    bucket = Bucket::user_space;
  }
  auto count = [&](Tally& t) {
    ++t.view.samples;
    t.view.kernel_samples += mode == PERF_RECORD_MISC_KERNEL ? 1 : 0;
    ++t.view.buckets[static_cast<size_t>(bucket)];
    ++t.functions[{function, bucket}];
  };
  if (machine) count(machine_);
  if (!machine || (static_cast<pid_t>(s.pid) == self_ && tids_.count(static_cast<pid_t>(s.tid)))) count(threads_);
}

void CpuSampler::finish() {
  if (finished_) return;
  finished_ = true;
  disable();
  stop_.store(true);
  if (reader_.joinable()) reader_.join();
  drain_all();  // what arrived after the reader's last pass
}

std::optional<SampleView> CpuSampler::finished(const Tally& tally, bool available) {
  if (!available) return std::nullopt;
  SampleView view = tally.view;
  for (const auto& [key, samples] : tally.functions) view.top.push_back({*key.first, key.second, samples});
  std::stable_sort(view.top.begin(), view.top.end(),
                   [](const SampledFunction& a, const SampledFunction& b) { return a.samples > b.samples; });
  if (view.top.size() > 10) view.top.resize(10);
  return view;
}

std::optional<SampleView> CpuSampler::threads_view() const { return finished(threads_, threads_reason_.empty()); }

std::optional<SampleView> CpuSampler::machine_view() const {
  return finished(machine_, machine_rings_ > 0 && machine_reason_.empty());
}

}  // namespace copybench
