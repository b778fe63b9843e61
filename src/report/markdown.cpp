#include "report/markdown.h"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <optional>

#include "core/column_keys.h"
#include "core/units.h"
#include "report/rates.h"

namespace copybench::report {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep = ", ") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// Table cells must not break the table.
std::string cell(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// Numbers before text, numbers by value: "2" before "10".
bool numeric_before(const std::string& a, const std::string& b) {
  auto number = [](const std::string& s) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && ptr == s.data() + s.size() ? std::optional<double>(v) : std::nullopt;
  };
  auto x = number(a), y = number(b);
  if (x && y) return *x < *y;
  if (x || y) return bool(x);
  return a < b;
}

// The distinct values of a column, in order of first appearance (or numerically).
std::vector<std::string> distinct(const RunsTable& runs, std::string_view column, bool numeric = false) {
  std::vector<std::string> out;
  for (size_t r = 0; r < runs.size(); ++r)
    if (auto v = runs.text(r, column); v && std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  if (numeric) std::sort(out.begin(), out.end(), numeric_before);
  return out;
}

std::string listed(const std::vector<std::string>& values) { return values.empty() ? "unknown" : join(values); }

std::string sizes_listed(const RunsTable& runs, std::string_view column) {
  std::vector<std::string> out;
  // Sizes come from rows summarize() already checked, but a failed row's cell may be odd.
  for (const auto& v : distinct(runs, column, true)) {
    uint64_t bytes = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), bytes);
    out.push_back(ec == std::errc{} && ptr == v.data() + v.size() ? short_size(bytes) : v);
  }
  return listed(out);
}

std::string environment(const RunsTable& runs) {
  std::string out = "## Environment\n\nFrom the runs (the receiver's side when the two differ).\n\n| | |\n|---|---|\n";
  auto row = [&](const char* label, std::string_view column) {
    out += fmt::format("| {} | {} |\n", label, cell(listed(distinct(runs, column))));
  };
  row("topology", key::topology);
  row("kernel", key::kernel);
  row("CPU model", key::cpu_model);
  row("online CPUs", key::cores);
  row("path MTU (bytes)", key::path_mtu);
  row("receiver host", key::receiver_host);
  row("sender host", key::sender_host);
  return out + "\n";
}

std::string grid(const RunsTable& runs, const Summary& summary) {
  std::vector<std::string> strategies = distinct(runs, key::strategy);
  std::stable_sort(strategies.begin(), strategies.end(),
                   [](const std::string& a, const std::string& b) { return strategy_rank(a) < strategy_rank(b); });
  int fewest = 0, most = 0;
  for (const auto& p : summary.points) {
    int n = p.runs_ok + p.runs_failed;
    fewest = fewest == 0 ? n : std::min(fewest, n);
    most = std::max(most, n);
  }
  std::string out = "## Grid\n\n| | |\n|---|---|\n";
  out += fmt::format("| strategies | {} |\n| modes | {} |\n", listed(strategies), listed(distinct(runs, key::mode)));
  if (runs.has_column(key::direction) && !distinct(runs, key::direction).empty())
    out += fmt::format(
        "| directions (stream) | {} (a path@reverse: the client sent; @bidir: both ways at once, "
        "throughputs summed) |\n",
        listed(distinct(runs, key::direction)));
  out += fmt::format("| message sizes | {} |\n", sizes_listed(runs, key::message_bytes));
  if (runs.has_column(key::response_bytes) && !distinct(runs, key::response_bytes).empty())
    out += fmt::format("| response sizes (rr) | {} |\n", sizes_listed(runs, key::response_bytes));
  out += fmt::format("| threads | {} |\n", listed(distinct(runs, key::threads, true)));
  if (runs.has_column(key::rate_bps) && !distinct(runs, key::rate_bps).empty()) {
    std::vector<std::string> rates;
    for (const auto& r : distinct(runs, key::rate_bps, true)) rates.push_back(format_rate(std::stoull(r)));
    if (!unpaced(summary).points.empty()) rates.push_back("max");
    out += fmt::format("| rates per connection (--rate) | {} |\n", listed(rates));
  }
  auto reps = distinct(runs, key::rep, true);
  out += fmt::format("| repetitions | up to {} (runs per point: {}) |\n", reps.empty() ? "unknown" : reps.back(),
                     fewest == most ? std::to_string(most) : fmt::format("{} to {}", fewest, most));
  out += fmt::format("| window, warm-up (s) | {}; {} |\n", listed(distinct(runs, key::duration_s, true)),
                     listed(distinct(runs, key::warmup_s, true)));
  out += fmt::format("| seed | {} |\n| points | {} |\n\n", listed(distinct(runs, key::seed)), summary.points.size());
  return out + fmt::format(
                   "The sweep ran its runs in a shuffled order; {} in runs.csv gives each run's place in "
                   "it.\n\n",
                   key::run_order);
}

