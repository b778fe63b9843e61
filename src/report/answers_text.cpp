// The "Answers" section of report.md: answers.h's findings in plain words, each naming the
// figure and the summary.csv columns it comes from.
#include <fmt/format.h>
#include <cmath>
#include <map>
#include <vector>

#include "core/column_keys.h"
#include "core/error.h"
#include "core/units.h"
#include "report/answers.h"
#include "report/limits_table.h"
#include "report/markdown.h"
#include "results/result.h"

namespace copybench::report {
namespace {

std::string sizes_text(const std::vector<uint64_t>& sizes) {
  std::string out;
  for (size_t i = 0; i < sizes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == sizes.size() ? " and " : ", ") + short_size(sizes[i]);
  return out;
}

const SizeComparison& at(const Crossover& c, uint64_t bytes) {
  for (const auto& s : c.sizes)
    if (s.message_bytes == bytes) return s;
  return c.sizes.front();
}

std::string medians(const Crossover& c, uint64_t bytes) {
  const auto& s = at(c, bytes);
  return fmt::format("{} vs {} Gbit/s at {}", short_number(s.challenger), short_number(s.baseline), short_size(bytes));
}

// "is ahead at every measured size", or "is ahead at 1K and 4K and tied (...) at 16K".
std::string one_way(const Crossover& c, const char* way) {
  auto ties = c.tied_sizes();
  if (ties.empty()) return fmt::format("is {} at every measured size", way);
  std::vector<uint64_t> clear;
  for (const auto& s : c.sizes)
    if (s.order != Order::tie) clear.push_back(s.message_bytes);
  return fmt::format("is {} at {} and tied (95% intervals overlap) at {}", way, sizes_text(clear), sizes_text(ties));
}

std::string crossover_text(const Crossover& c) {
  std::string who = fmt::format("**{} over {}**: ", c.challenger, c.baseline);
  std::string range = c.sizes.empty() ? ""
                                      : fmt::format("{} to {}", short_size(c.sizes.front().message_bytes),
                                                    short_size(c.sizes.back().message_bytes));
  std::string text;
  switch (c.kind) {
    case Crossover::Kind::overtakes:
      text = fmt::format(
          "overtakes at about {} (interpolated in log2(size) between {}, where it is behind, and {}, "
          "where it is ahead; medians {} and {}).",
          format_size(static_cast<uint64_t>(std::llround(*c.at_bytes))), short_size(c.below_bytes),
          short_size(c.above_bytes), medians(c, c.below_bytes), medians(c, c.above_bytes));
      break;
    case Crossover::Kind::overtakes_within_noise:
      text = fmt::format(
          "overtakes between {} (behind) and {} (ahead); the sizes in between are ties, so the "
          "crossover lies within noise somewhere in that range.",
          short_size(c.below_bytes), short_size(c.above_bytes));
      break;
    case Crossover::Kind::always_ahead:
    case Crossover::Kind::always_behind:
      text = fmt::format("no crossover within the measured range ({}): {} {}.", range, c.challenger,
                         one_way(c, c.kind == Crossover::Kind::always_ahead ? "ahead" : "behind"));
      break;
    case Crossover::Kind::always_tied:
      text = fmt::format("no order can be told: the two are tied (95% intervals overlap) at every measured size, {}.",
                         range);
      break;
    case Crossover::Kind::falls_behind:
      text = fmt::format(
          "does not overtake within the measured range: {} is ahead at the small sizes and falls "
          "behind between {} and {}.",
          c.challenger, short_size(c.below_bytes), short_size(c.above_bytes));
      break;
    case Crossover::Kind::too_few_sizes:
      text = "fewer than two sizes were measured for both, so no crossover can be located.";
      break;
  }
  auto ties = c.tied_sizes();
  bool ties_told = c.kind == Crossover::Kind::always_tied || c.kind == Crossover::Kind::always_ahead ||
                   c.kind == Crossover::Kind::always_behind;
  if (!ties.empty() && !ties_told) text += fmt::format(" Tied (95% intervals overlap) at {}.", sizes_text(ties));
  return "- " + who + text + "\n";
}

std::string crossovers_section(const Summary& s) {
  std::string out = fmt::format(
      "### Where does one strategy overtake another? (stream throughput vs message size)\n\n"
      "From the figure \"Stream throughput vs message size\" and summary.csv columns "
      "{}_median, _ci95_low and _ci95_high. \"Overtakes\" is the first change "
      "from behind to ahead as the size grows.\n\n",
      key::receiver(key::throughput_gbps));
  auto all = stream_crossovers(s);
  if (all.empty()) return out + "No stream runs with a receiver throughput: nothing to compare.\n\n";
  std::string group;
  for (const auto& c : all) {
    std::string g = fmt::format("{}, {} thread{}", c.topology, c.threads, c.threads == 1 ? "" : "s");
    if (g != group) out += fmt::format("{}{}:\n\n", group.empty() ? "" : "\n", g);
    group = g;
    out += crossover_text(c);
  }
  return out + "\n";
}

std::string threads_list(const std::vector<int>& threads) {
  std::string out;
  for (int t : threads) out += (out.empty() ? "" : ", ") + std::to_string(t);
  return out;
}

std::string best_threads_section(const Summary& s, const std::string& mode, const std::string& metric,
                                 const std::string& what) {
  auto best = best_thread_counts(s, mode, metric);
  std::string out = fmt::format(
      "### Best thread count ({})\n\nThe thread count with the highest median {} "
      "(summary.csv {}_median) for each strategy and size; \"tie\" names thread counts "
      "whose 95% interval overlaps the best one's, so they cannot be told apart.\n\n",
      what, metric, metric);
  if (best.empty()) return out + "Only one thread count was measured per point, so there is no best one to name.\n\n";
  out +=
      "| topology | strategy | size | best threads | median | tie with | measured |\n|---|---|---|---|---|---|---|\n";
  for (const auto& b : best) {
    std::string size = short_size(b.message_bytes) + (b.response_bytes ? "/" + short_size(*b.response_bytes) : "");
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", b.topology, b.strategy, size, b.threads,
                       short_number(b.median), b.tied_threads.empty() ? "none" : threads_list(b.tied_threads),
                       threads_list(b.measured_threads));
  }
  return out + "\n";
}

// What held zero-copy's sender in a topology: the range of its send-buffer-limited share
// (TCP_INFO tcpi_sndbuf_limited), where pinned pages and optmem would show; "" when not measured.
// Its verdicts are in the table of what limited each run.
std::string zero_copy_held(const Summary& s, const std::string& topology) {
  std::optional<double> low, high;
  for (const auto& p : s.points) {
    if (p.key.topology != topology || p.key.mode != "stream" || p.key.strategy != "zero-copy") continue;
    if (const Stats* sndbuf = p.metric(key::sender(key::tcp_sndbuf_limited_pct))) {
      low = low ? std::min(*low, sndbuf->median) : sndbuf->median;
      high = high ? std::max(*high, sndbuf->median) : sndbuf->median;
    }
  }
  if (!low) return "";
  return fmt::format(
      " Zero-copy: its sender was held by its own send buffer {}% of the window (medians per point, "
      "summary.csv {}).",
      *low == *high ? short_number(*low) : short_number(*low) + "% to " + short_number(*high),
      key::sender(key::tcp_sndbuf_limited_pct));
}

std::string zero_copy_section(const Summary& s) {
  std::string out = fmt::format(
      "### Did zero-copy avoid the copy?\n\nFrom the figure \"Zero-copy sends the kernel "
      "copied vs message size\" and summary.csv {}_* (completions the kernel flagged "
      "SO_EE_CODE_ZEROCOPY_COPIED, as a share of all completions).\n\n",
      key::zc_copied_pct);
  auto shares = zero_copy_shares(s);
  if (shares.empty()) return out + "No zero-copy run reported completion counts.\n\n";
  for (const auto& z : shares) {
    std::string share = z.min_pct == z.max_pct
                            ? fmt::format("{}% of the zero-copy sends in every run", short_number(z.min_pct))
                            : fmt::format("between {}% and {}% of the zero-copy sends, run by run",
                                          short_number(z.min_pct), short_number(z.max_pct));
    out += fmt::format("- **{}**: the kernel copied {} ({} runs over {} points). {}{}\n", z.topology, share, z.runs,
                       z.points, zero_copy_meaning(z), zero_copy_held(s, z.topology));
  }
  return out + "\n";
}

std::string rr_section(const Summary& s) {
  auto lowest = lowest_rr_latency(s);
  if (lowest.empty()) return "";
  std::string out = fmt::format(
      "### Request/response: which strategy has the lowest median round trip?\n\nFrom the "
      "figure \"Request/response latency vs thread count\" and summary.csv {}_* (the "
      "requester's round trip).\n\n| topology | threads | request/response | lowest p50 | "
      "p50 µs | tie with |\n|---|---|---|---|---|---|\n",
      key::receiver(key::latency_p50_us));
  for (const auto& l : lowest) {
    std::string tied;
    for (const auto& t : l.tied) tied += (tied.empty() ? "" : ", ") + t;
    std::string size = short_size(l.message_bytes) + "/" + (l.response_bytes ? short_size(*l.response_bytes) : "?");
    out += fmt::format("| {} | {} | {} | {}{} | {} | {} |\n", l.topology, l.threads, size, l.strategy,
                       l.strategies_measured < 2 ? " (only one measured)" : "", short_number(l.p50_us),
                       tied.empty() ? "none" : tied);
  }
  return out + "\n";
}

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::string winners_section(const Summary& s) {
  auto best = best_stream_strategies(s);
  if (best.empty()) return "";
  std::string out = fmt::format(
      "### Who wins at each size? (stream throughput)\n\nFrom summary.csv {}_*: the "
      "strategy (send+receive data path) with the highest median, and those whose interval "
      "overlaps it.\n\n| topology | threads | size | highest | Gbit/s | tie with | measured "
      "|\n|---|---|---|---|---|---|---|\n",
      key::receiver(key::throughput_gbps));
  for (const auto& b : best)
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", b.topology, b.threads, short_size(b.message_bytes),
                       b.strategy, short_number(b.median), names(b.tied), b.strategies_measured);
  return out + "\n";
}

