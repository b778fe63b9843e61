// The comparison's statistics (report/stats.h) against SciPy: tests/data/mannwhitneyu_reference.json
// was computed once by scripts/make_stats_reference.py (scipy.stats.mannwhitneyu, defaults), with
// tiny samples, ties, every value equal, and both the exact and the asymptotic method.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "report/stats.h"

using namespace copybench::report;

namespace {

nlohmann::json reference() {
  std::ifstream in(COPYBENCH_SOURCE_DIR "/tests/data/mannwhitneyu_reference.json");
  EXPECT_TRUE(in) << "tests/data/mannwhitneyu_reference.json";
  return nlohmann::json::parse(in);
}

}  // namespace

TEST(MannWhitneyU, MatchesScipyOnEveryReferenceCase) {
  const auto ref = reference();
  ASSERT_GE(ref["cases"].size(), 15u);
  for (const auto& c : ref["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto t = mann_whitney_u(c["x"].get<std::vector<double>>(), c["y"].get<std::vector<double>>());
    EXPECT_DOUBLE_EQ(t.u1, c["u1"].get<double>());
    EXPECT_NEAR(t.p_value, c["p"].get<double>(), 1e-12 + 1e-9 * c["p"].get<double>());
  }
}

TEST(MannWhitneyU, ChoosesTheMethodAsScipyDoes) {
  EXPECT_EQ(mann_whitney_u({1, 2, 3}, {4, 5, 6}).method, UMethod::exact);
  EXPECT_EQ(mann_whitney_u({1, 2, 2}, {4, 5, 6}).method, UMethod::asymptotic) << "a tie";
  std::vector<double> a, b;
  for (int i = 0; i < 9; ++i) a.push_back(i), b.push_back(i + 0.5);
  EXPECT_EQ(mann_whitney_u(a, b).method, UMethod::asymptotic) << "both samples over 8";
  a.pop_back();
  EXPECT_EQ(mann_whitney_u(a, b).method, UMethod::exact) << "one sample of 8";
}

TEST(MannWhitneyU, TooFewRunsCanNeverBeSignificant) {
  EXPECT_DOUBLE_EQ(smallest_p(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(smallest_p(3, 3), 0.1);
  EXPECT_NEAR(smallest_p(4, 4), 2.0 / 70, 1e-15);
  EXPECT_EQ(runs_needed(0.05), 4);
  EXPECT_EQ(runs_needed(0.01), 5);  // 2 / C(10, 5) = 0.0079
  // The most separated samples reach exactly the smallest p.
  EXPECT_DOUBLE_EQ(mann_whitney_u({1, 2, 3}, {4, 5, 6}).p_value, smallest_p(3, 3));
}

TEST(Bootstrap, IsReproducibleAndBracketsTheRatio) {
  const std::vector<double> before = {10.0, 10.2, 9.9, 10.1, 10.3}, after = {12.1, 11.9, 12.0, 12.3, 11.8};
  auto one = bootstrap_ratio(before, after, 7), two = bootstrap_ratio(before, after, 7);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->low, two->low) << "the same seed, the same interval";
  EXPECT_EQ(one->high, two->high);
  const double ratio = median_of(after) / median_of(before);
  EXPECT_LE(one->low, ratio);
  EXPECT_GE(one->high, ratio);
  EXPECT_GT(one->low, 1.1) << "a 20% rise is not near 1";
  EXPECT_LT(one->high, 1.35);
}

TEST(Bootstrap, NeedsTwoRunsAndANonZeroBaseline) {
  EXPECT_FALSE(bootstrap_ratio({1.0}, {2.0, 3.0}, 1));
  EXPECT_FALSE(bootstrap_ratio({0.0, 0.0}, {2.0, 3.0}, 1));
  auto same = bootstrap_ratio({4.0, 4.0, 4.0}, {4.0, 4.0}, 1);
  ASSERT_TRUE(same);
  EXPECT_DOUBLE_EQ(same->low, 1.0);
  EXPECT_DOUBLE_EQ(same->high, 1.0);
}

TEST(GeometricMean, OfRatios) {
  EXPECT_NEAR(*geometric_mean({2.0, 0.5}), 1.0, 1e-12);
  EXPECT_NEAR(*geometric_mean({1.1, 1.1, 1.1}), 1.1, 1e-12);
  EXPECT_FALSE(geometric_mean({}));
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
}
