#pragma once
// A side's --profile figures as plain data: counted kernel events and cpu-clock samples by
// bucket, over the profiled slices of the window (METHODOLOGY.md section 20). Unknown values
// are null with a reason, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace copybench {

/// One kernel event (tracepoint or kprobe) in one scope, summed over the profiled slices.
struct EventFigure {
  std::string name;   // "skb:skb_copy_datagram_iovec", "kprobe:_copy_from_iter"
  std::string key;    // column stem: "rx_copies"
  std::string scope;  // threads (the side's test threads) | system (the whole machine)
  std::optional<uint64_t> count;
  std::string reason;  // why count is null, or a caveat
};

struct BucketFigure {
  std::string key;  // cpu_buckets.h key: "copy_to_user"
  uint64_t samples = 0;
  std::optional<double> pct;  // of the view's samples; null when the bucket cannot be known
};

struct FunctionFigure {
  std::string function;
  std::string bucket;  // key
  uint64_t samples = 0;
  double pct = 0;
};

/// cpu-clock samples of one view: the side's test threads, or the whole machine.
struct SampleFigures {
  int hz = 0;  // samples per second of CPU time
  uint64_t samples = 0;
  uint64_t kernel_samples = 0;
  std::vector<BucketFigure> buckets;  // every bucket, in cpu_buckets.h order
  std::vector<FunctionFigure> top;    // at most 10, most samples first
};

struct ProfileFigures {
  int64_t slice_ns = 0;
  int slices_on = 0, slices_off = 0;
  int64_t on_ns = 0, off_ns = 0;  // time with the profile on and off, inside the window
  uint64_t on_bytes = 0, off_bytes = 0, on_messages = 0, off_messages = 0;
  bool zerocopy_sends = false;      // this side's sends used MSG_ZEROCOPY (pages pinned, not copied)
  std::vector<EventFigure> events;  // threads scope first, then system
  std::optional<SampleFigures> threads, machine;
  std::string threads_reason, machine_reason;  // why a view is null
  std::string kernel_caveat;                   // kernel samples could not be placed: kernel buckets are null
  std::string threads_caveat;                  // how the threads view may be skewed (sampled per task)
  uint64_t samples_lost = 0, throttled = 0;

  const EventFigure* event(const std::string& key, const std::string& scope) const;
};

/// Throughput lost while profiling: (off rate - on rate) / off rate * 100, each rate this
/// side's bytes per second in its slices; null (with *why) without both kinds of slice.
std::optional<double> profile_overhead_pct(const ProfileFigures& p, std::string* why);

/// An event's count per message (or per KiB) of this side in the profiled slices.
std::optional<double> event_per_msg(const ProfileFigures& p, const std::string& key, const std::string& scope);
std::optional<double> event_per_kib(const ProfileFigures& p, const std::string& key, const std::string& scope);

/// Copy operations observed per message on the side's threads: receive copies plus send-side
/// copies (kprobes where there are; else tcp_sendmsg_locked chunks when the sends copy);
/// null with *why when a part is unknown.
std::optional<double> copies_per_msg(const ProfileFigures& p, std::string* why);

/// The share of a view's samples in the copy buckets; null (with *why) when unknown.
std::optional<double> copies_pct(const ProfileFigures& p, bool machine, std::string* why);

/// A bucket's share of a view (by key); null when the view or the bucket is unknown.
std::optional<double> bucket_pct(const ProfileFigures& p, bool machine, const std::string& key);

}  // namespace copybench
