#include "report/limits_table.h"

#include <fmt/format.h>

#include "core/column_keys.h"
#include "core/error.h"
#include "results/limits.h"
#include "results/result.h"

namespace copybench::report {
namespace {

std::optional<double> median_of(const SummaryPoint& p, const std::string& column) {
  const Stats* s = p.metric(column);
  return s ? std::optional<double>(s->median) : std::nullopt;
}

std::string verdict_words(const std::string& name) {
  try {
    return limit_text(parse_limit(name));
  } catch (const Error&) {
    return name;  // a verdict of a newer build: shown as written
  }
}

std::string cell(const std::optional<double>& v) { return v ? short_number(*v) : "?"; }

std::string size_text(const PointKey& k) {
  return short_size(k.message_bytes) + (k.response_bytes ? "/" + short_size(*k.response_bytes) : "");
}

std::string table_of(const std::vector<LimitRow>& rows, const std::string& topology) {
  std::string out = fmt::format(
      "{}:\n\n| mode | threads | size | data path | limited by | runs | sender thread % | receiver thread % | "
      "machine idle % | send buffer % | receiver window % |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
      topology);
  for (const auto& r : rows) {
    if (r.key.topology != topology) continue;
    out += fmt::format("| {} | {} | {} | {} | {} | {} of {} | {} | {} | {} | {} | {} |\n", r.key.mode, r.key.threads,
                       size_text(r.key), r.key.strategy, verdict_words(r.verdict), r.runs_with_verdict, r.runs_ok,
                       cell(r.sender_thread_pct), cell(r.receiver_thread_pct), cell(r.receiver_idle_pct),
                       cell(r.sndbuf_limited_pct), cell(r.rwnd_limited_pct));
  }
  return out + "\n";
}

// "- loopback, stream, 1 thread, 1K, one-copy: 1 run sender CPU, 1 run neither side's CPU."
std::string disagreements(const std::vector<LimitRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    if (r.verdicts.size() < 2) continue;
    std::string list;
    for (const auto& [name, runs] : r.verdicts)
      list += fmt::format("{}{} run{} {}", list.empty() ? "" : ", ", runs, runs == 1 ? "" : "s", verdict_words(name));
    out += fmt::format("- {}, {}, {} thread{}, {}, {}: {}.\n", r.key.topology, r.key.mode, r.key.threads,
                       r.key.threads == 1 ? "" : "s", size_text(r.key), r.key.strategy, list);
  }
  return out.empty() ? "" : "Where a point's runs disagreed:\n\n" + out + "\n";
}

}  // namespace

std::vector<LimitRow> limit_rows(const Summary& summary) {
  std::vector<LimitRow> rows;
  for (const auto& p : summary.points) {
    auto main = p.main_limit();
    if (!main) continue;
    LimitRow r{.key = p.key,
               .verdict = main->first,
               .runs_with_verdict = main->second,
               .runs_ok = p.runs_ok,
               .verdicts = p.limits,
               .sender_thread_pct = median_of(p, key::sender(key::thread_on_cpu_max_pct)),
               .receiver_thread_pct = median_of(p, key::receiver(key::thread_on_cpu_max_pct)),
               .receiver_idle_pct = median_of(p, key::receiver(key::system_cpu_idle_pct)),
               .sndbuf_limited_pct = median_of(p, key::sender(key::tcp_sndbuf_limited_pct)),
               .rwnd_limited_pct = median_of(p, key::sender(key::tcp_rwnd_limited_pct))};
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string render_limits(const Summary& summary) {
  const auto rows = limit_rows(summary);
  if (rows.empty()) return "";
  std::string out = fmt::format(
      "### What limited each run?\n\nFrom runs.csv {0}: the verdict most of a point's ok runs gave, and the medians "
      "(summary.csv) of the figures it is decided from. A side is saturated when its busiest connection thread was on "
      "a CPU at least {1}% of the window ({2}) or its machine at most {3}% idle ({4}; on one machine, both sides share "
      "it); else a stream sender held by its send buffer or the receiver's window at least {5}% of the window "
      "(TCP_INFO: {6}, {7}) names that; else neither. ? is a figure not measured.\n\n",
      key::limited_by, short_number(kSaturatedThreadPct), key::of_side("<side>", key::thread_on_cpu_max_pct),
      short_number(kSaturatedIdlePct), key::receiver(key::system_cpu_idle_pct), short_number(kTcpLimitedPct),
      key::sender(key::tcp_sndbuf_limited_pct), key::sender(key::tcp_rwnd_limited_pct));
  std::string topology;
  for (const auto& r : rows) {
    if (r.key.topology == topology) continue;
    topology = r.key.topology;
    out += table_of(rows, topology);
  }
  return out + disagreements(rows);
}

}  // namespace copybench::report
