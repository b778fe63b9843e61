#pragma once
// The test parameters, one row each: the only place a parameter's option, help, JSON key, CSV
// column, wire slot, default, range check and sweep axis are written. The run/client/sweep
// options (src/cli/), the client processes' argv, the wire header (net/protocol.cpp), the
// parameters JSON both ways and the CSV columns (results/), the sweep grid, plan and resume
// check (run/sweep_plan.cpp) and the server's "this data connection belongs to that test"
// check are all loops over this table. A new parameter is a TestParams field, a row in
// param_table.cpp, and the code that uses it.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "params/params.h"

namespace copybench {

/// The header fields a parameter can travel in (net/protocol.h lays them out); `flags` is a
/// bit field of the flags word.
enum class WireSlot : uint8_t {
  none,
  strategy_id,
  mode,
  message_bytes,
  response_bytes,
  warmup_ms,
  duration_ms,
  threads,
  flags,
  recv_strategy_id,
  recv_bytes,
  interval_ms,
  rate_bps,
  window_bytes,
  mss_bytes,
  congestion  // text: the row's text() and parse() carry it, at most kCongestionNameBytes - 1 bytes
};

struct Wire {
  WireSlot slot = WireSlot::none;
  uint32_t shift = 0;  // flags: the value's lowest bit
  uint32_t width = 0;  // flags: how many bits
};

/// How the option is typed: `value` takes text; `flag` sets the parameter true when given;
/// `off_flag` (--no-counters) sets it false.
enum class OptionKind : uint8_t { value, flag, off_flag };

/// A flag that sets a value parameter to one of its values (-R for --direction reverse).
struct FlagAlias {
  std::string option;  // CLI11 names
  std::string value;   // as typed after the row's own option
  std::string help;
};

struct Param {
  // --- Declared in the row ---
  std::string key{};     // JSON key in "parameters" and in a sweep plan; the CSV column
  std::string option{};  // CLI11 names ("-s,--strategy"); "" when another option sets it
  std::string help{};
  std::vector<FlagAlias> aliases{};  // run/client only (a sweep lists its values)
  OptionKind kind = OptionKind::value;
  std::string unit{};                        // of the CSV column
  std::string how{};                         // the CSV column's definition; "" when the parameter has no column
  Wire wire{};                               // where the header carries it; none: the client's alone
  bool identifies_test = false;              // a data connection must carry its test's value
  bool json_required = true;                 // false: results written before the row existed lack it
  std::string needs{};                       // "--mode rr": the value is only allowed where applies() holds
  std::string sweep_needs{};                 // the same rule said of a sweep ("rr among --modes")
  std::string sweep_option{};                // an axis of sweeps ("--sizes": a list); "" one value for every point
  std::string sweep_help{};                  // the help in `sweep` (axis: of its list); "" the row's help
  std::string plan_key{};                    // axis: the key of its list in the sweep plan
  std::vector<std::string> sweep_default{};  // axis: its values when not given (option text)
  int axis_rank = -1;                        // axis: its place in the grid's nesting and in point ids
  // --- Behaviour, from the field's type unless the row gives its own ---
  std::function<std::string(const TestParams&)> text{};          // as typed; parse(text(p)) restores it
  std::function<void(TestParams&, const std::string&)> parse{};  // throws UsageError
  std::function<nlohmann::json(const TestParams&)> to_json{};
  std::function<nlohmann::json(const TestParams&)> to_plan_json{};  // a sweep plan's scalar (default to_json)
  std::function<void(TestParams&, const nlohmann::json&)> from_json{};
  std::function<uint64_t(const TestParams&)> to_wire{};
  std::function<void(TestParams&, uint64_t)> from_wire{};  // throws Error naming a value it cannot take
  std::function<bool(const TestParams&, const TestParams&)> same{};
  std::function<bool(const TestParams&)> is_default{};
  std::function<void(TestParams&)> reset{};                 // back to the default
  std::function<void(const TestParams&)> check{};           // the range check; throws UsageError
  std::function<bool(const TestParams&)> applies{};         // whether the value means anything for this test
  std::function<std::string(const TestParams&)> id_part{};  // axis: its part of a point id, separator first
  std::function<std::vector<std::string>()> all{};          // axis: what "all" lists
  std::function<std::string()> choices{};                   // help lines listing the values, or null

  /// The long option ("--size"), for messages and argv.
  std::string long_option() const;
};

/// Every test parameter, in the CSV's column order.
const std::vector<Param>& test_parameters();

/// The row of `key`; throws Error for a key that is not in the table.
const Param& test_parameter(std::string_view key);

/// The sweep axes, in the grid's nesting order.
std::vector<const Param*> sweep_axes();

/// Every row's values compared as that row compares them (response_size, not response_bytes).
bool same_params(const TestParams& a, const TestParams& b);

/// Whether a data connection's parameters name the test it claims: the rows that identify a
/// test (identifies_test) agree.
bool same_test(const TestParams& connection, const TestParams& test);

/// The parameters as client options ("--size 1024 --verify"): each value that differs from
/// the default, so `copybench client` given them rebuilds `params`.
std::vector<std::string> params_to_args(const TestParams& params);

/// The "parameters" object of a result, and back (throws nlohmann's exceptions and UsageError).
nlohmann::json params_to_json(const TestParams& params);
TestParams params_from_json(const nlohmann::json& j);

}  // namespace copybench
