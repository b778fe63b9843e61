// The per-side columns of --profile (METHODOLOGY.md section 20), appended to side_columns().
// Group "profile" is shown in the table; "profile_detail" only in CSV and JSON.
#include <fmt/format.h>

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"
#include "metrics/tracepoints.h"
#include "results/figures.h"

namespace copybench {
namespace {

Value opt(const std::optional<double>& v) { return v ? Value{*v} : Value{}; }

// The events worth a row of the table; the rest are in CSV and JSON.
bool shown(const std::string& key) {
  for (const char* k :
       {"rx_copies", "tx_chunks", "tx_copies", "zc_copies", "dev_xmit", "netif_receive", "skb_consumed"})
    if (key == k) return true;
  return false;
}

}  // namespace

std::vector<SideColumn> profile_side_columns() {
  std::vector<SideColumn> cols = {
      {"profile", std::string(key::profile_overhead_pct), "%",
       "--profile: this side's throughput lost while profiling: (rate in the slices without - rate in the slices with) "
       "/ rate without * 100",
       [](const SideFigures& s) {
         std::string why;
         return s.profile ? opt(profile_overhead_pct(*s.profile, &why)) : Value{};
       }},
      {"profile", std::string(key::copies_per_msg), "copies/msg",
       "--profile: copy operations counted on the side's threads per message: receive copies (skb_copy_datagram_iovec) "
       "+ "
       "send copies (kprobes, else tcp_sendmsg_locked chunks when the sends copy)",
       [](const SideFigures& s) {
         std::string why;
         return s.profile ? opt(copies_per_msg(*s.profile, &why)) : Value{};
       }},
  };
  for (const char* scope : {"threads", "system"}) {
    for (const EventSpec& e : event_specs()) {
      const bool system = std::string(scope) == "system";
      cols.push_back({!system && shown(e.key) ? "profile" : "profile_detail",
                      system ? e.key + "_system_per_msg" : e.key + "_per_msg", "/msg",
                      fmt::format("--profile: {} per message; {} ({}), counted {}", e.full_name(), e.meaning,
                                  e.kprobe ? "kprobe" : "tracepoint",
                                  system ? "on every CPU (the whole machine)" : "on the side's test threads"),
                      [key = e.key, scope = std::string(scope)](const SideFigures& s) {
                        return s.profile ? opt(event_per_msg(*s.profile, key, scope)) : Value{};
                      }});
    }
  }
  for (bool machine : {false, true}) {
    const std::string suffix = machine ? "_machine" : "",
                      view = machine ? "every CPU (the whole machine)" : "the side's test threads";
    cols.push_back({machine ? "profile_detail" : "profile", "profile" + suffix + "_samples", "",
                    "--profile: cpu-clock samples of " + view + " in the profiled slices",
                    [machine](const SideFigures& s) {
                      const auto& v = !s.profile ? std::nullopt : machine ? s.profile->machine : s.profile->threads;
                      return v ? Value{v->samples} : Value{};
                    }});
    cols.push_back({"profile", machine ? "cpu_in_copies_machine_pct" : std::string(key::cpu_in_copies_pct), "%",
                    "--profile: share of the cpu-clock samples of " + view + " in the copy buckets",
                    [machine](const SideFigures& s) {
                      std::string why;
                      return s.profile ? opt(copies_pct(*s.profile, machine, &why)) : Value{};
                    }});
    for (const BucketInfo& b : bucket_infos()) {
      cols.push_back({machine ? "profile_detail" : "profile", key::cpu_bucket_pct(b.key, machine), "%",
                      fmt::format("--profile: share of the cpu-clock samples of {} classified as {}", view, b.title),
                      [machine, key = std::string(b.key)](const SideFigures& s) {
                        return s.profile ? opt(bucket_pct(*s.profile, machine, key)) : Value{};
                      }});
    }
  }
  return cols;
}

}  // namespace copybench
