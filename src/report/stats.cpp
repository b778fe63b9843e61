#include "report/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace copybench::report {
namespace {

// Average ranks (1-based) of the values, ties sharing the mean of their places, as
// scipy.stats.rankdata; `tie_term` gets the sum of t^3 - t over the groups of t tied values.
std::vector<double> average_ranks(const std::vector<double>& values, double& tie_term) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  tie_term = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i + j) + 2) / 2;  // places i+1 .. j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranks;
}

// How many of the C(m+n, m) orderings of m and n untied values give U = k, for k = 0..m*n:
// the coefficients of the Gaussian binomial, the product over i = 1..m of
// (1 - q^(n+i)) / (1 - q^i), multiplied in and divided out one factor at a time.
std::vector<double> u_counts(int m, int n) {
  if (m > n) std::swap(m, n);  // the same distribution, fewer factors
  std::vector<double> c(static_cast<size_t>(m) * n + 1, 0.0);
  c[0] = 1;
  for (int i = 1; i <= m; ++i) {
    const size_t up = static_cast<size_t>(n + i), down = static_cast<size_t>(i);
    for (size_t k = c.size(); k-- > up;) c[k] -= c[k - up];
    for (size_t k = down; k < c.size(); ++k) c[k] += c[k - down];
  }
  return c;
}

// P(U >= u) under the null hypothesis, exactly.
double exact_sf(double u, int m, int n) {
  const auto counts = u_counts(m, n);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double tail = 0;
  for (size_t k = static_cast<size_t>(std::ceil(u)); k < counts.size(); ++k) tail += counts[k];
  return tail / total;
}

// Quantile q of sorted values, interpolated between neighbours (numpy's default).
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

double resampled_median(const std::vector<double>& values, std::mt19937_64& rng, std::vector<double>& scratch) {
  scratch.resize(values.size());
  for (auto& v : scratch) v = values[rng() % values.size()];
  return median_of(scratch);
}

}  // namespace

double median_of(std::vector<double> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  if (values.size() % 2) return values[mid];
  const double upper = values[mid];
  return (*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

UTest mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  const int n1 = static_cast<int>(x.size()), n2 = static_cast<int>(y.size());
  std::vector<double> both(x);
  both.insert(both.end(), y.begin(), y.end());
  double tie_term = 0;
  const auto ranks = average_ranks(both, tie_term);
  const double r1 = std::accumulate(ranks.begin(), ranks.begin() + n1, 0.0);
  UTest t;
  t.u1 = r1 - static_cast<double>(n1) * (n1 + 1) / 2;
  const double u = std::max(t.u1, static_cast<double>(n1) * n2 - t.u1);  // two-sided: the larger U
  t.method = (n1 > 8 && n2 > 8) || tie_term > 0 ? UMethod::asymptotic : UMethod::exact;
  double sf = 0;
  if (t.method == UMethod::exact) {
    sf = exact_sf(u, n1, n2);
  } else {
    const double n = n1 + n2, mu = static_cast<double>(n1) * n2 / 2;
    const double s = std::sqrt(static_cast<double>(n1) * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    const double z = (u - mu - 0.5) / s;  // every value tied: s = 0, z = -inf, sf = 1
    sf = std::erfc(z / std::sqrt(2.0)) / 2;
  }
  t.p_value = std::clamp(2 * sf, 0.0, 1.0);
  return t;
}

double smallest_p(int n1, int n2) {
  double orderings = 1;  // C(n1 + n2, n1), built up as a product
  for (int i = 1; i <= n1; ++i) orderings = orderings * (n2 + i) / i;
  return std::min(1.0, 2 / orderings);
}

int runs_needed(double alpha) {
  int n = 1;
  while (n < 1000 && smallest_p(n, n) > alpha) ++n;
  return n;
}

std::optional<RatioInterval> bootstrap_ratio(const std::vector<double>& a, const std::vector<double>& b, uint64_t seed,
                                             int resamples) {
  if (a.size() < 2 || b.size() < 2 || resamples < 1) return std::nullopt;
  std::mt19937_64 rng(seed);
  std::vector<double> ratios, scratch;
  ratios.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    const double old_median = resampled_median(a, rng, scratch);
    const double new_median = resampled_median(b, rng, scratch);
    if (old_median == 0) return std::nullopt;
    ratios.push_back(new_median / old_median);
  }
  std::sort(ratios.begin(), ratios.end());
  return RatioInterval{quantile(ratios, 0.025), quantile(ratios, 0.975)};
}

std::optional<double> geometric_mean(const std::vector<double>& ratios) {
  double sum = 0;
  int n = 0;
  for (double r : ratios)
    if (r > 0 && std::isfinite(r)) sum += std::log(r), ++n;
  if (n == 0) return std::nullopt;
  return std::exp(sum / n);
}

}  // namespace copybench::report
