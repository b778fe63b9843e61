#include "cli/sweep_options.h"

#include <fmt/format.h>
#include <algorithm>
#include <optional>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "params/param_table.h"
#include "strategies/recv/recv_strategy.h"

namespace copybench {
namespace {

template <typename T>
void add_once(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// `--recvs all --verify` means every receiver that can verify: discard and splice leave no byte
// in user memory, so they are left out, with a note, where naming one with --verify is refused.
void drop_unverifiable_receivers(std::vector<std::string>& receivers, bool quiet) {
  std::string dropped;
  std::erase_if(receivers, [&](const std::string& name) {
    if (recv_strategy_info(name).verifiable) return false;
    dropped += (dropped.empty() ? "" : ", ") + name;
    return true;
  });
  if (!dropped.empty() && !quiet)
    fmt::print(stderr, "copybench: --recvs all with --verify leaves out {} (no byte reaches user memory to check)\n",
               dropped);
  if (receivers.empty()) throw UsageError("--verify needs a receive strategy that leaves the bytes in user memory");
}

}  // namespace

// A value given where no point of the grid can use it (--response-size without rr among
// --modes) is refused, as `run` refuses it.
void check_needs(const SweepGrid& grid) {
  std::optional<SweepPlan> plan;  // made only when a value with a `needs` rule was given
  for (const auto& row : test_parameters()) {
    if (row.sweep_needs.empty()) continue;
    bool given = row.sweep_option.empty() ? !row.is_default(grid.base) : grid.axes.at(row.key) != row.sweep_default;
    if (!given) continue;
    if (!plan) plan = make_plan(grid, TopologyOptions{}, 0);
    if (std::none_of(plan->runs.begin(), plan->runs.end(), [&](const PlannedRun& r) { return row.applies(r.params); }))
      throw UsageError(
          fmt::format("{} needs {}", row.sweep_option.empty() ? row.long_option() : row.sweep_option, row.sweep_needs));
  }
}

// --resume and --compare-to: the grid, topology and seed come from the saved plan (CLI11 refuses
// the options that would set them).
SweepOptions SweepCliOptions::from_saved_plan() const {
  SweepOptions o;
  o.resume_dir = resume;
  o.compare_to_dir = compare_to;
  o.out_dir = resume.empty() ? out : "";  // a resumed sweep stays in its folder
  o.quiet = quiet;
  o.json_stream = json_stream;
  o.secret_file = secret_file;
  return o;
}

SweepOptions SweepCliOptions::options() const {
  SweepOptions o;
  if (!resume.empty() || !compare_to.empty()) return from_saved_plan();
  SweepGrid& g = o.grid;
  if (quick) g = quick_grid();
  bool all_receivers = false;  // --recvs all: with --verify, the receivers that can verify
  for (const auto* axis : sweep_axes()) {
    const auto& typed = axes.at(axis->key);
    if (typed.empty()) continue;
    // Repeated values (1K,1024 or a1,two-copy) would be one point measured twice as often.
    auto& values = g.axes[axis->key];
    values.clear();
    for (const auto& text : typed) {
      if (text == "all" && axis->all) {  // e.g. every registered strategy this kernel can run
        for (const auto& name : axis->all()) add_once(values, name);
        all_receivers = all_receivers || axis->key == "recv_strategy";
        continue;
      }
      TestParams value;
      axis->parse(value, text);
      add_once(values, axis->text(value));
    }
  }
  if (given("--reps")) g.reps = reps;
  g.base = scalars.apply(g.base);
  if (g.base.verify && all_receivers) drop_unverifiable_receivers(g.axes.at("recv_strategy"), quiet);
  check_needs(g);
  // --host names a remote server, as iperf3 -c does; the other topologies would ignore it.
  o.topology.kind = !topology.empty() ? parse_topology(topology)
                    : !host.empty()   ? TopologyKind::remote
                                      : default_topology();
  if (!host.empty() && o.topology.kind != TopologyKind::remote) throw UsageError("--host needs --topology remote");
  if (o.topology.kind != TopologyKind::netns && (given("--mtu") || given("--optmem-max")))
    throw UsageError("--mtu and --optmem-max set up the netns topology; add --topology netns");
  if (mtu < 68 || mtu > 65535) throw UsageError(fmt::format("--mtu {} is out of range (68 to 65535)", mtu));
  o.topology.mtu = mtu;
  if (given("--optmem-max")) {
    if (optmem_max < 1) throw UsageError(fmt::format("--optmem-max {} is out of range (1 or more bytes)", optmem_max));
    o.topology.optmem_max = optmem_max;
  }
  o.topology.host = host;
  o.topology.port = port;
  if (!secret_file.empty() && o.topology.kind != TopologyKind::remote)
    throw UsageError("--secret-file is for a remote server; add --topology remote");
  o.secret_file = secret_file;
  o.seed = seed_given ? seed : static_cast<uint64_t>(now_ns());
  o.out_dir = out;
  o.quiet = quiet;
  o.json_stream = json_stream;
  return o;
}

void add_sweep_options(CLI::App* cmd, SweepCliOptions& o) {
  o.cmd = cmd;
  for (const auto* axis : sweep_axes())
    cmd->add_option(axis->sweep_option, o.axes[axis->key], axis->sweep_help)->delimiter(',');
  o.scalars.add(
      cmd, SweepGrid::sweep_base(), [](const Param& p) { return p.sweep_option.empty(); }, true);
  cmd->add_option("--reps", o.reps, "repetitions of every point, in shuffled order (default 3)");
  cmd->add_option("--topology", o.topology,
                  "loopback, netns (two namespaces and a veth pair; default as root) or remote");
  cmd->add_option("--mtu", o.mtu, "netns: MTU of the veth pair (68 to 65535)")->capture_default_str();
  cmd->add_option("--optmem-max", o.optmem_max, "netns: net.core.optmem_max inside both namespaces (default: leave)");
  cmd->add_option("--host", o.host, "remote: the host running `copybench server`");
  cmd->add_option("-p,--port", o.port, "remote: its port")->capture_default_str();
  auto* secret = cmd->add_option("--secret-file", o.secret_file,
                                 "remote: the shared secret the server asks for (its --secret-file)");
  cmd->add_option("--seed", o.seed, "seed of the run order (default: from the clock; recorded)")
      ->each([&o](const std::string&) { o.seed_given = true; });
  cmd->add_flag("--quick", o.quick, "a small grid that ends in about a minute (1K,64K x 1,2 threads x 2 reps, 1 s)");
  cmd->add_option("-o,--out", o.out, "output folder (default: results/<UTC time>)");
  auto* resume = cmd->add_option("--resume", o.resume, "finish the sweep in this folder, with the plan saved there");
  auto* compare_to = cmd->add_option(
      "--compare-to", o.compare_to,
      "run the grid of the sweep in this folder again (its plan and seed) into a new folder, then compare the two "
      "there (compare.md, compare.csv, plots/compare-*)");
  for (auto* opt : cmd->get_options()) {
    if (opt == resume || opt == compare_to || opt == secret || opt->get_name() == "--help") continue;
    if (opt->get_name() != "--quiet") resume->excludes(opt);
    if (opt->get_name() != "--quiet" && opt->get_name() != "--out") compare_to->excludes(opt);
  }
  resume->excludes(compare_to);
  cmd->add_flag("-q,--quiet", o.quiet, "no progress output");
  cmd->add_flag(
      "--json-stream", o.json_stream,
      "keep each run's JSON Lines (its intervals as they happened, then its result) in json-stream/run-ORDER.jsonl");
}

}  // namespace copybench
