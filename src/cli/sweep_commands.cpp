// `sweep`, `report` and `cleanup`: a grid of runs, its report again, and what a killed one left.
#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/sweep_options.h"
#include "core/error.h"
#include "net/netns.h"
#include "report/fleet.h"
#include "report/report.h"
#include "sweep/sweep.h"

namespace copybench {
namespace {

class SweepCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "sweep",
        "run a grid of tests (strategies x sizes x threads x modes, repeated) and write CSV, JSON, plots and a report");
    add_sweep_options(cmd, options_);
    return cmd;
  }
  int run(const Invocation& call) override { return run_sweep(options_.options(), call.signals); }

 private:
  SweepCliOptions options_;
};

class ReportCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd =
        app.add_subcommand("report",
                           "rebuild summary.csv, plots and report.md of a sweep folder from its runs.csv, or of a "
                           "fleet folder (with a fleet.json) from its pairs' sweeps");
    cmd->add_option("dir", dir_, "the sweep's or fleet's folder")->required();
    return cmd;
  }

  int run(const Invocation&) override {
    if (report::is_fleet_folder(dir_)) return run_fleet();
    auto outcome = write_report(dir_);
    if (!outcome.warning.empty()) fmt::print(stderr, "copybench: warning: {}\n", outcome.warning);
    int plots = 0;
    for (const auto& file : outcome.files_written) {
      if (file.ends_with(".png")) ++plots;
      else if (!file.ends_with(".svg") && !file.ends_with(".dat") && !file.ends_with(".gp"))
        fmt::print("wrote {}\n", file);
    }
    fmt::print("wrote {} plots (PNG and SVG, with their data and gnuplot scripts) in {}/plots\n", plots, dir_);
    if (!outcome.note.empty()) fmt::print(stderr, "copybench: {}\n", outcome.note);
    fmt::print("{} runs, {} failed\n", outcome.runs, outcome.failed_runs);
    return 0;
  }

 private:
  // A fleet folder: each pair's report, then the fleet's (report/fleet.h).
  int run_fleet() {
    auto outcome = report::write_fleet_report(dir_);
    for (const auto& warning : outcome.warnings) fmt::print(stderr, "copybench: warning: {}\n", warning);
    int plots = 0;
    for (const auto& file : outcome.files_written) {
      if (file.ends_with(".png")) ++plots;
      else if (file.ends_with(".csv") || file.ends_with(".md")) fmt::print("wrote {}\n", file);
    }
    fmt::print("wrote {} heatmaps (PNG and SVG, with their data and gnuplot scripts) in {}/plots\n", plots, dir_);
    if (!outcome.note.empty()) fmt::print(stderr, "copybench: {}\n", outcome.note);
    fmt::print("{} pairs: {} measured, {} failed, {} with a fault in their folder\n", outcome.pairs,
               outcome.pairs_measured, outcome.pairs_failed, outcome.pairs_faulty);
    return 0;
  }

  std::string dir_;
};

class CleanupCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    return app.add_subcommand("cleanup", "remove network namespaces left behind by a killed copybench");
  }

  int run(const Invocation&) override {
    if (::geteuid() != 0) throw Error("removing network namespaces needs root");
    auto removed = cleanup_stale_namespaces();
    for (const auto& name : removed) fmt::print("removed {}\n", name);
    auto left = list_copybench_namespaces();
    fmt::print("{} namespace(s) removed; {} belong to running copybench processes\n", removed.size(), left.size());
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }
std::unique_ptr<Command> make_report_command() { return std::make_unique<ReportCommand>(); }
std::unique_ptr<Command> make_cleanup_command() { return std::make_unique<CleanupCommand>(); }

}  // namespace copybench
