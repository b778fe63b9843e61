#include "cli/sweep_options.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "run/affinity.h"
#include "run/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

template <typename T>
void add_once(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

SweepOptions SweepCliOptions::options() const {
  SweepOptions o;
  if (!resume.empty()) {
    o.resume_dir = resume;
    o.quiet = quiet;
    return o;  // everything else comes from the saved plan (CLI11 refuses the other options)
  }
  SweepGrid& g = o.grid;
  if (quick) g = quick_grid();
  // Repeated values (1K,1024 or a1,two-copy) would be one point measured twice as often.
  if (!strategies.empty()) {
    g.strategies.clear();
    for (const auto& s : strategies) {
      if (s == "all") {  // every registered strategy this kernel can run
        for (const auto& info : strategies_available()) add_once(g.strategies, info.name);
        continue;
      }
      add_once(g.strategies, strategy_info(s).name);
    }
  }
  if (!recvs.empty()) {
    g.recv_strategies.clear();
    for (const auto& r : recvs) {
      if (r == "all") {
        for (const auto& info : recv_strategies()) add_once(g.recv_strategies, info.name);
        continue;
      }
      add_once(g.recv_strategies, recv_strategy_info(r).name);
    }
  }
  if (!modes.empty()) {
    g.modes.clear();
    for (const auto& m : modes) add_once(g.modes, parse_mode(m));
  }
  if (!sizes.empty()) {
    g.sizes.clear();
    for (const auto& s : sizes) add_once(g.sizes, parse_size(s));
  }
  if (!threads.empty()) {
    g.threads.clear();
    for (int t : threads) add_once(g.threads, t);
  }
  if (given("--reps")) g.reps = reps;
  if (!duration.empty()) {
    TestParams p;
    set_duration(p, duration);
    g.duration_ns = p.duration_ns;
    g.auto_duration = p.auto_duration;
  }
  if (!warmup.empty()) g.warmup_ns = parse_duration_ns(warmup);
  if (!response_size.empty()) {
    g.response_bytes = parse_size(response_size);
    if (g.response_bytes == 0) throw UsageError("--response-size 0 is out of range (1 B to 16 MiB)");
    if (std::find(g.modes.begin(), g.modes.end(), TestMode::rr) == g.modes.end())
      throw UsageError("--response-size needs rr among --modes");
  }
  g.verify = verify;
  if (!pin.empty()) g.pin = parse_pin(pin);
  g.counters = !no_counters;
  g.latency = !no_latency;
  g.profile = profile;
  // --host names a remote server, as iperf3 -c does; the other topologies would ignore it.
  o.topology.kind = !topology.empty() ? parse_topology(topology) : !host.empty() ? TopologyKind::remote : default_topology();
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
  o.seed = seed_given ? seed : static_cast<uint64_t>(now_ns());
  o.out_dir = out;
  o.quiet = quiet;
  return o;
}

void add_sweep_options(CLI::App* cmd, SweepCliOptions& o) {
  o.cmd = cmd;
  cmd->add_option("--strategies", o.strategies,
                  "send strategies, comma-separated, or all (every one this kernel supports; default: "
                  "two-copy,one-copy,zero-copy)")
      ->delimiter(',');
  cmd->add_option("--recvs", o.recvs, "receive strategies, comma-separated, or all (default: recv)")->delimiter(',');
  cmd->add_option("--sizes", o.sizes, "message sizes (default: 1K,4K,16K,64K)")->delimiter(',');
  cmd->add_option("--threads", o.threads, "thread counts (default: 1,2,4,8)")->delimiter(',');
  cmd->add_option("--modes", o.modes, "stream and/or rr (default: stream)")->delimiter(',');
  cmd->add_option("--response-size", o.response_size, "rr points: response size (default: the message size)");
  cmd->add_option("--reps", o.reps, "repetitions of every point, in shuffled order (default 3)");
  cmd->add_option("-d,--duration", o.duration, "measured window of each run (default 2s), or auto[:CEILING]");
  cmd->add_option("--warmup", o.warmup, "warm-up of each run (default 500ms)");
  cmd->add_option("--topology", o.topology, "loopback, netns (two namespaces and a veth pair; default as root) or remote");
  cmd->add_option("--mtu", o.mtu, "netns: MTU of the veth pair (68 to 65535)")->capture_default_str();
  cmd->add_option("--optmem-max", o.optmem_max, "netns: net.core.optmem_max inside both namespaces (default: leave)");
  cmd->add_option("--host", o.host, "remote: the host running `copybench server`");
  cmd->add_option("-p,--port", o.port, "remote: its port")->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the run order (default: from the clock; recorded)")->each([&o](const std::string&) { o.seed_given = true; });
  cmd->add_option("--pin", o.pin, "CPU affinity of every run's connection threads: same, split or none");
  cmd->add_flag("--quick", o.quick, "a small grid that ends in about a minute (1K,64K x 1,2 threads x 2 reps, 1 s)");
  cmd->add_flag("--verify", o.verify, "check every received byte in every run");
  cmd->add_flag("--no-counters", o.no_counters, "no perf_event_open counters");
  cmd->add_flag("--no-latency", o.no_latency, "stream: do not time send calls");
  cmd->add_flag("--profile", o.profile,
                "profile every run (where the copies are: events counted, CPU sampled, each run's own cost "
                "measured); the report then answers the copy questions and draws the CPU buckets");
  cmd->add_option("-o,--out", o.out, "output folder (default: results/<UTC time>)");
  auto* resume = cmd->add_option("--resume", o.resume, "finish the sweep in this folder, with the plan saved there");
  for (auto* opt : cmd->get_options())
    if (opt != resume && opt->get_name() != "--quiet" && opt->get_name() != "--help") resume->excludes(opt);
  cmd->add_flag("-q,--quiet", o.quiet, "no progress output");
}

}  // namespace copybench
