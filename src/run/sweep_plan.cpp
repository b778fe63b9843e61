#include "run/sweep_plan.h"

#include <cmath>
#include <fmt/format.h>

#include "core/error.h"
#include "run/affinity.h"
#include "run/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

// splitmix64: a fixed, documented generator, so a seed gives the same order with any
// standard library (std::shuffle's algorithm is unspecified).
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename T>
void shuffle(std::vector<T>& items, uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[next_random(state) % i]);
}

// "1K", "64K", "1M" when exact, else bytes: short enough for ids and progress lines.
std::string compact_size(uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{}M", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{}K", bytes >> 10);
  return fmt::format("{}B", bytes);
}

constexpr int64_t kStartupAllowanceNs = 600'000'000;  // two processes, connections, figures

}  // namespace

SweepGrid quick_grid() {
  SweepGrid g;
  g.sizes = {1024, 65536};
  g.threads = {1, 2};
  g.reps = 2;
  g.duration_ns = 1'000'000'000;
  g.warmup_ns = 200'000'000;
  return g;
}

std::string point_id(const TestParams& p) {
  std::string path = p.strategy;
  if (p.recv_strategy != kDefaultRecvStrategy) path += "+" + p.recv_strategy;
  std::string id = fmt::format("{}/{}/{}", mode_name(p.mode), path, compact_size(p.message_bytes));
  if (p.mode == TestMode::rr) id += "+" + compact_size(p.response_size());
  return fmt::format("{}/{}t", id, p.threads);
}

SweepPlan make_plan(const SweepGrid& grid, const TopologyOptions& topology, uint64_t seed) {
  if (grid.reps < 1 || grid.reps > 1000) throw UsageError(fmt::format("--reps {} is out of range (1 to 1000)", grid.reps));
  if (grid.strategies.empty() || grid.recv_strategies.empty() || grid.modes.empty() || grid.sizes.empty() ||
      grid.threads.empty())
    throw UsageError("the grid is empty: give at least one strategy, receive strategy, mode, size and thread count");
  SweepPlan plan{grid, seed, topology, {}};
  int point = 0;
  for (auto mode : grid.modes)
    for (const auto& strategy : grid.strategies)
      for (const auto& receive : grid.recv_strategies)
      for (auto size : grid.sizes)
        for (int threads : grid.threads) {
          TestParams p;
          p.strategy = strategy_info(strategy).name;
          p.recv_strategy = recv_strategy_info(receive).name;
          p.mode = mode;
          p.message_bytes = size;
          p.response_bytes = mode == TestMode::rr ? grid.response_bytes : 0;
          p.threads = threads;
          p.duration_ns = grid.duration_ns;
          p.auto_duration = grid.auto_duration;
          p.pin = grid.pin;
          p.warmup_ns = grid.warmup_ns;
          p.verify = grid.verify;
          p.counters = grid.counters;
          p.latency = grid.latency;
          p.profile = grid.profile;
          validate(p);
          for (int rep = 1; rep <= grid.reps; ++rep) plan.runs.push_back({0, point, rep, point_id(p), p});
          ++point;
        }
  shuffle(plan.runs, seed);
  for (size_t i = 0; i < plan.runs.size(); ++i) plan.runs[i].order = static_cast<int>(i + 1);
  return plan;
}

int64_t estimated_ns(const SweepPlan& plan, size_t runs_left) {
  return static_cast<int64_t>(runs_left) * (plan.grid.warmup_ns + plan.grid.duration_ns + kStartupAllowanceNs);
}

nlohmann::json to_json(const SweepPlan& plan) {
  const auto& g = plan.grid;
  std::vector<std::string> modes;
  for (auto m : g.modes) modes.emplace_back(mode_name(m));
  nlohmann::json topology = {{"kind", topology_name(plan.topology.kind)},
                             {"mtu", plan.topology.mtu},
                             {"optmem_max", plan.topology.optmem_max ? nlohmann::json(*plan.topology.optmem_max) : nlohmann::json(nullptr)},
                             {"host", plan.topology.host},
                             {"port", plan.topology.port}};
  return {{"strategies", g.strategies},   {"recv_strategies", g.recv_strategies}, {"modes", modes},
          {"sizes_bytes", g.sizes},       {"threads", g.threads},
          {"response_bytes", g.response_bytes}, {"reps", g.reps},
          {"duration_s", g.duration_ns / 1e9}, {"duration_auto", g.auto_duration}, {"pin", pin_name(g.pin)}, {"warmup_s", g.warmup_ns / 1e9},
          {"verify", g.verify},           {"counters", g.counters},
          {"send_latency", g.latency},    {"profile", g.profile},         {"seed", plan.seed},
          {"topology", topology},         {"runs", plan.runs.size()}};
}

SweepPlan plan_from_json(const nlohmann::json& j) {
  try {
    SweepGrid g;
    g.strategies = j.at("strategies").get<std::vector<std::string>>();
    g.recv_strategies = j.value("recv_strategies", std::vector<std::string>{std::string(kDefaultRecvStrategy)});
    g.modes.clear();
    for (const auto& m : j.at("modes")) g.modes.push_back(parse_mode(m.get<std::string>()));
    g.sizes = j.at("sizes_bytes").get<std::vector<uint64_t>>();
    g.threads = j.at("threads").get<std::vector<int>>();
    g.response_bytes = j.at("response_bytes").get<uint64_t>();
    g.reps = j.at("reps").get<int>();
    g.duration_ns = static_cast<int64_t>(std::llround(j.at("duration_s").get<double>() * 1e9));
    g.warmup_ns = static_cast<int64_t>(std::llround(j.at("warmup_s").get<double>() * 1e9));
    g.auto_duration = j.value("duration_auto", false);
    g.pin = parse_pin(j.value("pin", std::string("none")));
    g.verify = j.at("verify").get<bool>();
    g.counters = j.at("counters").get<bool>();
    g.latency = j.at("send_latency").get<bool>();
    g.profile = j.value("profile", false);  // absent in plans saved before --profile
    const auto& t = j.at("topology");
    TopologyOptions topology;
    topology.kind = parse_topology(t.at("kind").get<std::string>());
    topology.mtu = t.at("mtu").get<int>();
    if (!t.at("optmem_max").is_null()) topology.optmem_max = t.at("optmem_max").get<long>();
    topology.host = t.at("host").get<std::string>();
    topology.port = t.at("port").get<uint16_t>();
    return make_plan(g, topology, j.at("seed").get<uint64_t>());
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("the saved sweep plan is malformed: {}", e.what()));
  }
}

}  // namespace copybench
