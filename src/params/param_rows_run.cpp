// The parameter table's rows of the run: the messages, the threads, the timing and what is measured.
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

// (declarative table): one row per parameter
void add_run_rows(std::vector<Param>& t) {
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
                   .option = "-O,--omit,--warmup",
                   .help = "warm-up before the window, discarded (iperf3: --omit; 0 allowed)",
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
}

}  // namespace copybench::param_rows
