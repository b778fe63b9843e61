#include "output/profile_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"

namespace copybench {
namespace {

const char* bucket_title(const std::string& key) {
  for (const auto& b : bucket_infos())
    if (key == b.key) return b.title;
  return "?";
}

std::string overhead_line(const SideFigures& s) {
  const ProfileFigures& p = *s.profile;
  std::string why;
  const auto pct = profile_overhead_pct(p, &why);
  if (!pct) return fmt::format("    {}: unknown: {}\n", side_name(s.side), why);
  return fmt::format(
      "    {}: {:.1f}% of its throughput ({:.3f} Gbit/s in {} slices with the profile, {:.3f} Gbit/s in {} without)\n",
      side_name(s.side), *pct, p.on_ns ? p.on_bytes * 8.0 / static_cast<double>(p.on_ns) : 0.0, p.slices_on,
      p.off_ns ? p.off_bytes * 8.0 / static_cast<double>(p.off_ns) : 0.0, p.slices_off);
}

// One line per distinct reason, naming the events that share it.
std::string missing(const SideFigures& s) {
  const ProfileFigures& p = *s.profile;
  std::string out;
  std::vector<std::pair<std::string, std::string>> by_reason;
  for (const auto& e : p.events) {
    if (e.count && e.reason.empty()) continue;
    const std::string what = fmt::format("{} ({})", e.name, e.scope);
    if (e.count) {
      out += fmt::format("    {}: {}: {}\n", side_name(s.side), what, e.reason);
      continue;
    }
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& r) { return r.first == e.reason; });
    if (it == by_reason.end()) by_reason.push_back({e.reason, what});
    else it->second += ", " + what;
  }
  for (const auto& [reason, names] : by_reason)
    out += fmt::format("    {}: not counted: {}: {}\n", side_name(s.side), names, reason);
  std::string why;
  if (!copies_per_msg(p, &why)) out += fmt::format("    {}: {}: {}\n", side_name(s.side), key::copies_per_msg, why);
  if (!p.threads) out += fmt::format("    {}: no samples of its threads: {}\n", side_name(s.side), p.threads_reason);
  if (!p.machine)
    out += fmt::format("    {}: no samples of the whole machine: {}\n", side_name(s.side), p.machine_reason);
  if (!p.kernel_caveat.empty())
    out += fmt::format("    {}: kernel buckets unknown: {}\n", side_name(s.side), p.kernel_caveat);
  if (!p.threads_caveat.empty()) out += fmt::format("    {}: {}\n", side_name(s.side), p.threads_caveat);
  if (p.samples_lost)
    out += fmt::format("    {}: {} sample records lost (ring buffer full)\n", side_name(s.side), p.samples_lost);
  return out;
}

std::string top_functions(const SideFigures& s) {
  const auto& view = s.profile->threads;
  if (!view || view->top.empty()) return "";
  std::string out =
      fmt::format("    {} ({} samples of its test threads, {} Hz):\n", side_name(s.side), view->samples, view->hz);
  for (const auto& f : view->top)
    out += fmt::format("      {:>5.1f}%  {:<44} {}\n", f.pct, f.function.substr(0, 44), bucket_title(f.bucket));
  return out;
}

}  // namespace

std::string render_profile(const RunResult& r) {
  std::vector<const SideFigures*> sides;
  for (const auto* s : {r.sender ? &*r.sender : nullptr, r.receiver ? &*r.receiver : nullptr})
    if (s) sides.push_back(s);
  if (!r.params.profile) return "";
  std::string out, overhead, reasons, top;
  for (const auto* s : sides) {
    if (!s->profile) {
      reasons += fmt::format("    {}: no profile: {}\n", side_name(s->side), s->profile_reason);
      continue;
    }
    overhead += overhead_line(*s);
    reasons += missing(*s);
    top += top_functions(*s);
  }
  if (!overhead.empty())
    out += "  profiling cost, the same run with and without it (alternating slices of the window):\n" + overhead;
  if (!reasons.empty()) out += "  profile figures unavailable or partial:\n" + reasons;
  if (!top.empty()) out += "  top functions (leaf of each sample, with the bucket its call chain gave it):\n" + top;
  return out;
}

}  // namespace copybench