std::string batching_section(const Summary& s) {
  auto rows = uring_batching(s);
  if (rows.empty()) return "";
  std::string out = fmt::format(
      "### Where does io_uring's batching pay? (uring against two-copy)\n\nBoth make 8 "
      "sends per message; uring submits them as 8 linked SQEs in one io_uring_enter. From "
      "summary.csv {}_* and {}_*.\n\n| topology | threads | size | uring Gbit/s | two-copy "
      "Gbit/s | uring calls/msg | two-copy calls/msg | uring is |\n"
      "|---|---|---|---|---|---|---|---|\n",
      key::receiver(key::throughput_gbps), key::sender(key::calls_per_msg));
  auto calls = [](const std::optional<double>& v) { return v ? short_number(*v) : std::string("?"); };
  for (const auto& b : rows)
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", b.topology, b.threads,
                       short_size(b.message_bytes), short_number(b.uring_gbps), short_number(b.two_copy_gbps),
                       calls(b.uring_calls), calls(b.two_copy_calls),
                       b.verdict > 0   ? "ahead"
                       : b.verdict < 0 ? "behind"
                                       : "tied");
  return out + "\n";
}

std::string mapped_section(const Summary& s) {
  auto shares = mapped_shares(s);
  if (shares.empty()) return "";
  std::string out = fmt::format(
      "### Did zerocopy-recv map the received pages?\n\nFrom the figure \"Received bytes "
      "mapped instead of copied vs message size\" and summary.csv {}_* (bytes "
      "TCP_ZEROCOPY_RECEIVE mapped, as a share of all received). The kernel maps only "
      "whole, single pages: on loopback and veth a copying sender's data sits in compound "
      "pages and maps at 0%, while a MSG_ZEROCOPY sender's pages, copied by the kernel "
      "before local delivery, can map.\n\n| topology | data path | threads | size | mapped "
      "% (runs' range) |\n|---|---|---|---|---|\n",
      key::receiver(key::zc_mapped_pct));
  for (const auto& m : shares)
    out += fmt::format(
        "| {} | {} | {} | {} | {} |\n", m.topology, m.strategy, m.threads, short_size(m.message_bytes),
        m.min_pct == m.max_pct ? short_number(m.min_pct) : short_number(m.min_pct) + " to " + short_number(m.max_pct));
  return out + "\n";
}

bool any_single_run(const Summary& s) {
  for (const auto& p : s.points)
    if (const Stats* t = p.metric(key::receiver(key::throughput_gbps)); t && t->n == 1) return true;
  return false;
}

}  // namespace

std::string render_answers(const Summary& summary) {
  std::string out =
      "## Answers\n\nTwo strategies are told apart at a size only when their 95% confidence "
      "intervals do not overlap; otherwise that size is a tie, not a win.";
  if (any_single_run(summary))
    out += " Some points have a single ok run and so no interval: there the single values decide.";
  out += "\n\n";
  out += winners_section(summary);
  out += crossovers_section(summary);
  out += render_limits(summary);
  out += batching_section(summary);
  out += best_threads_section(summary, "stream", key::receiver(key::throughput_gbps), "stream throughput");
  bool rr = false;
  for (const auto& p : summary.points) rr = rr || p.key.mode == "rr";
  if (rr) out += best_threads_section(summary, "rr", key::receiver(key::messages_per_s), "rr transactions per second");
  out += zero_copy_section(summary);
  out += render_copies_answers(summary);
  out += mapped_section(summary);
  out += rr_section(summary);
  return out;
}

}  // namespace copybench::report
