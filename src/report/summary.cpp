#include "report/summary.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "core/column_keys.h"
#include "core/error.h"
#include "report/copies.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench::report {
namespace {

int topology_rank(std::string_view t) {
  static constexpr std::string_view order[] = {"loopback", "netns", "remote"};
  for (int i = 0; i < 3; ++i)
    if (t == order[i]) return i;
  return 3;
}

int mode_rank(std::string_view m) { return m == "stream" ? 0 : m == "rr" ? 1 : 2; }

std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string num(std::optional<double> v) { return v ? fmt::format("{:.6g}", *v) : ""; }

// The socket knobs a row set, as the data path's suffix: " w=256K cc=reno mss=1000 nodelay".
std::string knob_suffix(const RunsTable& runs, size_t row) {
  std::string out;
  if (auto w = runs.count(row, key::window_bytes); w && *w) out += " w=" + short_size(*w);
  if (auto cc = runs.text(row, key::congestion); cc && !cc->empty()) out += " cc=" + *cc;
  if (auto mss = runs.count(row, key::mss_bytes); mss && *mss) out += fmt::format(" mss={}", *mss);
  if (runs.text(row, key::nodelay) == "true") out += " nodelay";
  return out;
}

// The configuration of one row; nullopt when any part of it is unknown.
std::optional<PointKey> own_key(const RunsTable& runs, size_t row, const KeyMask& mask) {
  auto topology = runs.text(row, key::topology), mode = runs.text(row, key::mode);
  auto strategy = runs.text(row, key::strategy);
  auto size = runs.count(row, key::message_bytes), threads = runs.count(row, key::threads);
  if (!topology || !mode || !strategy || !size || !threads) return std::nullopt;
  // A receive strategy other than recv makes another data path, compared as its own line.
  auto receive = runs.text(row, key::recv_strategy);
  if (mask.recv_strategy || !receive) receive = std::string(kDefaultRecvStrategy);
  std::optional<uint64_t> typed_read;  // a receive size given as a number is a data path of its own
  if (!mask.recv_size && runs.text(row, key::recv_size_auto) == "false")
    typed_read = runs.count(row, key::recv_size_bytes);
  auto path = data_path_label(mask.strategy ? "*" : *strategy, *receive, typed_read,
                              runs.text(row, key::direction).value_or("forward"));
  if (!mask.knobs) path += knob_suffix(runs, row);
  PointKey key{mask.topology ? "" : *topology, *mode, path, *size, std::nullopt, static_cast<int>(*threads)};
  if (*mode == "rr") key.response_bytes = runs.count(row, key::response_bytes);
  key.rate_bps = runs.count(row, key::rate_bps).value_or(0);
  return key;
}

// A point while rows are read: the values of each metric over its ok runs.
struct Accumulator {
  SummaryPoint point;
  std::map<std::string, std::vector<double>> values;
};

Accumulator& accumulator_for(std::vector<Accumulator>& points, const PointKey& key) {
  for (auto& a : points)
    if (a.point.key == key) return a;
  points.push_back(Accumulator{SummaryPoint{key, 0, 0, {}, {}, {}}, {}});
  return points.back();
}

void count_failure(Summary& summary, const RunsTable& runs, size_t row) {
  auto status = runs.text(row, key::status).value_or("");
  auto error = runs.text(row, key::error).value_or("");
  for (auto& reason : summary.failure_reasons)
    if (reason.status == status && reason.error == error) return void(++reason.runs);
  summary.failure_reasons.push_back({status, error, 1});
}

}  // namespace

double t_975(int df) {
  static constexpr double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                     2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                     2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) throw Error(fmt::format("t quantile needs at least 1 degree of freedom, got {}", df));
  if (df <= 30) return table[df - 1];
  if (df < 40) return 2.042;
  if (df < 60) return 2.021;
  if (df < 120) return 2.000;
  return df < 100000 ? 1.980 : 1.960;
}

Stats describe(std::vector<double> values) {
  if (values.empty()) throw Error("statistics of no values");
  std::sort(values.begin(), values.end());
  Stats s;
  s.n = static_cast<int>(values.size());
  s.min = values.front();
  s.max = values.back();
  size_t mid = values.size() / 2;
  s.median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  if (s.n >= 2) {
    double mean = std::accumulate(values.begin(), values.end(), 0.0) / s.n;
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    double half = t_975(s.n - 1) * std::sqrt(squares / (s.n - 1)) / std::sqrt(double(s.n));
    s.ci95_low = mean - half;
    s.ci95_high = mean + half;
  }
  return s;
}

std::pair<double, double> interval(const Stats& s) {
  if (s.ci95_low && s.ci95_high) return {*s.ci95_low, *s.ci95_high};
  return {s.min, s.max};
}

