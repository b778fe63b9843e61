// The comparison as text: the stdout table, compare.md and compare.csv. Each table is built once
// (TextTable) and laid out as aligned columns or as Markdown.
#include <fmt/format.h>
#include <algorithm>
#include <filesystem>

#include "output/writers.h"
#include "report/compare.h"

namespace copybench::report {
namespace {

struct TextTable {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

const std::string& input_name(const CompareInput& in) { return in.name; }

std::string p_text(const MetricChange& m) { return fmt::format("p={:.3f} n={}+{}", m.test.p_value, m.old_n, m.new_n); }

// benchstat's delta: the change and its interval when significant, else "~" with why.
std::string delta_text(const MetricChange& m, double alpha) {
  if (m.runs_needed > 0)
    return fmt::format("~ ({}; p<{} needs {} runs each)", p_text(m), short_number(alpha), m.runs_needed);
  if (!m.significant) return fmt::format("~ ({})", p_text(m));
  std::string change = m.ratio ? change_text(*m.ratio) : "from 0";
  std::string interval =
      m.interval ? fmt::format(" [{}, {}]", change_text(m.interval->low), change_text(m.interval->high)) : "";
  return fmt::format("{}{} ({})", change, interval, p_text(m));
}

// "0.80 (-20%)": the geometric mean of the ratios, and as a change.
std::string geomean_text(const GeoMean& g) { return fmt::format("{:.2f} ({})", g.ratio, change_text(g.ratio)); }

const GeoMean* geomean_of(const Comparison& c, const std::string& path, const std::string& column) {
  for (const auto& g : c.geomeans)
    if (g.data_path == path && g.metric == column) return &g;
  return nullptr;
}

std::optional<TextTable> metric_table(const CompareMetric& metric, const std::vector<CompareInput>& inputs,
                                      const std::vector<Comparison>& comparisons, double alpha) {
  TextTable t{fmt::format("{} ({}, {} is better)", metric.title, metric.unit,
                          metric.better == Better::higher ? "higher" : "lower"),
              {"cell", input_name(inputs[0])},
              {}};
  for (size_t i = 1; i < inputs.size(); ++i) {
    t.header.push_back(input_name(inputs[i]));
    t.header.push_back("vs " + input_name(inputs[0]));
  }
  for (const auto& key : compared_cells(comparisons)) {
    std::vector<std::string> row = {cell_label(key), ""};
    bool any = false;
    for (const auto& c : comparisons) {
      const MetricChange* m = change_in(c, key, metric.column);
      if (m) row[1] = short_number(m->old_median), any = true;
      row.push_back(m ? short_number(m->new_median) : "");
      row.push_back(m ? delta_text(*m, alpha) : "");
    }
    if (any) t.rows.push_back(std::move(row));
  }
  if (t.rows.empty()) return std::nullopt;
  std::vector<std::string> geo = {"geomean", ""};
  for (const auto& c : comparisons) {
    const GeoMean* g = geomean_of(c, "", metric.column);
    geo.push_back("");
    geo.push_back(g ? geomean_text(*g) : "");
  }
  t.rows.push_back(std::move(geo));
  return t;
}

// Per data path, each metric's geometric mean of the ratios; one table per input after the first.
TextTable path_table(const Comparison& c, const std::string& old_name, const std::string& new_name) {
  TextTable t{
      fmt::format("{} against {}, geometric mean of the ratios per data path", new_name, old_name), {"data path"}, {}};
  std::vector<std::string> columns, paths;
  for (const auto& metric : compare_metrics())
    if (geomean_of(c, "", metric.column)) columns.push_back(metric.column), t.header.push_back(metric.title);
  for (const auto& g : c.geomeans)
    if (std::find(paths.begin(), paths.end(), g.data_path) == paths.end()) paths.push_back(g.data_path);
  for (const auto& path : paths) {
    std::vector<std::string> row = {path.empty() ? "all cells" : path};
    for (const auto& column : columns) {
      const GeoMean* g = geomean_of(c, path, column);
      row.push_back(g ? fmt::format("{}, {} cells", geomean_text(*g), g->cells) : "");
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<TextTable> tables(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                              double alpha) {
  std::vector<TextTable> out;
  for (const auto& metric : compare_metrics())
    if (auto t = metric_table(metric, inputs, comparisons, alpha)) out.push_back(std::move(*t));
  for (size_t i = 0; i < comparisons.size(); ++i)
    out.push_back(path_table(comparisons[i], input_name(inputs[0]), input_name(inputs[i + 1])));
  return out;
}

std::string aligned(const TextTable& t) {
  std::vector<size_t> width(t.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(t.header);
  for (const auto& row : t.rows) measure(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (size_t i = 0; i < row.size(); ++i) out += fmt::format("{:<{}}", row[i], i + 1 < row.size() ? width[i] + 2 : 0);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = t.title + "\n" + line(t.header);
  for (const auto& row : t.rows) out += line(row);
  return out + "\n";
}

std::string markdown(const TextTable& t, bool heading = true) {
  auto line = [](const std::vector<std::string>& row) {
    std::string out = "|";
    for (const auto& cell : row) out += " " + cell + " |";
    return out + "\n";
  };
  std::string out = (heading ? "### " + t.title + "\n\n" : "") + line(t.header) + "|";
  for (size_t i = 0; i < t.header.size(); ++i) out += i ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : t.rows) out += line(row);
  return out + "\n";
}

TextTable differences_table(const std::vector<CompareInput>& inputs) {
  TextTable t{"What differs between the inputs", {"fact"}, {}};
  for (const auto& in : inputs) t.header.push_back(input_name(in));
  for (const auto& d : fact_differences(inputs)) {
    std::vector<std::string> row = {d.name};
    for (const auto& v : d.values) row.push_back(v.empty() ? "(not recorded)" : v);
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string inputs_text(const std::vector<CompareInput>& inputs, const std::string& bullet) {
  std::string out;
  for (const auto& in : inputs)
    out += fmt::format("{}{}: {} ({}, {} runs, {} failed, {} cells)\n", bullet, input_name(in), in.source,
                       input_kind_name(in.kind), in.summary.runs, in.summary.failed_runs, in.summary.points.size());
  return out;
}

std::string one_side_text(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                          const std::string& bullet) {
  std::string out;
  for (size_t i = 0; i < comparisons.size(); ++i) {
    for (const auto& key : comparisons[i].only_old)
      out += fmt::format("{}only in {}: {}\n", bullet, input_name(inputs[0]), cell_label(key));
    for (const auto& key : comparisons[i].only_new)
      out += fmt::format("{}only in {}: {}\n", bullet, input_name(inputs[i + 1]), cell_label(key));
  }
  return out;
}

std::string method_text(const CompareOptions& o) {
  return fmt::format(
      "Each figure is the median of a cell's ok runs. The change is NEW/OLD - 1, with its 95% percentile bootstrap "
      "interval ({} resamples, seed {}); p is the two-sided Mann-Whitney U test's (exact under 9 untied values, else "
      "normal with tie and continuity corrections, as SciPy's mannwhitneyu). \"~\": not significant at alpha {}, or "
      "too few runs for any p below it (3 runs against 3 cannot reach 0.05; 4 against 4 can).\n",
      o.resamples, o.seed, short_number(o.alpha));
}

}  // namespace

std::string render_compare_table(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                                 const CompareOptions& options) {
  std::string out = inputs_text(inputs, "");
  auto diff = differences_table(inputs);
  out += "\n" + (diff.rows.empty() ? diff.title + ": nothing recorded differs\n\n" : aligned(diff));
  for (const auto& t : tables(inputs, comparisons, options.alpha)) out += aligned(t);
  out += one_side_text(inputs, comparisons, "");
  return out;
}

std::string render_compare_markdown(const std::vector<CompareInput>& inputs, const std::vector<Comparison>& comparisons,
                                    const CompareOptions& options, const std::vector<std::string>& plots) {
  std::string out = "# copybench compare\n\n## Inputs\n\n" + inputs_text(inputs, "- ");
  for (const auto& in : inputs)
    for (const auto& w : in.warnings) out += "- warning: " + w + "\n";
  auto diff = differences_table(inputs);
  out += "\n## " + diff.title + "\n\n";
  if (diff.rows.empty())
    out += "Nothing recorded differs: kernel, CPU, MTU, topology, version and parameters agree.\n\n";
  else out += markdown(diff, false);  // the section's heading names it
  out += "## Changes\n\n" + method_text(options) + "\n";
  for (const auto& t : tables(inputs, comparisons, options.alpha)) out += markdown(t);
  if (auto one_side = one_side_text(inputs, comparisons, "- "); !one_side.empty())
    out += "## Cells in one input only\n\n" + one_side + "\n";
  if (!plots.empty()) {
    out += "## Plots\n\nEach cell's ratio NEW/OLD with its 95% bootstrap interval; 1 is no change.\n\n";
    for (const auto& stem : plots) out += fmt::format("![{0}](plots/{0}.png)\n", stem);
  }
  return out;
}

std::string render_compare_csv(const std::vector<Comparison>& comparisons) {
  std::string out =
      "old,new,topology,mode,strategy,message_bytes,response_bytes,threads,rate_bps,metric,better,old_n,old_median,"
      "new_n,new_median,ratio,ratio_ci95_low,ratio_ci95_high,p_value,u_method,significant,runs_needed\n";
  auto opt = [](std::optional<double> v) { return v ? fmt::format("{:.6g}", *v) : std::string(); };
  const auto quoted = [](const std::string& s) { return csv_quote(s); };
  for (const auto& c : comparisons)
    for (const auto& cell : c.cells)
      for (const auto& m : cell.metrics) {
        const auto& k = cell.cell;
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},", quoted(c.old_source), quoted(c.new_source),
                           quoted(k.topology), k.mode, quoted(k.strategy), k.message_bytes,
                           k.response_bytes ? std::to_string(*k.response_bytes) : "", k.threads,
                           k.rate_bps ? std::to_string(k.rate_bps) : "", m.metric->column,
                           m.metric->better == Better::higher ? "higher" : "lower");
        out += fmt::format("{},{:.6g},{},{:.6g},{},{},{},{:.6g},{},{},{}\n", m.old_n, m.old_median, m.new_n,
                           m.new_median, opt(m.ratio), opt(m.interval ? std::optional(m.interval->low) : std::nullopt),
                           opt(m.interval ? std::optional(m.interval->high) : std::nullopt), m.test.p_value,
                           m.test.method == UMethod::exact ? "exact" : "asymptotic", m.significant ? "true" : "false",
                           m.runs_needed);
      }
  return out;
}

}  // namespace copybench::report
