#include "params/param_table.h"

#include <fmt/format.h>
#include <algorithm>

#include "core/column_keys.h"
#include "core/error.h"
#include "core/json.h"
#include "core/message.h"
#include "core/units.h"
#include "params/param_rows.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

using nlohmann::json;

std::vector<Param> build_table() {
  std::vector<Param> t;
  param_rows::add_path_rows(t);  // in the CSV's column order
  param_rows::add_run_rows(t);
  param_rows::add_socket_rows(t);
  return t;
}

}  // namespace

std::string Param::long_option() const {
  auto at = option.rfind("--");
  return at == std::string::npos ? option : option.substr(at);
}

const std::vector<Param>& test_parameters() {
  static const std::vector<Param> table = [] {
    auto rows = build_table();
    for (const auto& p : rows) {  // what the loops over the table call must exist
      if (p.wire.slot != WireSlot::none && p.wire.slot != WireSlot::congestion && (!p.to_wire || !p.from_wire))
        throw Error(fmt::format("parameter {}: a wire slot needs to_wire and from_wire", p.key));
      if (!p.sweep_option.empty() && (!p.id_part || p.plan_key.empty() || p.sweep_default.empty() || p.axis_rank < 0))
        throw Error(
            fmt::format("parameter {}: a sweep axis needs id_part, plan_key, sweep_default and axis_rank", p.key));
    }
    return rows;
  }();
  return table;
}

const Param& test_parameter(std::string_view key) {
  for (const auto& p : test_parameters())
    if (p.key == key) return p;
  throw Error(fmt::format("no test parameter '{}'", key));
}

std::vector<const Param*> sweep_axes() {
  std::vector<const Param*> axes;
  for (const auto& p : test_parameters())
    if (!p.sweep_option.empty()) axes.push_back(&p);
  std::sort(axes.begin(), axes.end(), [](const Param* a, const Param* b) { return a->axis_rank < b->axis_rank; });
  return axes;
}

bool same_params(const TestParams& a, const TestParams& b) {
  return std::all_of(test_parameters().begin(), test_parameters().end(), [&](const Param& p) { return p.same(a, b); });
}

bool same_test(const TestParams& connection, const TestParams& test) {
  return std::all_of(test_parameters().begin(), test_parameters().end(),
                     [&](const Param& p) { return !p.identifies_test || p.same(connection, test); });
}

std::vector<std::string> params_to_args(const TestParams& params) {
  std::vector<std::string> args;
  for (const auto& p : test_parameters()) {
    if (p.option.empty() || p.is_default(params)) continue;
    args.push_back(p.long_option());
    if (p.kind == OptionKind::value) args.push_back(p.text(params));
  }
  return args;
}

json params_to_json(const TestParams& params) {
  json j = json::object();
  for (const auto& p : test_parameters()) j[p.key] = p.to_json(params);
  return j;
}

TestParams params_from_json(const json& j) {
  TestParams params;
  for (const auto& p : test_parameters()) {
    if (!p.json_required && (!j.contains(p.key) || j.at(p.key).is_null())) continue;  // older results
    p.from_json(params, j.at(p.key));
  }
  return params;
}

}  // namespace copybench