std::string data_path_label(std::string_view send, std::string_view recv, std::optional<uint64_t> typed_recv_bytes,
                            std::string_view direction) {
  const std::string way = direction.empty() || direction == "forward" ? "" : fmt::format("@{}", direction);
  if (typed_recv_bytes) return fmt::format("{}+{}:{}{}", send, recv, short_size(*typed_recv_bytes), way);
  return (recv == kDefaultRecvStrategy ? std::string(send) : fmt::format("{}+{}", send, recv)) + way;
}

int strategy_rank_forward(std::string_view label);

int strategy_rank(std::string_view label) {
  label = label.substr(0, label.find(' '));  // knobs (" w=256K") rank as their data path
  // A direction ranks just after its forward path: "x@reverse", then "x@bidir".
  if (auto at = label.find('@'); at != std::string_view::npos) {
    const auto way = label.substr(at + 1);
    return strategy_rank_forward(label.substr(0, at)) * 3 + (way == "reverse" ? 1 : 2);
  }
  return strategy_rank_forward(label) * 3;
}

int strategy_rank_forward(std::string_view label) {
  // A typed receive size ranks (and is coloured) as its data path with the default size.
  std::string_view path = label.substr(0, label.find(':'));
  const std::string default_recv = "+" + std::string(kDefaultRecvStrategy);
  if (path.size() < label.size() && path.ends_with(default_recv)) path.remove_suffix(default_recv.size());
  // Each send strategy in the registry's order, first alone (receive strategy recv), then with
  // each receive strategy in that registry's order, then with one this build does not know; a
  // send strategy it does not know comes after all of them. (Plot colours follow the rank.)
  const auto& sends = strategies();
  const auto& receives = recv_strategies();
  const int per_send = static_cast<int>(receives.size()) + 2;
  for (size_t i = 0; i < sends.size(); ++i) {
    const int base = static_cast<int>(i) * per_send;
    if (path == sends[i].name) return base;
    for (size_t r = 0; r < receives.size(); ++r)
      if (path == data_path_label(sends[i].name, receives[r].name)) return base + static_cast<int>(r) + 1;
    if (path.starts_with(sends[i].name + "+")) return base + per_send - 1;
  }
  return static_cast<int>(sends.size()) * per_send;
}

bool point_before(const PointKey& a, const PointKey& b) {
  auto tie = [](const PointKey& k) {
    return std::make_tuple(topology_rank(k.topology), k.topology, mode_rank(k.mode), k.mode, k.threads, k.message_bytes,
                           k.response_bytes.value_or(0), k.rate_bps, strategy_rank(k.strategy), k.strategy);
  };
  return tie(a) < tie(b);
}

std::optional<std::pair<std::string, int>> SummaryPoint::main_limit() const {
  std::optional<std::pair<std::string, int>> most;
  for (const auto& [name, runs] : limits)
    if (!most || runs > most->second) most = {name, runs};
  return most;
}

const Stats* SummaryPoint::metric(std::string_view name) const {
  auto it = metrics.find(name);
  return it == metrics.end() ? nullptr : &it->second;
}

const std::vector<std::string>& summary_metrics() {
  using key::receiver, key::sender;
  static const std::vector<std::string> names = {receiver(key::throughput_gbps),
                                                 receiver(key::messages_per_s),
                                                 sender(key::time_per_msg_us),
                                                 receiver(key::latency_p50_us),
                                                 receiver(key::latency_p99_us),
                                                 sender(key::latency_p50_us),
                                                 sender(key::latency_p99_us),
                                                 sender(key::cpu_ns_per_byte),
                                                 receiver(key::cpu_ns_per_byte),
                                                 sender(key::system_cpu_ns_per_byte),
                                                 sender(key::cycles_per_byte),
                                                 receiver(key::cycles_per_byte),
                                                 sender(key::llc_misses_per_kib),
                                                 receiver(key::llc_misses_per_kib),
                                                 sender(key::context_switches),
                                                 receiver(key::context_switches),
                                                 std::string(key::zc_copied_pct),
                                                 receiver(key::zc_mapped_pct),
                                                 sender(key::calls_per_msg),
                                                 sender(key::submissions_per_msg),
                                                 receiver(key::calls_per_msg),
                                                 sender(key::thread_on_cpu_max_pct),
                                                 receiver(key::thread_on_cpu_max_pct),
                                                 receiver(key::system_cpu_idle_pct),
                                                 sender(key::tcp_retransmits),
                                                 sender(key::tcp_rtt_us),
                                                 sender(key::tcp_snd_cwnd),
                                                 sender(key::tcp_busy_pct),
                                                 sender(key::tcp_rwnd_limited_pct),
                                                 sender(key::tcp_sndbuf_limited_pct),
                                                 receiver(key::interval_cv_pct)};
  static const std::vector<std::string> all = with_profile_metrics(names);  // report/copies.h
  return all;
}

