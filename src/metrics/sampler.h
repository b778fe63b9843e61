#pragma once
// Where the CPU time goes: cpu-clock sampling (a software timer, so it works without a
// hardware PMU) with the kernel call chain, read from the ring buffers by a thread of its own,
// each sample resolved to a function and classified into the buckets of cpu_buckets.h.
//
// Two views:
//   machine: every CPU (pid -1, one event per online CPU), every task, idle included. Needs
//            CAP_PERFMON or root. The threads view is then the machine's samples whose thread
//            id is one of the given threads.
//   threads: without the machine view (not permitted), the threads are sampled directly
//            (pid = tid, one event per thread and CPU); user mode needs no privilege. A task's
//            cpu-clock pauses while the task is switched out, and a sample that falls due while
//            it is switched back in (interrupts off) lands on finish_task_switch: threads that
//            block often show too much scheduler time this way (the caveat says so).
// A sample in user mode of this process is resolved with UserSymbols; of another process it
// is only "user space of another process".
#include <sys/types.h>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "metrics/cpu_buckets.h"
#include "metrics/kernel_symbols.h"
#include "metrics/perf_event.h"
#include "metrics/sample_ring.h"
#include "metrics/user_symbols.h"

namespace copybench {

struct SampledFunction {
  std::string function;  // the sample's own function (the leaf of its call chain)
  Bucket bucket;         // where its chain put it (a helper like memcpy can land in several)
  uint64_t samples = 0;
};

struct SampleView {
  uint64_t samples = 0;
  uint64_t kernel_samples = 0;  // in kernel mode (the rest: user mode)
  std::array<uint64_t, kBucketCount> buckets{};
  std::vector<SampledFunction> top;  // most samples first, at most 10
};

struct SamplerSetup {
  int frequency_hz = 4000;  // one sample per 250 µs of CPU time
  int max_stack = 32;       // kernel frames kept per sample; the deciding frame is near the leaf
  size_t ring_pages = 64;   // 256 KiB per ring, several drains' worth at 4 kHz
};

class CpuSampler {
 public:
  /// Opens the sampling events disabled, maps their rings, loads the symbol tables and starts
  /// the reader. Never throws for what the machine does not allow: the views say why.
  /// `cpus`: the online CPUs, or null with `cpus_reason` (then no machine view).
  CpuSampler(const std::vector<pid_t>& tids, const std::optional<std::vector<int>>& cpus,
             const std::string& cpus_reason, SamplerSetup setup = {});
  CpuSampler(const CpuSampler&) = delete;
  CpuSampler& operator=(const CpuSampler&) = delete;
  ~CpuSampler();

  /// Sampling on and off (the profiled slices). Return the first errno, or 0.
  int enable() const;
  int disable() const;

  /// Disables the events, stops the reader and reads what is left. Idempotent. The views
  /// below are valid after it.
  void finish();

  std::optional<SampleView> threads_view() const;
  std::optional<SampleView> machine_view() const;
  const std::string& threads_reason() const { return threads_reason_; }  // why threads_view is null
  const std::string& machine_reason() const { return machine_reason_; }  // why machine_view is null
  /// Non-empty when kernel samples cannot be placed (kernel symbols hidden, or kernel mode not
  /// sampled): the kernel buckets are then unknown.
  const std::string& kernel_caveat() const { return kernel_caveat_; }
  uint64_t lost() const { return lost_; }            // records the kernel dropped (ring full)
  uint64_t throttled() const { return throttled_; }  // times the kernel throttled sampling
  int frequency_hz() const { return setup_.frequency_hz; }
  /// Non-empty when the threads view was sampled per task (without the machine view).
  const std::string& threads_caveat() const { return threads_caveat_; }

 private:
  struct Tally {
    SampleView view;
    std::map<std::pair<const std::string*, Bucket>, uint64_t> functions;
  };
  void open_machine(const std::vector<int>& cpus);
  void open_threads(const std::vector<pid_t>& tids, const std::vector<int>& cpus);
  void read_loop();
  void drain_all();
  void on_record(const perf_event_header& header, const uint8_t* record, bool machine);
  std::optional<Bucket> kernel_bucket(const std::string* function);
  static std::optional<SampleView> finished(const Tally& tally, bool available);

  SamplerSetup setup_;
  PerfFds fds_;
  std::vector<std::unique_ptr<SampleRing>> rings_;
  size_t machine_rings_ = 0;  // the first ones: one per CPU
  std::unordered_set<pid_t> tids_;
  pid_t self_ = 0;
  KernelSymbols kernel_;
  UserSymbols user_;
  std::unordered_map<const std::string*, std::optional<Bucket>> kernel_cache_;  // reader thread only
  Tally threads_, machine_;                                                     // reader thread until finish()
  uint64_t lost_ = 0, throttled_ = 0;
  std::string threads_reason_, machine_reason_, kernel_caveat_, threads_caveat_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  bool finished_ = false;
};

}  // namespace copybench
