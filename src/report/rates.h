#pragma once
// The question at a rate: with every data path held to the same --rate, which one costs each
// side the least CPU per byte (the way zero-copy is judged on a real NIC, where every path
// reaches line rate and only the CPU differs). From the Summary's points of each rate; ties and
// "did not hold the rate" as the report's other answers say them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/plots.h"
#include "report/summary.h"

namespace copybench::report {

/// One configuration at one rate (or flat out, rate_bps 0) and one side's CPU figure.
struct CheapestAtRate {
  std::string topology;
  int threads = 0;
  uint64_t message_bytes = 0;
  uint64_t rate_bps = 0;              // 0: flat out
  std::string side;                   // "sender", "receiver" or "machine" (the sender's machine, all CPUs)
  std::string strategy;               // the cheapest path among those that held the rate
  Stats cost;                         // its CPU ns per byte
  std::vector<std::string> tied;      // paths whose interval overlaps the cheapest's
  std::vector<std::string> not_held;  // paths whose receiver throughput missed the rate by more than 2%
  int compared = 0;                   // paths that held the rate, the cheapest among them
};

/// Whether a point's median receiver throughput is within 2% of its rate (true when unpaced).
bool held_rate(const SummaryPoint& p);

/// Every stream configuration of a sweep with a --rate among its points, at each of its rates
/// and flat out, for the sender's, the receiver's and the sender machine's CPU per byte.
std::vector<CheapestAtRate> cheapest_at_rate(const Summary& summary);

/// report.md's "CPU at a rate" section; empty when no point was paced.
std::string rate_section(const Summary& summary);

/// CPU per byte against the achieved rate, per data path (solid: sender, dashed: receiver), one
/// panel per thread count and size; null when the topology has no paced point.
std::optional<Figure> cpu_at_rate_figure(const Summary& summary, const std::string& topology);

}  // namespace copybench::report
