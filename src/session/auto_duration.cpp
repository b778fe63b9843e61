#include "session/auto_duration.h"

#include <cmath>
#include <numeric>

namespace copybench {
namespace {

// Student t(0.975, df) for the small samples the rule uses; 1.96 beyond the table.
double t_975(int df) {
  static constexpr double kTable[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                      2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
  return df >= 1 && df <= 20 ? kTable[df] : 1.96;
}

}  // namespace

bool StabilityDetector::add(double rate, int64_t elapsed_ns) {
  rates_.push_back(rate);
  while (static_cast<int>(rates_.size()) > rule_.window_intervals) rates_.pop_front();
  const int n = static_cast<int>(rates_.size());
  if (n < rule_.window_intervals) return false;
  double mean = std::accumulate(rates_.begin(), rates_.end(), 0.0) / n;
  double sq = 0;
  for (double r : rates_) sq += (r - mean) * (r - mean);
  double sd = std::sqrt(sq / (n - 1));
  last_half_width_ = mean > 0 ? t_975(n - 1) * sd / std::sqrt(n) / mean : 1.0;
  return elapsed_ns >= rule_.min_ns && mean > 0 && last_half_width_ <= rule_.tolerance;
}

}  // namespace copybench