Summary summarize(const RunsTable& runs, const KeyMask& mask) {
  Summary summary;
  std::vector<Accumulator> points;
  std::map<std::string, PointKey> key_of_id;  // point id -> configuration, from rows that have one
  for (size_t row = 0; row < runs.size(); ++row)
    if (auto key = own_key(runs, row, mask))
      if (auto id = runs.text(row, key::point)) key_of_id.emplace(*id, *key);

  for (size_t row = 0; row < runs.size(); ++row) {
    ++summary.runs;
    auto key = own_key(runs, row, mask);
    if (runs.text(row, key::status) != "ok") {
      ++summary.failed_runs;
      count_failure(summary, runs, row);
      // A run that failed early may have left its configuration empty; its point id still says
      // which configuration it belonged to.
      auto id = runs.text(row, key::point);
      if (!key && id && key_of_id.count(*id)) key = key_of_id.at(*id);
      if (key) ++accumulator_for(points, *key).point.runs_failed;
      else ++summary.unplaced_failures;
      continue;
    }
    if (!key)
      throw Error(fmt::format("{}: {} ok but its configuration ({}, {}, {}, {}, {}) is incomplete", runs.where(row),
                              key::status, key::topology, key::mode, key::strategy, key::message_bytes, key::threads));
    auto& acc = accumulator_for(points, *key);
    ++acc.point.runs_ok;
    for (const auto& metric : summary_metrics())
      if (auto v = runs.number(row, metric)) acc.values[metric].push_back(*v);
    if (auto limit = runs.text(row, key::limited_by); limit && !limit->empty()) ++acc.point.limits[*limit];
  }
  for (auto& acc : points) {
    for (auto& [metric, list] : acc.values) {
      acc.point.metrics.emplace(metric, describe(list));
      acc.point.samples.emplace(metric, std::move(list));
    }
    summary.points.push_back(std::move(acc.point));
  }
  std::stable_sort(summary.points.begin(), summary.points.end(),
                   [](const SummaryPoint& a, const SummaryPoint& b) { return point_before(a.key, b.key); });
  std::stable_sort(summary.failure_reasons.begin(), summary.failure_reasons.end(),
                   [](const FailureReason& a, const FailureReason& b) {
                     return std::tie(b.runs, a.status, a.error) < std::tie(a.runs, b.status, b.error);
                   });
  return summary;
}

std::string summary_csv_header() {
  // The configuration's columns are named as in runs.csv; runs_ok, runs_failed and the metrics' statistics are
  // summary.csv's own.
  std::string out = fmt::format("{},{},{},{},{},{},{},runs_ok,runs_failed", key::topology, key::mode, key::strategy,
                                key::message_bytes, key::response_bytes, key::threads, key::rate_bps);
  for (const auto& m : summary_metrics())
    for (const char* suffix : {"_n", "_median", "_min", "_max", "_ci95_low", "_ci95_high"}) out += "," + m + suffix;
  return out + fmt::format(",{0},{0}_runs\n", key::limited_by);
}

std::string summary_csv_row(const SummaryPoint& p) {
  const auto& k = p.key;
  std::string out = fmt::format("{},{},{},{},{},{},{},{},{}", quote(k.topology), quote(k.mode), quote(k.strategy),
                                k.message_bytes, k.response_bytes ? std::to_string(*k.response_bytes) : "", k.threads,
                                k.rate_bps ? std::to_string(k.rate_bps) : "", p.runs_ok, p.runs_failed);
  for (const auto& m : summary_metrics()) {
    const Stats* s = p.metric(m);
    if (!s) {
      out += ",0,,,,,";
      continue;
    }
    out += fmt::format(",{},{},{},{},{},{}", s->n, num(s->median), num(s->min), num(s->max), num(s->ci95_low),
                       num(s->ci95_high));
  }
  auto limit = p.main_limit();
  return out + (limit ? fmt::format(",{},{}\n", limit->first, limit->second) : std::string(",,\n"));
}

Summary unpaced(const Summary& summary) {
  Summary out = summary;
  std::erase_if(out.points, [](const SummaryPoint& p) { return p.key.rate_bps != 0; });
  return out;
}

std::string summary_csv(const Summary& summary) {
  std::string out = summary_csv_header();
  for (const auto& p : summary.points) out += summary_csv_row(p);
  return out;
}

std::string short_size(uint64_t bytes) {
  if (bytes >= (1u << 30) && bytes % (1u << 30) == 0) return fmt::format("{}G", bytes >> 30);
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{}M", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{}K", bytes >> 10);
  return std::to_string(bytes);
}

std::string short_number(double v) {
  if (std::fabs(v) >= 1e4 && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

}  // namespace copybench::report
