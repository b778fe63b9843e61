#pragma once
// `--duration auto`: end the window once the rate is stable instead of after a fixed time.
// The coordinator feeds the rate of each short interval; the window may end when the last
// intervals' 95% confidence interval of the mean is within a tolerance of the mean (a steady
// rate, measured well enough), never before a minimum and never after the ceiling.
#include <cstdint>
#include <deque>

namespace copybench {

struct StabilityRule {
  int64_t interval_ns = 250'000'000;  // one rate sample per interval
  int window_intervals = 8;           // the last 2 s decide
  double tolerance = 0.02;            // CI half-width / mean
  int64_t min_ns = 2'000'000'000;     // never shorter than this
};

class StabilityDetector {
 public:
  explicit StabilityDetector(StabilityRule rule = {}) : rule_(rule) {}

  /// One interval's rate (any unit); returns true once the window may end.
  bool add(double rate, int64_t elapsed_ns);

  /// The last decision's relative CI half-width (0 until enough intervals).
  double relative_half_width() const { return last_half_width_; }
  const StabilityRule& rule() const { return rule_; }

 private:
  StabilityRule rule_;
  std::deque<double> rates_;
  double last_half_width_ = 0;
};

}  // namespace copybench
