#pragma once
// Sweep progress on stderr: a bar redrawn in place on a terminal, one plain line per run
// otherwise (logs, CI), or nothing (--quiet).
#include <cstddef>
#include <cstdint>
#include <string>

#include "results/result.h"
#include "sweep/sweep_plan.h"

namespace copybench {

class Progress {
 public:
  enum class Style { bar, lines, none };
  /// bar when stderr is a terminal, lines when not, none when quiet.
  static Style style_for(bool quiet);

  Progress(Style style, size_t total, int64_t planned_ns_per_run);
  void begin(const PlannedRun& run, size_t done);
  void end(const PlannedRun& run, const RunResult& result, size_t done);
  void note(const std::string& line);  // a line that must not be overdrawn
  void finish();

 private:
  std::string eta(size_t done) const;
  void draw(const std::string& text);

  Style style_;
  size_t total_;
  int64_t planned_ns_per_run_;
  int64_t start_ns_;
  size_t finished_here_ = 0;  // runs finished by this process (a resumed sweep skips some)
  bool line_open_ = false;
};

}  // namespace copybench
