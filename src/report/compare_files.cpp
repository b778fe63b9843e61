// run_compare: the inputs read, compared and written, for `copybench compare` and
// `sweep --compare-to`.
#include <fmt/format.h>
#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "report/compare.h"
#include "report/report.h"

namespace copybench::report {
namespace {

std::string data_paths(const CompareInput& in) {
  std::vector<std::string> paths;
  for (const auto& p : in.summary.points)
    if (std::find(paths.begin(), paths.end(), p.key.strategy) == paths.end()) paths.push_back(p.key.strategy);
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// No cell in common: the inputs measured different things, or name them differently.
void check_common(const Comparison& c, const CompareInput& old_input, const CompareInput& new_input) {
  if (!c.cells.empty()) return;
  throw UsageError(fmt::format(
      "{} and {} have no cell in common (data paths {} against {}; cells are matched on data path, mode, sizes, "
      "threads and rate: --ignore recv-size,recv-strategy,knobs,strategy matches cells that differ only in those)",
      old_input.source, new_input.source, data_paths(old_input), data_paths(new_input)));
}

// Inputs of one name (a/run and b/run, or one folder twice) are told apart by their place.
void distinguish_names(std::vector<CompareInput>& inputs) {
  std::vector<std::string> names;
  for (const auto& in : inputs) names.push_back(in.name);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (std::count(names.begin(), names.end(), names[i]) > 1) inputs[i].name = fmt::format("#{} {}", i + 1, names[i]);
}

void count(CompareOutcome& outcome, const std::vector<Comparison>& comparisons) {
  for (const auto& c : comparisons)
    for (const auto& cell : c.cells) {
      ++outcome.cells;
      for (const auto& m : cell.metrics) outcome.significant += m.significant ? 1 : 0;
    }
}

void write_files(CompareOutcome& outcome, const std::vector<CompareInput>& inputs,
                 const std::vector<Comparison>& comparisons, const CompareRequest& request) {
  const std::string& dir = request.out_dir;
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  if (made) throw Error(fmt::format("creating {}: {}", dir, made.message()));
  write_text_file(dir + "/compare.csv", render_compare_csv(comparisons), &outcome.files_written);
  auto plots = write_compare_plots(comparisons, dir + "/plots");
  std::vector<std::string> stems;
  for (const auto& entry : plots.entries)
    if (entry.rendered) stems.push_back(entry.stem);
  for (auto& file : plots.files_written) outcome.files_written.push_back(std::move(file));
  outcome.note = plots.note;
  write_text_file(dir + "/compare.md", render_compare_markdown(inputs, comparisons, request.options, stems),
                  &outcome.files_written);
}

}  // namespace

CompareOutcome run_compare(const CompareRequest& request) {
  if (request.inputs.size() < 2) throw UsageError("compare needs at least two inputs: OLD NEW [MORE...]");
  std::vector<CompareInput> inputs;
  for (const auto& path : request.inputs) inputs.push_back(read_compare_input(path, request.mask));
  distinguish_names(inputs);
  std::vector<Comparison> comparisons;
  for (size_t i = 1; i < inputs.size(); ++i) {
    comparisons.push_back(compare(inputs[0], inputs[i], request.options));
    check_common(comparisons.back(), inputs[0], inputs[i]);
  }
  CompareOutcome outcome;
  for (const auto& in : inputs)
    for (const auto& w : in.warnings) outcome.warnings.push_back(w);
  count(outcome, comparisons);
  outcome.table = render_compare_table(inputs, comparisons, request.options);
  if (!request.out_dir.empty()) write_files(outcome, inputs, comparisons, request);
  if (request.fail_on_pct)
    for (const auto& r : regressions(comparisons, *request.fail_on_pct))
      outcome.regressions.push_back(regression_line(r, *request.fail_on_pct));
  return outcome;
}

}  // namespace copybench::report