std::string runs_section(const Summary& s) {
  std::string out = fmt::format("## Runs\n\n{} runs: {} ok, {} not ok.", s.runs, s.runs - s.failed_runs, s.failed_runs);
  if (s.failed_runs == 0) return out + "\n\n";
  out += " Runs that are not ok do not enter the statistics; summary.csv counts them per point (runs_failed).";
  if (s.unplaced_failures)
    out += fmt::format(" {} of them named no configuration and no known point, so no point counts them.",
                       s.unplaced_failures);
  out += "\n\n| runs | status | reason |\n|---|---|---|\n";
  for (const auto& r : s.failure_reasons)
    out += fmt::format("| {} | {} | {} |\n", r.runs, cell(r.status), r.error.empty() ? "(none given)" : cell(r.error));
  return out + "\n";
}

std::string range(const Stats* s, bool ci) {
  if (!s) return "";
  if (!ci) return fmt::format("{} to {}", short_number(s->min), short_number(s->max));
  if (!s->ci95_low) return "n = 1";
  return fmt::format("{} to {}", short_number(*s->ci95_low), short_number(*s->ci95_high));
}

std::string summary_table(const Summary& s) {
  std::string out =
      "## Summary table\n\nMedian of the ok runs, the 95% confidence interval of the mean (mean ± t(0.975, n-1)·s/√n) "
      "and the lowest to highest run. All columns, for every metric, are in summary.csv.\n\n"
      "| topology | mode | strategy | size | threads | rate | ok | failed | Gbit/s median | 95% CI | range | rr p50 µs "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& p : s.points) {
    const auto& k = p.key;
    const Stats* t = p.metric(key::receiver(key::throughput_gbps));
    const Stats* lat = p.metric(key::receiver(key::latency_p50_us));
    std::string size = short_size(k.message_bytes) + (k.response_bytes ? "/" + short_size(*k.response_bytes) : "");
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", cell(k.topology),
                       cell(k.mode), cell(k.strategy), size, k.threads, k.rate_bps ? rate_text(k.rate_bps) : "max",
                       p.runs_ok, p.runs_failed, t ? short_number(t->median) : "", range(t, true), range(t, false),
                       lat ? short_number(lat->median) : "");
  }
  return out + "\n";
}

std::string plots_section(const PlotsOutcome& plots) {
  std::string out = "## Plots\n\n";
  std::string not_drawn;
  for (const auto& e : plots.entries) {
    if (e.rendered)
      out += fmt::format("### {}\n\n![{}](plots/{}.png)\n\n{} Vector version: [plots/{}.svg](plots/{}.svg).\n\n",
                         e.title, e.title, e.stem, e.caption, e.stem, e.stem);
    else not_drawn += fmt::format("- {} (`{}`): {}\n", e.title, e.stem, e.failed.empty() ? e.skipped : e.failed);
  }
  if (plots.entries.empty()) out += "No plots: there are no ok runs.\n\n";
  if (!not_drawn.empty()) out += "Not drawn:\n\n" + not_drawn + "\n";
  if (!plots.note.empty()) out += plots.note + "\n\n";
  return out;
}

}  // namespace

std::string render_markdown(const RunsTable& runs, const Summary& summary, const PlotsOutcome& plots) {
  std::string out =
      "# copybench sweep report\n\n"
      "Written by `copybench report` from runs.csv alone; summary.csv holds every aggregated figure, "
      "plots/ the data and gnuplot scripts of every plot.\n\n";
  if (runs.has_column(key::title))
    for (const auto& title : distinct(runs, key::title)) out += fmt::format("**{}**\n\n", title);  // -T
  out += environment(runs);
  out += grid(runs, summary);
  out += runs_section(summary);
  out += render_answers(unpaced(summary));  // the data paths flat out
  out += rate_section(summary);             // and at each --rate
  out += plots_section(plots);
  out += summary_table(summary);
  return out;
}

}  // namespace copybench::report
