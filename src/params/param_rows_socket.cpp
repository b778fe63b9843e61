// The parameter table's rows of the socket: the rate each connection is held to and the knobs
// iperf3 users set (-b, -w, -C, -M, -N, --cport, -T), with iperf3's letters.
#include <fmt/format.h>
#include <algorithm>

#include "core/column_keys.h"
#include "core/error.h"
#include "core/json.h"
#include "core/units.h"
#include "net/socket_options.h"
#include "params/param_codecs.h"
#include "params/param_rows.h"

namespace copybench::param_rows {

using nlohmann::json;
using param_codecs::row;

namespace {

bool stream_only(const TestParams& p) { return p.mode == TestMode::stream; }

// Null in JSON for "not set" (0 or empty): the kernel's own value, not a value of 0.
json null_if_zero(uint64_t v) { return v ? json(v) : json(nullptr); }

Param rate_row() {
  return row(&TestParams::rate_bps,
             {.key = std::string(key::rate_bps),
              .option = "-b,--bitrate,--rate",
              .help = "stream: hold each connection to this many bits/s of payload (iperf3's -b): 2G, 500M, 1.5G "
                      "(decimal units), or max (default: as fast as it goes)",
              .unit = "bit/s",
              .how = "target rate of each connection's payload (empty: max, unpaced)",
              .wire = {WireSlot::rate_bps},
              .json_required = false,
              .needs = "--mode stream",
              .sweep_needs = "stream among --modes",
              .sweep_option = "--rates",
              .sweep_help = "target rates per connection, comma-separated, max for unpaced (default: max)",
              .plan_key = "rates_bps",
              .sweep_default = {"max"},
              .axis_rank = 7,
              .text = [](const TestParams& p) { return p.rate_bps ? rate_text(p.rate_bps) : std::string("max"); },
              .parse =
                  [](TestParams& p, const std::string& text) {
                    if (text == "max") return void(p.rate_bps = 0);
                    p.rate_bps = parse_rate_bps(text);
                    if (p.rate_bps == 0)
                      throw UsageError(fmt::format("--rate {} is out of range (1 kbit/s or more, or max)", text));
                  },
              .to_json = [](const TestParams& p) { return null_if_zero(p.rate_bps); },
              .from_json = [](TestParams& p, const json& j) { p.rate_bps = j.is_null() ? 0 : json_as<uint64_t>(j); },
              .check =
                  [](const TestParams& p) {
                    if (p.rate_bps != 0 && p.rate_bps < 1000)
                      throw UsageError(
                          fmt::format("--rate {} is out of range (1 kbit/s or more, or max)", rate_text(p.rate_bps)));
                  },
              .applies = stream_only,
              // Unpaced points keep the ids they had before there were rates.
              .id_part = [](const TestParams& p) { return p.rate_bps ? "@" + rate_text(p.rate_bps) : std::string(); }});
}

Param pacing_row() {
  return row(&TestParams::pacing,
             {.key = "pacing",
              .option = "--pacing",
              .help = "how --rate is held: user (the sender waits for its messages' time, a token bucket per "
                      "connection: both sides at the rate; the default) or kernel (SO_MAX_PACING_RATE: TCP paces the "
                      "wire, the sender's writes run ahead into its send buffer; less CPU in the process)",
              .how = "how the rate was held: user (token bucket) or kernel (SO_MAX_PACING_RATE)",
              .wire = flag_bits(5),
              .json_required = false,
              .needs = "--rate",
              .sweep_needs = "a rate among --rates",
              .sweep_help = "how every paced point holds its rate: user or kernel",
              .applies = [](const TestParams& p) { return p.rate_bps != 0; }});
}

Param window_row() {
  return row(
      &TestParams::window_bytes,
      {.key = std::string(key::window_bytes),
       .option = "-w,--window",
       .help = "SO_SNDBUF and SO_RCVBUF of every data connection, on both ends (iperf3's -w; the kernel "
               "doubles and caps it: the result says what it granted): 256K, 4M, or auto (the kernel's "
               "autotuning, the default)",
       .unit = "B",
       .how = "socket buffer asked for (SO_SNDBUF and SO_RCVBUF, both ends); empty: the kernel's autotuning",
       .wire = {WireSlot::window_bytes},
       .json_required = false,
       .sweep_option = "--windows",
       .sweep_help = "socket buffers (-w), comma-separated, auto for the kernel's autotuning (default: auto)",
       .plan_key = "windows_bytes",
       .sweep_default = {"auto"},
       .axis_rank = 8,
       .text = [](const TestParams& p) { return p.window_bytes ? size_text(p.window_bytes) : "auto"; },
       .parse =
           [](TestParams& p, const std::string& text) {
             p.window_bytes = text == "auto" ? 0 : parse_size(text);
             if (text != "auto" && p.window_bytes == 0)
               throw UsageError("--window 0 is out of range (1K to 1G, or auto)");
           },
       .to_json = [](const TestParams& p) { return null_if_zero(p.window_bytes); },
       .from_json = [](TestParams& p, const json& j) { p.window_bytes = j.is_null() ? 0 : json_as<uint64_t>(j); },
       .check =
           [](const TestParams& p) {
             if (p.window_bytes != 0 && (p.window_bytes < kMinWindowBytes || p.window_bytes > kMaxWindowBytes))
               throw UsageError(
                   fmt::format("--window {} is out of range (1K to 1G, or auto)", format_size(p.window_bytes)));
           },
       .id_part = [](const TestParams& p) { return p.window_bytes ? "/w" + size_text(p.window_bytes) : ""; }});
}

Param congestion_row() {
  return row(
      &TestParams::congestion,
      {.key = std::string(key::congestion),
       .option = "-C,--congestion",
       .help = "TCP congestion control of every data connection, on both ends (TCP_CONGESTION, iperf3's "
               "-C): a name in /proc/sys/net/ipv4/tcp_available_congestion_control, or default",
       .how = "TCP congestion control asked for (TCP_CONGESTION, both ends); empty: the system's default",
       .wire = {WireSlot::congestion},
       .json_required = false,
       .sweep_option = "--congestions",
       .sweep_help = "congestion controls, comma-separated, default for the system's (default: default)",
       .plan_key = "congestions",
       .sweep_default = {"default"},
       .axis_rank = 9,
       .text = [](const TestParams& p) { return p.congestion.empty() ? std::string("default") : p.congestion; },
       .parse = [](TestParams& p, const std::string& text) { p.congestion = text == "default" ? std::string() : text; },
       .to_json = [](const TestParams& p) { return p.congestion.empty() ? json(nullptr) : json(p.congestion); },
       .from_json = [](TestParams& p, const json& j) { p.congestion = j.is_null() ? "" : j.get<std::string>(); },
       // Checked against this machine's list on each end: the client before it connects, the
       // server when the header arrives (a REJECT naming the list there).
       .check =
           [](const TestParams& p) {
             if (!p.congestion.empty()) check_congestion_control(p.congestion);
           },
       .id_part = [](const TestParams& p) { return p.congestion.empty() ? "" : "/" + p.congestion; },
       .all = [] { return available_congestion_controls(); }});
}

Param mss_row() {
  return row(&TestParams::mss_bytes,
             {.key = std::string(key::mss_bytes),
              .option = "-M,--set-mss",
              .help = "TCP_MAXSEG of every data connection (iperf3's -M): the client sets it before connecting, so "
                      "its SYN announces it and both directions' segments follow (88 to 32767 B; 0: the path's)",
              .unit = "B",
              .how = "TCP maximum segment size asked for (TCP_MAXSEG); empty: the path's",
              .wire = {WireSlot::mss_bytes},
              .json_required = false,
              .sweep_help = "TCP_MAXSEG of every run (88 to 32767 B)",
              .to_json = [](const TestParams& p) { return p.mss_bytes ? json(p.mss_bytes) : json(nullptr); },
              .from_json = [](TestParams& p, const json& j) { p.mss_bytes = j.is_null() ? 0 : json_as<int>(j); },
              .check =
                  [](const TestParams& p) {
                    if (p.mss_bytes != 0 && (p.mss_bytes < kMinMssBytes || p.mss_bytes > kMaxMssBytes))
                      throw UsageError(fmt::format("--set-mss {} is out of range ({} to {} B)", p.mss_bytes,
                                                   kMinMssBytes, kMaxMssBytes));
                  }});
}

Param nodelay_row() {
  return row(&TestParams::nodelay, {.key = std::string(key::nodelay),
                                    .option = "-N,--no-delay",
                                    .help = "stream: TCP_NODELAY on every data connection, both ends (Nagle off; rr "
                                            "always sets it)",
                                    .kind = OptionKind::flag,
                                    .how = "stream: TCP_NODELAY set on both ends (-N)",
                                    .wire = flag_bits(4),
                                    .json_required = false,
                                    .needs = "--mode stream",
                                    .sweep_needs = "stream among --modes",
                                    .sweep_help = "stream: TCP_NODELAY on every run's data connections",
                                    .applies = stream_only});
}

// How many data connections the client opens: --bidir has --threads each way.
int client_connections(const TestParams& p) { return p.threads * (p.direction == Direction::bidir ? 2 : 1); }

Param cport_row() {
  return row(&TestParams::cport,
             {.key = "cport",
              .option = "--cport",
              .help = "the client's data connections bind these source ports: this one and the next (--threads - 1) "
                      "(--bidir: twice as many), as iperf3's --cport; 0: any",
              .how = "the client's first data connection's source port (empty: any)",
              .json_required = false,
              .sweep_help = "the first source port of every run's data connections",
              .to_json = [](const TestParams& p) { return p.cport ? json(p.cport) : json(nullptr); },
              .from_json = [](TestParams& p, const json& j) { p.cport = j.is_null() ? 0 : json_as<int>(j); },
              .check =
                  [](const TestParams& p) {
                    if (p.cport == 0) return;
                    const int last = p.cport + client_connections(p) - 1;
                    if (p.cport < 1 || last > 65535)
                      throw UsageError(
                          fmt::format("--cport {} is out of range: {} connections need ports {} to {} (1 to "
                                      "65535)",
                                      p.cport, client_connections(p), p.cport, last));
                  }});
}

Param title_row() {
  return row(
      &TestParams::title,
      {.key = std::string(key::title),
       .option = "-T,--title",
       .help = "a label for this test, carried into the table, the JSON, the CSV and a sweep's report "
               "(iperf3's -T; one line, at most 200 bytes)",
       .how = "the label given with -T (empty: none)",
       .json_required = false,
       .sweep_help = "a label for the sweep, in every run and at the top of the report",
       .to_json = [](const TestParams& p) { return p.title.empty() ? json(nullptr) : json(p.title); },
       .from_json = [](TestParams& p, const json& j) { p.title = j.is_null() ? "" : j.get<std::string>(); },
       .check =
           [](const TestParams& p) {
             if (p.title.size() > kMaxTitleBytes)
               throw UsageError(fmt::format("--title is {} bytes long (at most {})", p.title.size(), kMaxTitleBytes));
             if (std::any_of(p.title.begin(), p.title.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
               throw UsageError("--title must be one line of printable text");
           }});
}

}  // namespace

// (declarative table): one row per parameter
void add_socket_rows(std::vector<Param>& t) {
  t.push_back(rate_row());
  t.push_back(pacing_row());
  t.push_back(window_row());
  t.push_back(congestion_row());
  t.push_back(mss_row());
  t.push_back(nodelay_row());
  t.push_back(cport_row());
  t.push_back(title_row());
}

}  // namespace copybench::param_rows
