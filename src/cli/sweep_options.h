#pragma once
// `copybench sweep`'s command line: its options as typed, and their conversion and checks.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "run/sweep.h"

namespace copybench {

// `sweep`'s options as typed: lists are comma-separated.
struct SweepCliOptions {
  std::vector<std::string> strategies, recvs, sizes, modes;
  std::vector<int> threads;
  int reps = -1;
  std::string duration, warmup, response_size;
  std::string topology;
  std::string pin;
  int mtu = 1500;
  long optmem_max = -1;
  std::string host;
  uint16_t port = 7470;
  uint64_t seed = 0;
  bool seed_given = false;
  bool quick = false, verify = false, no_counters = false, no_latency = false, quiet = false;
  bool profile = false;
  std::string out, resume;
  const CLI::App* cmd = nullptr;

  bool given(const char* option) const { return cmd->count(option) > 0; }

  /// The grid, topology and output as SweepOptions; throws UsageError naming a bad combination.
  SweepOptions options() const;

};

void add_sweep_options(CLI::App* cmd, SweepCliOptions& o);

}  // namespace copybench
