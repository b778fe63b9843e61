// `compare OLD NEW [MORE...]`: what changed between sweeps, fleets or runs (report/compare.h).
#include <fmt/format.h>
#include <cmath>

#include "cli/commands.h"
#include "core/error.h"
#include "report/compare.h"

namespace copybench {
namespace {

// "5%" or "5": a percentage >= 0.
double parse_percent(std::string text, const std::string& option) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !std::isfinite(value) || value < 0)
    throw UsageError(fmt::format("{} takes a percentage of 0 or more, like 5%", option));
  return value;
}

report::KeyMask parse_ignore(const std::vector<std::string>& fields) {
  report::KeyMask mask;
  for (const auto& f : fields) {
    if (f == "strategy") mask.strategy = true;
    else if (f == "recv-strategy") mask.recv_strategy = true;
    else if (f == "recv-size") mask.recv_size = true;
    else if (f == "knobs") mask.knobs = true;
    else
      throw UsageError(
          fmt::format("--ignore {}: not a part of a cell (choose recv-size, recv-strategy, knobs or strategy)", f));
  }
  return mask;
}

class CompareCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "compare",
        "what changed between sweeps (folders), fleets (folders) or runs (JSON): each cell's medians, the change with "
        "its 95% bootstrap interval and a Mann-Whitney U p-value; each input after the first against the first");
    cmd->add_option("inputs", inputs_, "OLD NEW [MORE...]: sweep or fleet folders, or run JSON files")
        ->required()
        ->expected(2, 1 << 20);
    cmd->add_option("--alpha", alpha_, "significance level: a change is significant when p < alpha")
        ->capture_default_str();
    cmd->add_option("--fail-on", fail_on_,
                    "exit 1 when a cell's primary metric got significantly worse by more than this, e.g. 5% "
                    "(throughput unpaced, sender CPU per byte at a --rate, rr's p50)");
    cmd->add_option("--ignore", ignore_,
                    "match cells that differ only in these: recv-size, recv-strategy, knobs, strategy")
        ->delimiter(',');
    cmd->add_option("--seed", seed_, "seed of the bootstrap intervals")->capture_default_str();
    cmd->add_option("-o,--out", out_, "also write compare.md, compare.csv and plots/ in this folder");
    return cmd;
  }

  int run(const Invocation&) override {
    if (!(alpha_ > 0 && alpha_ < 1))
      throw UsageError(fmt::format("--alpha {} is out of range (between 0 and 1)", alpha_));
    report::CompareRequest request;
    request.inputs = inputs_;
    request.mask = parse_ignore(ignore_);
    request.options.alpha = alpha_;
    request.options.seed = seed_;
    request.out_dir = out_;
    if (!fail_on_.empty()) request.fail_on_pct = parse_percent(fail_on_, "--fail-on");
    auto outcome = report::run_compare(request);
    for (const auto& w : outcome.warnings) fmt::print(stderr, "copybench: warning: {}\n", w);
    fmt::print("{}", outcome.table);
    for (const auto& file : outcome.files_written)
      if (file.ends_with(".md") || file.ends_with(".csv")) fmt::print("wrote {}\n", file);
    if (!outcome.note.empty()) fmt::print(stderr, "copybench: {}\n", outcome.note);
    for (const auto& line : outcome.regressions) fmt::print(stderr, "copybench: compare: {}\n", line);
    return outcome.regressions.empty() ? 0 : 1;
  }

 private:
  std::vector<std::string> inputs_;
  double alpha_ = 0.05;
  std::string fail_on_;
  std::vector<std::string> ignore_;
  uint64_t seed_ = 1;
  std::string out_;
};

}  // namespace

std::unique_ptr<Command> make_compare_command() { return std::make_unique<CompareCommand>(); }

}  // namespace copybench
