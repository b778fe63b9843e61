#pragma once
// The statistics of a comparison of two sets of runs (issue 32, `copybench compare`): the
// Mann-Whitney U test as SciPy's mannwhitneyu computes it by default (two-sided, exact or
// asymptotic by the same rule), a seeded bootstrap interval of the ratio of two medians, the
// geometric mean of ratios, and how many runs a test needs before it can find anything.
// tests/stats_test.cpp checks the U test against values SciPy computed once (tests/data/).
#include <cstdint>
#include <optional>
#include <vector>

namespace copybench::report {

/// The median of `values` (at least one): the middle one, or the mean of the middle two.
double median_of(std::vector<double> values);

enum class UMethod { exact, asymptotic };

struct UTest {
  double u1 = 0;  // U of the first sample: how many (x, y) pairs have x > y, ties counted half
  double p_value = 1;
  UMethod method = UMethod::exact;
};

/// The two-sided Mann-Whitney U test of `x` against `y` (each at least one value), as
/// scipy.stats.mannwhitneyu(x, y) with its defaults: the exact distribution of U when either
/// sample has at most 8 values and no value is tied, else the normal approximation with the tie
/// correction and the continuity correction. p is at most 1; every value equal gives 1.
UTest mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

/// The smallest two-sided p an exact U test of n1 against n2 untied values can give:
/// 2 / C(n1 + n2, n1), at most 1. Where it exceeds alpha no difference can be significant.
double smallest_p(int n1, int n2);

/// The fewest runs per input (equal counts) at which a U test can reach `alpha`: 4 at 0.05.
int runs_needed(double alpha);

struct RatioInterval {
  double low = 0, high = 0;
};

/// The 95% percentile bootstrap interval of median(b) / median(a): `resamples` times, each
/// sample drawn again with replacement (std::mt19937_64 seeded with `seed`, an index as
/// draw % n, so the same inputs and seed give the same interval on every machine). nullopt when
/// a sample has a single value (nothing to resample) or a resampled median of `a` is 0.
std::optional<RatioInterval> bootstrap_ratio(const std::vector<double>& a, const std::vector<double>& b, uint64_t seed,
                                             int resamples = 10000);

/// exp(mean(log r)) of positive ratios; nullopt when there are none.
std::optional<double> geometric_mean(const std::vector<double>& ratios);

}  // namespace copybench::report
