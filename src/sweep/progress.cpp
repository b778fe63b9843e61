#include "sweep/progress.h"

#include <fmt/format.h>
#include <unistd.h>
#include <cstdio>

#include "core/clock.h"
#include "params/params.h"

namespace copybench {
namespace {

std::string clock_text(int64_t ns) {
  int64_t s = ns / 1'000'000'000;
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string outcome(const RunResult& r) {
  if (r.status != RunStatus::ok) return fmt::format("{}: {}", status_name(r.status), r.error);
  if (r.params.mode == TestMode::rr && r.receiver && r.receiver->latency && r.receiver->latency->count)
    return fmt::format("ok, p50 {:.1f} us", r.receiver->latency->p50_ns / 1e3);
  if (r.receiver && r.receiver->throughput_gbps) return fmt::format("ok, {:.2f} Gbit/s", *r.receiver->throughput_gbps);
  return "ok";
}

}  // namespace

Progress::Style Progress::style_for(bool quiet) {
  if (quiet) return Style::none;
  return ::isatty(STDERR_FILENO) ? Style::bar : Style::lines;
}

Progress::Progress(Style style, size_t total, int64_t planned_ns_per_run)
    : style_(style), total_(total), planned_ns_per_run_(planned_ns_per_run), start_ns_(now_ns()) {}

// From this process's finished runs once there are any, else from the plan.
std::string Progress::eta(size_t done) const {
  size_t left = total_ > done ? total_ - done : 0;
  int64_t per_run =
      finished_here_ ? (now_ns() - start_ns_) / static_cast<int64_t>(finished_here_) : planned_ns_per_run_;
  return clock_text(per_run * static_cast<int64_t>(left));
}

void Progress::draw(const std::string& text) {
  fmt::print(stderr, "\r\033[K{}", text);
  std::fflush(stderr);
  line_open_ = true;
}

void Progress::begin(const PlannedRun& run, size_t done) {
  if (style_ != Style::bar) return;
  constexpr int kWidth = 24;
  int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
  draw(fmt::format("[{}{}] {}/{}  {} rep {}  elapsed {}  ETA {}", std::string(filled, '#'),
                   std::string(kWidth - filled, '.'), done, total_, run.point_id, run.rep,
                   clock_text(now_ns() - start_ns_), eta(done)));
}

void Progress::end(const PlannedRun& run, const RunResult& result, size_t done) {
  ++finished_here_;
  if (style_ == Style::bar && result.status != RunStatus::ok)
    note(fmt::format("run {}: {} rep {}: {}", run.order, run.point_id, run.rep, outcome(result)));
  if (style_ != Style::lines) return;
  fmt::print(stderr, "run {}/{}: {} rep {}: {} (elapsed {}, ETA {})\n", done, total_, run.point_id, run.rep,
             outcome(result), clock_text(now_ns() - start_ns_), eta(done));
}

void Progress::note(const std::string& line) {
  if (style_ == Style::none) return;
  if (line_open_) fmt::print(stderr, "\r\033[K");
  line_open_ = false;
  fmt::print(stderr, "{}\n", line);
}

void Progress::finish() {
  if (line_open_) fmt::print(stderr, "\r\033[K");
  line_open_ = false;
}

}  // namespace copybench
