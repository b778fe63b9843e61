#include "report/fleet_markdown.h"

#include <fmt/format.h>
#include <algorithm>
#include <map>

namespace copybench::report {
namespace {

constexpr const char* kNone = "—";

// Table cells must not break the table.
std::string cell(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::vector<std::string> host_names(const FleetSpec& spec) {
  std::vector<std::string> names;
  for (const auto& h : spec.hosts) names.push_back(h.name);
  return names;
}

std::string intro(const FleetView& f) {
  int measured = 0, failed = 0, faulty = 0;
  for (const auto& p : f.pairs) {
    measured += p.summary ? 1 : 0;
    failed += p.pair.ok() ? 0 : 1;
    faulty += p.pair.ok() && !p.problems.empty() ? 1 : 0;
  }
  return fmt::format(
      "# copybench fleet report\n\n"
      "Written by `copybench report` from fleet.json and each pair's runs.csv and results.json (pairs/CLIENT--SERVER/, "
      "a sweep of topology remote that the client ran against the server). fleet-summary.csv holds every pair's "
      "summary rows, plots/ the data and gnuplot scripts of every heatmap.\n\n"
      "{} hosts, {} pairs (pattern {}): {} measured and in the tables, {} failed, {} ok but with a fault in "
      "their folder.\n\n",
      f.spec.hosts.size(), f.pairs.size(), f.spec.pattern.empty() ? "not given" : f.spec.pattern, measured, failed,
      faulty);
}

std::string pair_notes(const PairOutcome& p) {
  std::vector<std::string> notes;
  if (!p.pair.ok()) notes.push_back(p.pair.error.empty() ? "(no error given)" : p.pair.error);
  notes.insert(notes.end(), p.problems.begin(), p.problems.end());
  return cell(join(notes, "; "));
}

std::string pairs_section(const FleetView& f) {
  std::string out =
      "## Pairs\n\nA failed pair's error is fleet.json's. A fault in a pair's folder is named here; a pair whose "
      "runs.csv could not be read is not in the tables, and the rest goes on.\n\n| client | server | status | in the "
      "tables | report | error or fault |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& p : f.pairs) {
    std::string link = p.report_written ? fmt::format("[{0}/report.md]({0}/report.md)", p.folder) : std::string(kNone);
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", p.pair.client, p.pair.server,
                       cell(pair_status_name(p.pair.status)), p.summary ? "yes" : "no", link, pair_notes(p));
  }
  return out + "\n";
}

std::string outliers_section(const FleetView& f) {
  std::string out = fmt::format(
      "## Outliers\n\nA pair stands out when, for a point measured by at least {} pairs, its median is below {}× "
      "the fleet median (the median of the matrix's cells) for receiver throughput, or above {}× it for CPU time "
      "per byte and rr latency, where higher is worse. Such cells are in bold in the matrices.\n\n",
      kOutlierMinPairs, kLowFactor, kHighFactor);
  auto outliers = fleet_outliers(f.matrices);
  if (outliers.empty()) return out + "None.\n\n";
  out += "| data path and point | metric | client | server | value | fleet median | × median |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const auto& o : outliers) {
    const double median = o.matrix->fleet_median;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(point_label(o.matrix->point)),
                       o.matrix->metric->title, o.client, o.server, short_number(o.value), short_number(median),
                       median != 0 ? fmt::format("{:.2f}", o.value / median) : std::string(kNone));
  }
  return out + "\n";
}

std::string heatmap_link(const PlotEntry& e) {
  if (e.rendered)
    return fmt::format("![{0}](plots/{1}.png)\n\nVector version: [plots/{1}.svg](plots/{1}.svg).\n\n", e.title, e.stem);
  return fmt::format("Heatmap `{}` not drawn: {}\n\n", e.stem, e.failed.empty() ? e.skipped : e.failed);
}

std::string matrices_section(const FleetView& f) {
  const auto hosts = host_names(f.spec);
  std::string out =
      "## Matrices\n\nFor each data path and point, one table per metric: a row per client, a column per server, "
      "each cell the pair's median over its ok runs (summary.csv's `_median`); — where the pair was not measured, "
      "failed or had a fault.\n\n";
  if (f.matrices.empty()) return out + "No pair was measured.\n\n";
  if (!f.plots.note.empty()) out += f.plots.note + "\n\n";
  for (size_t i = 0; i < f.matrices.size(); ++i) {
    const auto& m = f.matrices[i];
    if (i == 0 || !(f.matrices[i - 1].point == m.point)) out += fmt::format("### {}\n\n", cell(point_label(m.point)));
    out += fmt::format("**{}** (`{}`): fleet median {} over {} pair{}.\n\n", m.metric->title, m.metric->column,
                       short_number(m.fleet_median), m.cells.size(), m.cells.size() == 1 ? "" : "s");
    out += render_matrix(m, hosts);
    if (i < f.plots.entries.size()) out += heatmap_link(f.plots.entries[i]);
  }
  return out;
}

}  // namespace

std::string render_matrix(const FleetMatrix& m, const std::vector<std::string>& hosts) {
  std::string out = "| client \\ server |", rule = "|---|";
  for (const auto& h : hosts) {
    out += " " + h + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& client : hosts) {
    out += "| " + client + " |";
    for (const auto& server : hosts) {
      auto it = m.cells.find({client, server});
      if (it == m.cells.end()) out += fmt::format(" {} |", kNone);
      else if (is_outlier(m, it->second)) out += fmt::format(" **{}** |", short_number(it->second));
      else out += fmt::format(" {} |", short_number(it->second));
    }
    out += "\n";
  }
  return out + "\n";
}

std::string render_hosts_table(const FleetSpec& spec, const std::vector<PairOutcome>& pairs) {
  std::map<std::string, HostEnvironment> facts;
  for (const auto& p : pairs) {
    if (!p.environments) continue;
    for (const auto& [host, env] :
         {std::pair{p.pair.client, &p.environments->first}, std::pair{p.pair.server, &p.environments->second}})
      for (const auto& [field, values] : *env)
        for (const auto& v : values)
          if (auto& known = facts[host][field]; std::find(known.begin(), known.end(), v) == known.end())
            known.push_back(v);
  }
  std::string out =
      "## Hosts\n\nFrom the runs' results in each pair's results.json (the client's and the server's "
      "side); several values are those different pairs saw (the path MTU is per path).\n\n| |";
  std::string rule = "|---|", address = "| address |";
  for (const auto& h : spec.hosts) {
    out += " " + h.name + " |";
    rule += "---|";
    address += " " + (h.address.empty() ? std::string(kNone) : cell(h.address)) + " |";
  }
  out += "\n" + rule + "\n" + address + "\n";
  for (const auto& [field, label] : environment_fields()) {
    out += "| " + label + " |";
    for (const auto& h : spec.hosts) {
      auto host = facts.find(h.name);
      auto values = host == facts.end() ? nullptr : &host->second[field];
      out += " " + (values && !values->empty() ? cell(join(*values, ", ")) : std::string(kNone)) + " |";
    }
    out += "\n";
  }
  return out + "\n";
}

std::string render_fleet_markdown(const FleetView& f) {
  return intro(f) + pairs_section(f) + render_hosts_table(f.spec, f.pairs) + outliers_section(f) + matrices_section(f);
}

}  // namespace copybench::report
