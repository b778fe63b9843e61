// The report's answers to "is it only two copies?" and "which components copy?", and its
// "copies per message" table, worded from copies.h's findings (sweep --profile runs only).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"
#include "report/copies.h"
#include "report/markdown.h"

namespace copybench::report {
namespace {

std::string point_name(const PointKey& k) {
  return fmt::format("{}, {}, {} messages, {} thread{}", k.topology, k.strategy, short_size(k.message_bytes), k.threads,
                     k.threads == 1 ? "" : "s");
}

std::string stages_text(const PointCopies& c) {
  std::string out;
  for (const auto& s : c.stages)
    out += fmt::format("{}{} on the {}'s threads ({}% of its CPU samples)", out.empty() ? "" : "; ", s.component,
                       side_name(s.side), short_number(s.median_pct));
  return out.empty() ? "none above the threshold" : out;
}

std::string two_copies_section(const std::vector<PointCopies>& all) {
  std::string out = fmt::format(
      "### Is it only two copies?\n\nCounted from the CPU samples of --profile runs (summary.csv "
      "`<side>_cpu_<copy bucket>_pct`): a copy stage is present when its bucket holds at least {}% of a side's "
      "samples (median over the runs); the same stage seen on both sides' threads is one pass over the bytes. "
      "The textbook's two are the send call's user→kernel copy and the receive call's kernel→user copy.\n\n",
      short_number(kStagePct));
  int two = 0;
  std::string exceptions;
  for (const auto& c : all) {
    if (c.passes == 2) ++two;
    else
      exceptions += fmt::format("- **{}**: {} cop{}: {}.\n", point_name(c.key), c.passes, c.passes == 1 ? "y" : "ies",
                                stages_text(c));
  }
  out += fmt::format("Two copies at {} of the {} profiled points.{}\n\n", two, all.size(),
                     exceptions.empty() ? "" : " Elsewhere:");
  if (!exceptions.empty()) out += exceptions + "\n";
  std::map<std::string, std::set<std::string>> zero_copy;  // strategy -> its deferred-copy points
  for (const auto& c : all)
    for (const auto& s : c.stages)
      if (s.bucket == bucket_info(Bucket::copy_zc_deferred).key) zero_copy[c.key.strategy].insert(point_name(c.key));
  for (const auto& [strategy, points] : zero_copy)
    out += fmt::format(
        "- {} still copied at {} point{}: the kernel copied the pinned pages later "
        "(skb_copy_ubufs) instead of in the send call, so MSG_ZEROCOPY moved the copy, it did not "
        "remove it.\n",
        strategy, points.size(), points.size() == 1 ? "" : "s");
  return out + (zero_copy.empty() ? "" : "\n");
}

std::string components_section(const std::vector<PointCopies>& all) {
  std::string out =
      "### Which components copy?\n\nEach copy stage, the component that performs it, and the range "
      "over the profiled points of each strategy of the median share of the side's CPU samples it "
      "took.\n\n| strategy | component | side | points | CPU share |\n|---|---|---|---|---|\n";
  struct Range {
    double low = 1e300, high = -1;
    int points = 0;
  };
  std::map<std::tuple<int, std::string, std::string, std::string>, Range> rows;
  for (const auto& c : all)
    for (const auto& s : c.stages) {
      auto& r = rows[{strategy_rank(c.key.strategy), c.key.strategy, s.bucket, side_name(s.side)}];
      r.low = std::min(r.low, s.median_pct), r.high = std::max(r.high, s.median_pct), ++r.points;
    }
  for (const auto& [k, r] : rows) {
    const auto& [rank, strategy, bucket, side] = k;
    out += fmt::format("| {} | {} | {} | {} | {} |\n", strategy, copy_component(bucket), side, r.points,
                       r.low == r.high ? short_number(r.low) + "%"
                                       : fmt::format("{}% to {}%", short_number(r.low), short_number(r.high)));
  }
  return out + "\n";
}

std::string per_message_table(const std::vector<PointCopies>& all) {
  std::string out = fmt::format(
      "### Copies per message\n\nCopy operations counted by the kernel's tracepoints on each side's threads, per "
      "message (summary.csv `{}` / `{}`, medians): receive copies "
      "(skb_copy_datagram_iovec, one per skb or part of one) plus send copies (tcp_sendmsg_locked chunks, or "
      "kprobes where the kernel has them). An operation copies part of a message, so these count operations, "
      "not passes over the bytes. n/a: not counted (MSG_ZEROCOPY sends' deferred copies need a kprobe; "
      "results.json says why).\n\n",
      key::sender(key::copies_per_msg), key::receiver(key::copies_per_msg));
  std::map<std::pair<std::string, int>, std::vector<const PointCopies*>> tables;
  for (const auto& c : all) tables[{c.key.topology, c.key.threads}].push_back(&c);
  auto cell = [](const std::optional<double>& v) { return v ? short_number(*v) : std::string("n/a"); };
  for (const auto& [where, points] : tables) {
    std::set<uint64_t> sizes;
    std::map<std::pair<int, std::string>, std::map<uint64_t, const PointCopies*>> rows;
    for (const auto* c : points) {
      sizes.insert(c->key.message_bytes);
      rows[{strategy_rank(c->key.strategy), c->key.strategy}][c->key.message_bytes] = c;
    }
    out += fmt::format("{}, {} thread{} (sender / receiver):\n\n| strategy |", where.first, where.second,
                       where.second == 1 ? "" : "s");
    for (uint64_t s : sizes) out += " " + short_size(s) + " |";
    out += "\n|---|";
    for (size_t i = 0; i < sizes.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& [rank_name, by_size] : rows) {
      out += "| " + rank_name.second + " |";
      for (uint64_t s : sizes) {
        auto it = by_size.find(s);
        out += it == by_size.end() ? " |"
                                   : fmt::format(" {} / {} |", cell(it->second->sender_copies_per_msg),
                                                 cell(it->second->receiver_copies_per_msg));
      }
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_copies_answers(const Summary& summary) {
  const auto all = point_copies(summary);
  if (all.empty())
    return "### Where are the copies?\n\nNo stream run of this sweep was profiled, so the copies were not observed; "
           "`copybench sweep --profile` counts and samples them.\n\n";
  return two_copies_section(all) + components_section(all) + per_message_table(all);
}

}  // namespace copybench::report
