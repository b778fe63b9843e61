#include "sweep/sweep_plan.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "core/error.h"

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

constexpr int64_t kStartupAllowanceNs = 600'000'000;  // two processes, connections, figures

}  // namespace

TestParams SweepGrid::sweep_base() {
  TestParams p;
  p.duration_ns = 2'000'000'000;
  p.warmup_ns = 500'000'000;
  p.interval_ns = 250'000'000;  // for summary.csv's interval_cv_pct: is each point steady?
  return p;
}

std::map<std::string, std::vector<std::string>> SweepGrid::default_axes() {
  std::map<std::string, std::vector<std::string>> axes;
  for (const auto* axis : sweep_axes()) axes[axis->key] = axis->sweep_default;
  return axes;
}

SweepGrid quick_grid() {
  SweepGrid g;
  g.axes["message_bytes"] = {"1024", "65536"};
  g.axes["threads"] = {"1", "2"};
  g.reps = 2;
  g.base.duration_ns = 1'000'000'000;
  g.base.warmup_ns = 200'000'000;
  return g;
}

std::string point_id(const TestParams& p) {
  std::string id;
  for (const auto* axis : sweep_axes()) id += axis->id_part(p);
  return id;
}

namespace {

// Every combination of the axes' values, the last axis varying fastest.
void expand(const SweepGrid& grid, const std::vector<const Param*>& axes, size_t depth, TestParams& p,
            std::vector<TestParams>& points) {
  if (depth == axes.size()) {
    TestParams point = p;
    for (const auto& row : test_parameters())  // a value where it means nothing takes the default
      if (!row.applies(point)) row.reset(point);
    points.push_back(std::move(point));
    return;
  }
  const auto* axis = axes[depth];
  for (const auto& value : grid.axes.at(axis->key)) {
    axis->parse(p, value);
    expand(grid, axes, depth + 1, p, points);
  }
}

}  // namespace

SweepPlan make_plan(const SweepGrid& grid, const TopologyOptions& topology, uint64_t seed) {
  if (grid.reps < 1 || grid.reps > 1000)
    throw UsageError(fmt::format("--reps {} is out of range (1 to 1000)", grid.reps));
  const auto axes = sweep_axes();
  for (const auto* axis : axes)
    if (!grid.axes.contains(axis->key) || grid.axes.at(axis->key).empty())
      throw UsageError("the grid is empty: give at least one strategy, receive strategy, mode, size and thread count");
  SweepPlan plan{grid, seed, topology, {}};
  std::vector<TestParams> points;
  TestParams p = grid.base;
  expand(grid, axes, 0, p, points);
  // An axis value that a point cannot use is reset (rr points of --recv-sizes 16K,64K): the
  // points that then coincide are measured once.
  std::vector<TestParams> unique;
  for (auto& point : points)
    if (std::none_of(unique.begin(), unique.end(), [&](const TestParams& u) { return point_id(u) == point_id(point); }))
      unique.push_back(std::move(point));
  points = std::move(unique);
  for (size_t point = 0; point < points.size(); ++point) {
    validate(points[point]);
    for (int rep = 1; rep <= grid.reps; ++rep)
      plan.runs.push_back({0, static_cast<int>(point), rep, point_id(points[point]), points[point]});
  }
  shuffle(plan.runs, seed);
  for (size_t i = 0; i < plan.runs.size(); ++i) plan.runs[i].order = static_cast<int>(i + 1);
  return plan;
}

int64_t estimated_ns(const SweepPlan& plan, size_t runs_left) {
  return static_cast<int64_t>(runs_left) *
         (plan.grid.base.warmup_ns + plan.grid.base.duration_ns + kStartupAllowanceNs);
}

nlohmann::json to_json(const SweepPlan& plan) {
  const auto& g = plan.grid;
  nlohmann::json topology = {
      {"kind", topology_name(plan.topology.kind)},
      {"mtu", plan.topology.mtu},
      {"optmem_max", plan.topology.optmem_max ? nlohmann::json(*plan.topology.optmem_max) : nlohmann::json(nullptr)},
      {"host", plan.topology.host},
      {"port", plan.topology.port}};
  nlohmann::json j = {{"reps", g.reps}, {"seed", plan.seed}, {"topology", topology}, {"runs", plan.runs.size()}};
  for (const auto& row : test_parameters()) {
    if (row.sweep_option.empty()) {
      j[row.key] = row.to_plan_json(g.base);
      continue;
    }
    auto& list = j[row.plan_key] = nlohmann::json::array();
    TestParams value = g.base;
    for (const auto& text : g.axes.at(row.key)) {
      row.parse(value, text);
      list.push_back(row.to_plan_json(value));  // as typed: "auto" stays 0, not one message size's answer
    }
  }
  return j;
}

SweepPlan plan_from_json(const nlohmann::json& j) {
  try {
    SweepGrid g;
    for (const auto& row : test_parameters()) {
      if (row.sweep_option.empty()) {
        if (j.contains(row.key) && !j.at(row.key).is_null()) row.from_json(g.base, j.at(row.key));
        else if (row.json_required) j.at(row.key);  // throws, naming the key
        continue;
      }
      auto& values = g.axes[row.key];
      values.clear();
      if (!j.contains(row.plan_key) && !row.json_required) {  // a plan saved before this axis existed
        values.push_back(row.text(TestParams{}));
        continue;
      }
      for (const auto& item : j.at(row.plan_key)) {
        TestParams value;
        row.from_json(value, item);
        values.push_back(row.text(value));
      }
    }
    g.reps = j.at("reps").get<int>();
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

bool belongs(const PlannedRun& planned, const std::string& point, int rep, const TestParams& params) {
  return planned.point_id == point && planned.rep == rep && same_params(planned.params, params);
}

}  // namespace copybench
