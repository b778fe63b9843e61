// The parameter table's rows of the data path: how the bytes are sent and received, which way.
#include "params/param_rows.h"

#include <fmt/format.h>
#include <algorithm>

#include "core/column_keys.h"
#include "core/error.h"
#include "core/json.h"
#include "core/message.h"
#include "core/units.h"
#include "params/param_codecs.h"
#include "params/param_rows.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench::param_rows {

using nlohmann::json;
using param_codecs::row;

std::string compact_size(uint64_t bytes) {
  auto text = size_text(bytes);
  return text.back() == 'K' || text.back() == 'M' ? text : text + "B";
}

void check_duration(const char* what, int64_t ns, int64_t min_ns, const char* range, int64_t max_ns) {
  if (ns < min_ns || ns > max_ns)
    throw UsageError(fmt::format("{} {} is out of range ({})", what, format_duration(ns), range));
}

// (declarative table): one row per parameter
void add_path_rows(std::vector<Param>& t) {
  t.push_back(row(&TestParams::strategy,
                  {.key = std::string(key::strategy),
                   .option = "-s,--strategy",
                   .help = "send strategy:",
                   .how = "send strategy of the sender",
                   .wire = {WireSlot::strategy_id},
                   .identifies_test = true,
                   .sweep_option = "--strategies",
                   .sweep_help = "send strategies, comma-separated, or all (every one this kernel supports; default: "
                                 "two-copy,one-copy,zero-copy)",
                   .plan_key = "strategies",
                   .sweep_default = {"two-copy", "one-copy", "zero-copy"},
                   .axis_rank = 2,
                   .parse = [](TestParams& p, const std::string& text) { p.strategy = strategy_info(text).name; },
                   .to_wire = [](const TestParams& p) -> uint64_t { return strategy_info(p.strategy).id; },
                   .from_wire =
                       [](TestParams& p, uint64_t id) {
                         const auto* info = id <= UINT8_MAX ? strategy_by_id(static_cast<uint8_t>(id)) : nullptr;
                         if (!info) throw Error(fmt::format("unknown strategy id {}", id));
                         p.strategy = info->name;
                       },
                   .check = [](const TestParams& p) { strategy_info(p.strategy); },
                   .id_part = [](const TestParams& p) { return "/" + p.strategy; },
                   .all =
                       [] {
                         std::vector<std::string> names;
                         for (const auto& info : strategies_available())
                           names.push_back(info.name);  // this kernel runs them
                         return names;
                       },
                   .choices =
                       [] {
                         std::string names;
                         for (const auto& s : strategies()) {
                           names += fmt::format("\n  {} ({}): {}", s.name, s.alias, s.description);
                           if (auto missing = s.missing(); !missing.empty())
                             names += fmt::format(" [not here: {}]", missing);
                         }
                         return names;
                       }}));
  t.push_back(
      row(&TestParams::recv_strategy,
          {.key = std::string(key::recv_strategy),
           .option = "--recv",
           .help = "receive strategy of the receiving side (the client; the server with --reverse):",
           .how = "receive strategy of the receiver (client; --reverse: the server); the rr responder reads with recv",
           .wire = {WireSlot::recv_strategy_id},
           .json_required = false,
           .sweep_option = "--recvs",
           .sweep_help = "receive strategies, comma-separated, or all (default: recv)",
           .plan_key = "recv_strategies",
           .sweep_default = {"recv"},
           .axis_rank = 3,
           .parse = [](TestParams& p, const std::string& text) { p.recv_strategy = recv_strategy_info(text).name; },
           // Travels for a server that receives (--reverse); 0 is the default.
           .to_wire = [](const TestParams& p) -> uint64_t { return recv_strategy_info(p.recv_strategy).id; },
           .from_wire =
               [](TestParams& p, uint64_t id) {
                 const auto* info = id <= UINT8_MAX ? recv_strategy_by_id(static_cast<uint8_t>(id)) : nullptr;
                 if (!info) throw Error(fmt::format("unknown receive strategy id {}", id));
                 p.recv_strategy = info->name;
               },
           .check = [](const TestParams& p) { recv_strategy_info(p.recv_strategy); },
           // The default receive strategy stays out of the id, as it did before there were others.
           .id_part =
               [](const TestParams& p) { return p.recv_strategy == kDefaultRecvStrategy ? "" : "+" + p.recv_strategy; },
           .all =
               [] {
                 std::vector<std::string> names;
                 for (const auto& info : recv_strategies_available())
                   names.push_back(info.name);  // this kernel runs them
                 return names;
               },
           .choices =
               [] {
                 std::string names;
                 for (const auto& r : recv_strategies()) {
                   names += fmt::format("\n  {}: {}", r.name, r.description);
                   if (auto missing = r.missing(); !missing.empty()) names += fmt::format(" [not here: {}]", missing);
                 }
                 return names;
               }}));
  t.push_back(row(
      &TestParams::recv_bytes,
      {.key = std::string(key::recv_size_bytes),
       .option = "--recv-size",
       .help = "stream: bytes the receiver asks for per call (recv: its buffer; scatter: whole messages' fields "
               "up to this; zerocopy-recv: its copy buffer), 1 B to 16 MiB, or auto: the measured default",
       .unit = "B",
       .how = "stream: bytes the receiver asked for per receive call (recv_size_auto: the default rule's)",
       .wire = {WireSlot::recv_bytes},
       .json_required = false,
       .needs = "--mode stream",
       .sweep_needs = "stream among --modes",
       .sweep_option = "--recv-sizes",
       .sweep_help = "stream points: bytes asked per receive call, comma-separated sizes or auto (default: auto)",
       .plan_key = "recv_sizes_bytes",
       .sweep_default = {"auto"},
       .axis_rank = 4,
       .text = [](const TestParams& p) { return p.recv_bytes ? size_text(p.recv_bytes) : std::string("auto"); },
       .parse =
           [](TestParams& p, const std::string& text) {
             p.recv_bytes = text == "auto" ? 0 : parse_size(text);
             if (text != "auto" && p.recv_bytes == 0)
               throw UsageError("--recv-size 0 is out of range (1 B to 16 MiB, or auto)");
           },
       // What the receiver asked for (null outside stream); a sweep plan keeps the option as given (0: auto).
       .to_json = [](const TestParams& p) { return p.mode == TestMode::stream ? json(p.recv_size()) : json(nullptr); },
       .to_plan_json = [](const TestParams& p) { return json(p.recv_bytes); },
       .from_json = [](TestParams& p, const json& j) { p.recv_bytes = j.is_null() ? 0 : json_as<uint64_t>(j); },
       .to_wire = [](const TestParams& p) -> uint64_t { return p.recv_bytes; },
       .from_wire = [](TestParams& p, uint64_t bytes) { p.recv_bytes = bytes; },
       .same = [](const TestParams& a, const TestParams& b) { return a.recv_size() == b.recv_size(); },
       .check =
           [](const TestParams& p) {
             if (p.recv_bytes > kMaxMessageBytes)
               throw UsageError(fmt::format("receive size {} is out of range (1 B to {}, or auto)",
                                            format_size(p.recv_bytes), format_size(kMaxMessageBytes)));
           },
       .applies = [](const TestParams& p) { return p.mode == TestMode::stream; },
       // The default stays out of the id, as it did before the size was a parameter.
       .id_part =
           [](const TestParams& p) { return p.recv_bytes ? "+r" + compact_size(p.recv_bytes) : std::string(); }}));
  // Read after recv_size_bytes, which it overrides: a result holds the size the default rule
  // gave (recv_size_bytes) and that it was the rule's (this), so a report keeps "auto" runs as
  // one line across message sizes and gives each typed size its own.
  t.push_back(
      row(&TestParams::recv_bytes,
          {.key = std::string(key::recv_size_auto),
           .kind = OptionKind::flag,
           .how = "stream: the receive size was the default rule's (--recv-size auto), not typed",
           .json_required = false,
           .text = [](const TestParams& p) { return p.recv_bytes ? std::string("false") : std::string("true"); },
           .parse = [](TestParams&, const std::string&) {},  // set by --recv-size
           .to_json =
               [](const TestParams& p) { return p.mode == TestMode::stream ? json(p.recv_bytes == 0) : json(nullptr); },
           .from_json =
               [](TestParams& p, const json& j) {
                 if (j.is_boolean() && j.get<bool>()) p.recv_bytes = 0;
               },
           .same = [](const TestParams& a, const TestParams& b) { return (a.recv_bytes == 0) == (b.recv_bytes == 0); },
           .is_default = [](const TestParams&) { return true; },  // nothing of its own to pass on or refuse
           .reset = [](TestParams&) {}}));
  t.push_back(
      row(&TestParams::mode,
          {.key = std::string(key::mode),
           .option = "-m,--mode",
           .help = "stream: the server sends, the client receives; rr: request/response, one transaction in flight "
                   "per connection, the client times each round trip",
           .how = "stream (one-way messages) or rr (request/response transactions)",
           .wire = {WireSlot::mode},
           .identifies_test = true,
           .sweep_option = "--modes",
           .sweep_help = "stream and/or rr (default: stream)",
           .plan_key = "modes",
           .sweep_default = {"stream"},
           .axis_rank = 0,
           .id_part = [](const TestParams& p) { return std::string(mode_name(p.mode)); }}));
  t.push_back(row(
      &TestParams::direction,
      {.key = std::string(key::direction),
       .option = "--direction",
       .help = "stream: forward (the server sends, the client receives), reverse (the client sends, the server "
               "receives with --recv) or bidir (both at once, --threads connections each way)",
       .aliases = {{"-R,--reverse", "reverse", "the client sends and the server receives (--direction reverse)"},
                   {"--bidir", "bidir", "both directions at once, --threads connections each (--direction bidir)"}},
       .how = "which way the bytes flow: forward (server to client), reverse (client to server) or bidir (both; "
              "figures summed, each direction in directions[])",
       .wire = flag_bits(10, 2),
       .identifies_test = true,
       .json_required = false,
       .needs = "--mode stream",
       .sweep_needs = "stream among --modes",
       .sweep_option = "--directions",
       .sweep_help = "forward, reverse and/or bidir (default: forward)",
       .plan_key = "directions",
       .sweep_default = {"forward"},
       .axis_rank = 1,
       // Null outside stream: rr has both directions in every transaction.
       .to_json =
           [](const TestParams& p) {
             return p.mode == TestMode::stream ? json(direction_name(p.direction)) : json(nullptr);
           },
       .to_plan_json = [](const TestParams& p) { return json(direction_name(p.direction)); },
       .from_json =
           [](TestParams& p, const json& j) {
             p.direction = j.is_null() ? Direction::forward : parse_direction(j.get<std::string>());
           },
       .applies = [](const TestParams& p) { return p.mode == TestMode::stream; },
       // Forward stays out of the id, as it did before there were other directions.
       .id_part =
           [](const TestParams& p) {
             return p.direction == Direction::forward ? std::string() : std::string("+") + direction_name(p.direction);
           },
       .all =
           [] {
             return std::vector<std::string>{"forward", "reverse", "bidir"};
           }}));
}

}  // namespace copybench::param_rows
