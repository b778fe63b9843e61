#pragma once
// The study's questions answered from a Summary: pure functions, no I/O, no formatting of
// prose (markdown.cpp words them). Two figures are told apart only when their intervals
// (summary.h interval(): the 95% CI, or the value for a single run) do not overlap.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/summary.h"

namespace copybench::report {

/// How a challenger compares with a baseline at one size.
enum class Order { behind, tie, ahead };

/// ahead: the challenger's interval lies wholly above the baseline's; behind: wholly below;
/// tie: they overlap.
Order compare(const Stats& challenger, const Stats& baseline);

struct SizeComparison {
  uint64_t message_bytes = 0;
  double challenger = 0, baseline = 0;  // medians
  Order order = Order::tie;
};

struct Crossover {
  enum class Kind {
    overtakes,               // behind at `below_bytes`, ahead at the next size `above_bytes`
    overtakes_within_noise,  // behind at `below_bytes`, ahead at `above_bytes`, tied in between
    always_ahead,            // ahead at every size told apart (ties listed in `sizes`)
    always_behind,           // behind at every size told apart
    always_tied,             // no size told apart
    falls_behind,            // ahead at `below_bytes`, behind from `above_bytes`, never back ahead
    too_few_sizes,           // fewer than two sizes measured for both
  };
  std::string topology;
  int threads = 0;
  std::string challenger, baseline;
  std::vector<SizeComparison> sizes;  // ascending
  Kind kind = Kind::too_few_sizes;
  uint64_t below_bytes = 0, above_bytes = 0;
  /// overtakes only: where the median difference reaches zero, interpolated linearly in
  /// log2(size) between below_bytes and above_bytes.
  std::optional<double> at_bytes;

  /// Sizes at which the two are tied.
  std::vector<uint64_t> tied_sizes() const;
};

/// The first change from behind to ahead along `sizes` (sorted here by size).
Crossover find_crossover(std::vector<SizeComparison> sizes);

/// Stream mode, receiver_throughput_gbps medians: for each topology and thread count, each
/// pair of strategies measured, the later one in the registry's order as the challenger
/// (one-copy over two-copy, zero-copy over two-copy, zero-copy over one-copy).
std::vector<Crossover> stream_crossovers(const Summary& summary);

/// The best thread count of one strategy at one size: the highest median of `metric`.
struct BestThreads {
  std::string topology, mode, strategy;
  uint64_t message_bytes = 0;
  std::optional<uint64_t> response_bytes;
  int threads = 0;
  double median = 0;
  std::vector<int> tied_threads;      // other thread counts whose interval overlaps the best's
  std::vector<int> measured_threads;  // ascending
};

/// For every (topology, strategy, size) of `mode` measured at two or more thread counts.
std::vector<BestThreads> best_thread_counts(const Summary& summary, std::string_view mode, std::string_view metric);

/// rr mode: the strategy with the lowest receiver_latency_p50_us (the requester's round trip)
/// at one (topology, threads, request size, response size).
struct LowestLatency {
  std::string topology;
  int threads = 0;
  uint64_t message_bytes = 0;
  std::optional<uint64_t> response_bytes;
  std::string strategy;
  double p50_us = 0;
  std::vector<std::string> tied;  // strategies whose interval overlaps the best's
  int strategies_measured = 0;
};
std::vector<LowestLatency> lowest_rr_latency(const Summary& summary);

/// Stream mode: the strategy (data path) with the highest median receiver_throughput_gbps at
/// one (topology, threads, message size), and those tied with it: who wins at each size.
struct BestStrategy {
  std::string topology;
  int threads = 0;
  uint64_t message_bytes = 0;
  std::string strategy;
  double median = 0;
  std::vector<std::string> tied;  // strategies whose interval overlaps the best's
  int strategies_measured = 0;
};
std::vector<BestStrategy> best_stream_strategies(const Summary& summary);

/// Where io_uring's batching pays: uring (8 SQEs, one io_uring_enter per message) against
/// two-copy (8 send() calls) at one (topology, threads, size), stream mode.
struct UringBatching {
  std::string topology;
  int threads = 0;
  uint64_t message_bytes = 0;
  double uring_gbps = 0, two_copy_gbps = 0;           // medians
  std::optional<double> uring_calls, two_copy_calls;  // sender_calls_per_msg medians
  int verdict = 0;                                    // +1 uring ahead, -1 behind, 0 tied (intervals overlap)
};
std::vector<UringBatching> uring_batching(const Summary& summary);

/// receiver_zc_mapped_pct of every zerocopy-recv point: how much the kernel mapped.
struct MappedShare {
  std::string topology, strategy;  // strategy: "send+zerocopy-recv"
  int threads = 0;
  uint64_t message_bytes = 0;
  double min_pct = 0, max_pct = 0;  // over single runs
};
std::vector<MappedShare> mapped_shares(const Summary& summary);

/// zc_copied_pct over every zero-copy run of a topology.
struct ZeroCopyShare {
  std::string topology;
  int points = 0, runs = 0;
  double min_pct = 0, max_pct = 0;  // over single runs
};
std::vector<ZeroCopyShare> zero_copy_shares(const Summary& summary);

/// What the share means on that topology, in one or two sentences.
std::string zero_copy_meaning(const ZeroCopyShare& share);

}  // namespace copybench::report
