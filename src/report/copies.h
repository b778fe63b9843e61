#pragma once
// The study's "where are the copies" questions answered from a Summary of --profile runs:
// pure functions, no I/O (copies_text.cpp words them). A copy stage counts as present at a
// point when its bucket holds at least kStagePct of a side's CPU samples (median over the
// runs): less is a trace (a stray memcpy), not a pass over the payload.
#include <optional>
#include <string>
#include <vector>

#include "report/summary.h"
#include "results/result.h"

namespace copybench::report {

inline constexpr double kStagePct = 1.0;

/// The --profile metrics summarize() adds: copies per message, CPU in copies, every bucket's
/// share and the profile's overhead, for both sides.
std::vector<std::string> profile_summary_metrics();

/// `base` followed by profile_summary_metrics().
std::vector<std::string> with_profile_metrics(const std::vector<std::string>& base);

/// One copy stage of the data path: a copy bucket on one side.
struct CopyStage {
  std::string bucket;     // cpu_buckets.h key: "copy_to_kernel"
  std::string component;  // who copies, in words: "the send system call (..._copy_from_iter)"
  Side side = Side::sender;
  double median_pct = 0;  // of that side's samples
};

/// A stream point with profile figures.
struct PointCopies {
  PointKey key;
  std::optional<double> sender_copies_per_msg, receiver_copies_per_msg;  // medians
  std::vector<CopyStage> stages;       // present stages (>= kStagePct), in data-path order
  int passes = 0;                      // distinct copy buckets among the stages
  std::optional<double> overhead_pct;  // receiver's profile overhead, median
};

/// Every stream point that has CPU-bucket shares, in the summary's order.
std::vector<PointCopies> point_copies(const Summary& summary);

/// The component that performs a copy bucket's copies, in words.
std::string copy_component(const std::string& bucket);

}  // namespace copybench::report
