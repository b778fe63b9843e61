#include "params/param_table.h"

#include <fmt/format.h>
#include <algorithm>

#include "core/column_keys.h"
#include "core/error.h"
#include "core/json.h"
#include "core/message.h"
#include "core/units.h"
#include "params/param_codecs.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

using nlohmann::json;
using param_codecs::row;

// A flag bit of the header: `width` bits from `shift`.
Wire flag_bits(uint32_t shift, uint32_t width = 1) { return {WireSlot::flags, shift, width}; }

// "1K", "64K", "1M" when exact, else "1000B": short enough for point ids and progress lines.
std::string compact_size(uint64_t bytes) {
  auto text = size_text(bytes);
  return text.back() == 'K' || text.back() == 'M' ? text : text + "B";
}

void check_duration(const char* what, int64_t ns, int64_t min_ns, const char* range, int64_t max_ns = kMaxDurationNs) {
  if (ns < min_ns || ns > max_ns)
    throw UsageError(fmt::format("{} {} is out of range ({})", what, format_duration(ns), range));
}

// (declarative table): one row per column
std::vector<Param> build_table() {
  std::vector<Param> t;
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
  t.push_back(row(&TestParams::message_bytes,
                  {.key = std::string(key::message_bytes),
                   .option = "-l,--length,--size",
                   .help = "message size (rr: request size): 1024, 1K, 4KiB, 64K, 1M (1 B to 16 MiB)",
                   .unit = "B",
                   .how = "message size (8 fields); rr: the request",
                   .wire = {WireSlot::message_bytes},
                   .identifies_test = true,
                   .sweep_option = "--sizes",
                   .sweep_help = "message sizes (default: 1K,4K,16K,64K)",
                   .plan_key = "sizes_bytes",
                   .sweep_default = {"1K", "4K", "16K", "64K"},
                   .axis_rank = 5,
                   .check =
                       [](const TestParams& p) {
                         if (p.message_bytes < kMinMessageBytes || p.message_bytes > kMaxMessageBytes)
                           throw UsageError(fmt::format("message size {} is out of range ({} to {})",
                                                        format_size(p.message_bytes), format_size(kMinMessageBytes),
                                                        format_size(kMaxMessageBytes)));
                       },
                   // rr: the request and the response ("1B+1K"); the response is no axis of its own.
                   .id_part =
                       [](const TestParams& p) {
                         auto id = "/" + compact_size(p.message_bytes);
                         return p.mode == TestMode::rr ? id + "+" + compact_size(p.response_size()) : id;
                       }}));
  t.push_back(row(
      &TestParams::response_bytes,
      {.key = std::string(key::response_bytes),
       .option = "--response-size",
       .help = "rr: response size (default: the message size; 1 B allowed)",
       .unit = "B",
       .how = "rr: response size (8 fields)",
       .wire = {WireSlot::response_bytes},
       .identifies_test = true,
       .json_required = false,
       .needs = "--mode rr",
       .sweep_needs = "rr among --modes",
       .sweep_help = "rr points: response size (default: the message size)",
       .text = [](const TestParams& p) { return size_text(p.response_bytes); },
       .parse =
           [](TestParams& p, const std::string& text) {
             p.response_bytes = parse_size(text);
             if (p.response_bytes == 0) throw UsageError("--response-size 0 is out of range (1 B to 16 MiB)");
           },
       // What the response was (null outside rr); a sweep plan keeps the option as given (0: the size).
       .to_json = [](const TestParams& p) { return p.mode == TestMode::rr ? json(p.response_size()) : json(nullptr); },
       .to_plan_json = [](const TestParams& p) { return json(p.response_bytes); },
       .from_json = [](TestParams& p, const json& j) { p.response_bytes = j.is_null() ? 0 : json_as<uint64_t>(j); },
       .same = [](const TestParams& a, const TestParams& b) { return a.response_size() == b.response_size(); },
       .check =
           [](const TestParams& p) {
             if (p.response_bytes > kMaxMessageBytes)
               throw UsageError(fmt::format("response size {} is out of range ({} to {})",
                                            format_size(p.response_bytes), format_size(kMinMessageBytes),
                                            format_size(kMaxMessageBytes)));
           },
       .applies = [](const TestParams& p) { return p.mode == TestMode::rr; }}));
  t.push_back(
      row(&TestParams::threads, {.key = std::string(key::threads),
                                 .option = "-P,--parallel,--threads",
                                 .help = "connections, one thread each (1 to 256)",
                                 .how = "connections, one thread each per side",
                                 .wire = {WireSlot::threads},
                                 .identifies_test = true,
                                 .sweep_option = "--threads",
                                 .sweep_help = "thread counts (default: 1,2,4,8)",
                                 .plan_key = "threads",
                                 .sweep_default = {"1", "2", "4", "8"},
                                 .axis_rank = 6,
                                 .check =
                                     [](const TestParams& p) {
                                       if (p.threads < 1 || p.threads > kMaxThreads)
                                         throw UsageError(fmt::format("thread count {} is out of range (1 to {})",
                                                                      p.threads, kMaxThreads));
                                     },
                                 .id_part = [](const TestParams& p) { return fmt::format("/{}t", p.threads); }}));
  t.push_back(row(&TestParams::warmup_ns,
                  {.key = std::string(key::warmup_s),
                   .option = "--warmup",
                   .help = "warm-up before the window, discarded (0 allowed)",
                   .unit = "s",
                   .how = "warm-up run and discarded",
                   .wire = {WireSlot::warmup_ms},
                   .sweep_help = "warm-up of each run (0 allowed)",
                   .check = [](const TestParams& p) { check_duration("warm-up", p.warmup_ns, 0, "0 to 24 h"); }}));
  t.push_back(row(
      &TestParams::duration_ns,
      {.key = std::string(key::duration_s),
       .option = "-t,--time,--duration",
       .help = "measured window: 5, 5s, 500ms, or auto[:CEILING]: end once the rate is stable (default ceiling 30s)",
       .unit = "s",
       .how = "requested measured window; with duration_auto, its ceiling",
       .wire = {WireSlot::duration_ms},
       .sweep_help = "measured window of each run, or auto[:CEILING]",
       .text = duration_text,
       .parse = set_duration,
       // "auto" rides on this option: a default ceiling with auto is not the default.
       .is_default = [](const TestParams& p) { return p.duration_ns == TestParams{}.duration_ns && !p.auto_duration; },
       .check = [](const TestParams& p) { check_duration("duration", p.duration_ns, 10'000'000, "10 ms to 24 h"); }}));
  t.push_back(row(
      &TestParams::interval_ns,
      {.key = "interval_s",
       .option = "-i,--interval",
       .help = "a report every interval while the test runs (iperf's -i): each side's rate, retransmits, cwnd and RTT, "
               "printed live and kept in the JSON (intervals per side); 0: none (100 ms to 60 s)",
       .unit = "s",
       .how = "length of each interval report (0: none)",
       .wire = {WireSlot::interval_ms},
       .json_required = false,
       .sweep_help =
           "interval of each run's reports (default in a sweep: 250ms, for summary.csv's interval CV; 0: none)",
       .check = [](const TestParams& p) {
         if (p.interval_ns != 0)
           check_duration("interval", p.interval_ns, 100'000'000, "0, or 100 ms to 60 s", 60'000'000'000);
       }}));
  t.push_back(row(&TestParams::pin,
                  {.key = "pin",
                   .option = "--pin",
                   .help = "CPU affinity of the connection threads: same (both ends of connection i on CPU i), split "
                           "(sender and receiver on neighbouring CPUs) or none (the scheduler decides)",
                   .how = "CPU affinity of the connection threads: none, same or split (--pin)",
                   .wire = flag_bits(8, 2),
                   .json_required = false,
                   .sweep_help = "CPU affinity of every run's connection threads: same, split or none"}));
  // Set by --duration ("auto[:CEILING]"); the server never needs it: the client ends the window.
  t.push_back(row(&TestParams::auto_duration,
                  {.key = "duration_auto",
                   .kind = OptionKind::flag,
                   .how = "the client ended the window once the rate was stable (window_s says how long it ran)",
                   .json_required = false}));
  t.push_back(row(&TestParams::verify, {.key = "verify",
                                        .option = "--verify",
                                        .help = "write a per-message pattern and check every received byte",
                                        .kind = OptionKind::flag,
                                        .how = "payload pattern written and checked",
                                        .wire = flag_bits(0),
                                        .identifies_test = true,
                                        .sweep_help = "check every received byte in every run"}));
  t.push_back(row(
      &TestParams::profile,
      {.key = "profile",
       .option = "--profile",
       .help = "both sides count the kernel's copy and packet events and sample the CPU (where the copies are), "
               "in alternating slices of the window, and report what that cost",
       .kind = OptionKind::flag,
       .how = "--profile: both sides counted data-path events and sampled the CPU in alternating slices of the window",
       .wire = flag_bits(3),
       .json_required = false,
       .sweep_help = "profile every run (where the copies are: events counted, CPU sampled, each run's own cost "
                     "measured); the report then answers the copy questions and draws the CPU buckets"}));
  t.push_back(
      row(&TestParams::counters, {.key = "counters",
                                  .option = "--no-counters",
                                  .help = "do not open perf_event_open counters (CPU time is still measured)",
                                  .kind = OptionKind::off_flag,
                                  .wire = flag_bits(1),  // the bit says "off", so a zero header asks for counters
                                  .sweep_help = "no perf_event_open counters",
                                  .to_wire = [](const TestParams& p) -> uint64_t { return p.counters ? 0 : 1; },
                                  .from_wire = [](TestParams& p, uint64_t off) { p.counters = off == 0; }}));
  t.push_back(row(&TestParams::latency, {.key = "send_latency",
                                         .option = "--no-latency",
                                         .help = "stream: do not time each message's send calls",
                                         .kind = OptionKind::off_flag,
                                         .wire = flag_bits(2),
                                         .sweep_help = "stream: do not time send calls",
                                         .to_wire = [](const TestParams& p) -> uint64_t { return p.latency ? 0 : 1; },
                                         .from_wire = [](TestParams& p, uint64_t off) { p.latency = off == 0; }}));
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
      if (p.wire.slot != WireSlot::none && (!p.to_wire || !p.from_wire))
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
