// The per-side columns (side_columns()): each figure of one side with its key, unit, table
// group and how it is obtained; run_columns() gives each of them twice, "sender_" and
// "receiver_". The perf counters' keys are here too (kCounterColumns).
#include <fmt/format.h>

#include "core/column_keys.h"
#include "results/figures.h"
#include "results/tcp_figures.h"

namespace copybench {
namespace {

// A count over the window is unknown when no window was measured.
Value windowed(const SideFigures& s, uint64_t count) { return s.window_ns > 0 ? Value{count} : Value{}; }

struct CounterColumn {
  const char* name;  // perf's name
  std::string_view key;
  const char* unit;
  const char* what;
};

// The counters copybench opens (metrics/perf_counters.cpp), each also ":k" for the hardware
// ones; a test checks that the two lists agree.
constexpr CounterColumn kCounterColumns[] = {
    {"cycles", "cycles", "", "CPU cycles"},
    {"instructions", "instructions", "", "instructions retired"},
    {"L1-dcache-load-misses", "l1d_load_misses", "", "L1 data cache load misses"},
    {"LLC-load-misses", "llc_load_misses", "", "last-level cache load misses"},
    {"cache-misses", "cache_misses", "",
     "generic cache-misses event (the CPU's choice, usually LLC references that missed)"},
    {"context-switches", key::context_switches, "", "context switches (software event)"},
    {"cpu-migrations", "cpu_migrations", "", "moves to another CPU (software event)"},
    {"page-faults", "page_faults", "", "page faults (software event)"},
    {"task-clock", "task_clock_ns", "ns", "CPU time on the side's test threads (software event)"},
};
constexpr int kHardwareCounters = 5;  // the first five also count kernel mode alone

std::optional<double> counter_value(const SideFigures& s, const char* name) {
  const auto* c = s.counter(name);
  if (!c || !c->value) return std::nullopt;
  return static_cast<double>(*c->value);
}

// A ratio of a window figure to this side's bytes (or messages) in the window.
std::optional<double> per(std::optional<double> amount, uint64_t denominator, double scale = 1) {
  if (!amount || denominator == 0) return std::nullopt;
  return *amount * scale / static_cast<double>(denominator);
}

std::optional<double> process_cpu_s(const SideFigures& s) {
  if (!s.cpu) return std::nullopt;
  return s.cpu->process_user_s + s.cpu->process_system_s;
}

template <typename F>
Value cpu_value_or_null(const SideFigures& s, F field) {
  return s.cpu ? value_or_null(field(*s.cpu)) : Value{};
}

Value latency_us(const SideFigures& s, uint64_t LatencyFigures::*field) {
  if (!s.latency || s.latency->count == 0) return Value{};
  return Value{static_cast<double>((*s.latency).*field) / 1e3};
}

template <typename T>
Value tcp_value_or_null(const SideFigures& s, std::optional<T> TcpFigures::*field) {
  return s.tcp_info ? value_or_null((*s.tcp_info).*field) : Value{};
}

// (declarative table): one row per column
std::vector<SideColumn> build_side_columns() {
  std::vector<SideColumn> cols = {
      {"rate", std::string(key::throughput_gbps), "Gbit/s",
       "bytes moved inside the window * 8 / window (10^9 bit/s); rr: requests and responses",
       [](const SideFigures& s) { return value_or_null(s.throughput_gbps); }},
      {"rate", std::string(key::messages_per_s), "msg/s",
       "whole messages (rr: transactions) completed inside the window / window",
       [](const SideFigures& s) { return value_or_null(s.messages_per_s); }},
      {"rate", std::string(key::time_per_msg_us), "us",
       "mean time per message (rr: transaction) per connection: window * threads / messages in window",
       [](const SideFigures& s) { return value_or_null(s.time_per_msg_us); }},
      {"rate", "bytes_in_window", "B", "bytes moved inside the window, all connections",
       [](const SideFigures& s) { return windowed(s, s.bytes_in_window); }},
      {"rate", "messages_in_window", "", "whole messages (rr: transactions) inside the window",
       [](const SideFigures& s) { return windowed(s, s.messages_in_window); }},
      {"rate", std::string(key::bytes_total), "B", "bytes moved from START to the final drain",
       [](const SideFigures& s) { return Value{s.bytes_total}; }},
      {"rate", std::string(key::messages_total), "", "whole messages (rr: transactions) from START to the final drain",
       [](const SideFigures& s) { return Value{s.messages_total}; }},
      {"rate", std::string(key::calls_per_msg), "calls/msg",
       "system calls over the whole run / messages: send/sendmsg or io_uring_enter (sender), the receive strategy's "
       "calls (receiver); rr: both",
       [](const SideFigures& s) { return value_or_null(s.calls_per_msg); }},
      {"rate", std::string(key::submissions_per_msg), "SQEs/msg",
       "io_uring submission queue entries over the whole run / messages; null for strategies that make plain system "
       "calls",
       [](const SideFigures& s) {
         return s.submissions_total && s.messages_total
                    ? Value{static_cast<double>(*s.submissions_total) / static_cast<double>(s.messages_total)}
                    : Value{};
       }},
      {"rate", "bytes_per_call", "B/call", "bytes_total / the system calls counted in calls_per_msg",
       [](const SideFigures& s) {
         return s.calls_total ? Value{static_cast<double>(s.bytes_total) / static_cast<double>(s.calls_total)}
                              : Value{};
       }},
      {"rate", "window_s", "s", "measured window, on this side's monotonic clock",
       [](const SideFigures& s) { return s.window_ns > 0 ? Value{s.window_ns / 1e9} : Value{}; }},
      {"rate", "rates_timed_s", "s",
       "with counters: the rates (throughput, messages/s, time per message) come from the timed slices of the window, "
       "this long in all, where no counter ran; empty: from the whole window",
       [](const SideFigures& s) { return value_or_null(s.rates_timed_s); }},
      {"rate", "wall_s", "s",
       "from START until this side's part of the test ended (warm-up, drain and the exchange of figures included)",
       [](const SideFigures& s) { return s.wall_ns > 0 ? Value{s.wall_ns / 1e9} : Value{}; }},
      {"rate", "rate_verdict", "",
       "--rate: held (every connection within 2% of the target), not_reached or exceeded; empty: no --rate, or a "
       "connection's rate unknown",
       [](const SideFigures& s) {
         return s.rate && s.rate->verdict ? Value{std::string(rate_verdict_name(*s.rate->verdict))} : Value{};
       }},
      {"rate", "rate_achieved_gbps", "Gbit/s", "--rate: the mean of the connections' throughputs in the window",
       [](const SideFigures& s) { return s.rate ? value_or_null(s.rate->achieved_gbps) : Value{}; }},
      {"rate", "rate_connections_held", "", "--rate: connections whose throughput was within 2% of the target",
       [](const SideFigures& s) { return s.rate ? Value{static_cast<uint64_t>(s.rate->connections_held)} : Value{}; }},
      {"cpu", "cpu_user_s", "s", "user CPU time of this side's process over the window (getrusage RUSAGE_SELF)",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return std::optional<double>(c.process_user_s); });
       }},
      {"cpu", "cpu_system_s", "s", "kernel CPU time of this side's process over the window (getrusage RUSAGE_SELF)",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return std::optional<double>(c.process_system_s); });
       }},
      {"cpu", "cpu_process_pct", "% of 1 CPU", "(cpu_user_s + cpu_system_s) / window * 100, as top shows it",
       [](const SideFigures& s) {
         return value_or_null(per(process_cpu_s(s), static_cast<uint64_t>(s.window_ns), 1e11));
       }},
      {"cpu", std::string(key::cpu_ns_per_byte), "ns/B",
       "service demand of the process: (cpu_user_s + cpu_system_s) / bytes_in_window",
       [](const SideFigures& s) { return value_or_null(per(process_cpu_s(s), s.bytes_in_window, 1e9)); }},
      {"cpu", "voluntary_switches", "",
       "voluntary context switches of the process over the window (getrusage ru_nvcsw)",
       [](const SideFigures& s) { return s.cpu ? Value{s.cpu->voluntary_switches} : Value{}; }},
      {"cpu", "involuntary_switches", "",
       "involuntary context switches of the process over the window (getrusage ru_nivcsw)",
       [](const SideFigures& s) { return s.cpu ? Value{s.cpu->involuntary_switches} : Value{}; }},
      {"cpu", "system_cpu_busy_pct", "% of all CPUs",
       "whole machine, /proc/stat over the window: time not idle or iowait / all CPUs' time",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_busy_pct; });
       }},
      {"cpu", "system_cpu_user_pct", "% of all CPUs", "whole machine, /proc/stat: user + nice",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_user_pct; });
       }},
      {"cpu", "system_cpu_kernel_pct", "% of all CPUs", "whole machine, /proc/stat: system (kernel outside interrupts)",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_kernel_pct; });
       }},
      {"cpu", "system_cpu_softirq_pct", "% of all CPUs",
       "whole machine, /proc/stat: softirq (much of TCP receive runs here)",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_softirq_pct; });
       }},
      {"cpu", "system_cpu_irq_pct", "% of all CPUs", "whole machine, /proc/stat: hard interrupts",
       [](const SideFigures& s) { return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_irq_pct; }); }},
      {"cpu", "system_cpu_steal_pct", "% of all CPUs", "whole machine, /proc/stat: time the hypervisor gave to others",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_steal_pct; });
       }},
      {"cpu", std::string(key::system_cpu_idle_pct), "% of all CPUs",
       "whole machine, /proc/stat: idle + iowait, the CPU it had left",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.system_idle_pct; });
       }},
      {"cpu", std::string(key::thread_on_cpu_max_pct), "% of the window",
       "busiest connection thread: its CPU time over the window (per-thread CPU clock) / window * 100",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) { return c.busiest_thread_pct(); });
       }},
      {"cpu", "thread_on_cpu_mean_pct", "% of the window", "mean over the connection threads of the same share",
       [](const SideFigures& s) {
         return cpu_value_or_null(s, [](const CpuFigures& c) {
           double sum = 0;
           for (const auto& pct : c.thread_on_cpu_pct) {
             if (!pct) return std::optional<double>();
             sum += *pct;
           }
           return c.thread_on_cpu_pct.empty() ? std::optional<double>()
                                              : std::optional<double>(sum / c.thread_on_cpu_pct.size());
         });
       }},
      {"cpu", std::string(key::system_cpu_ns_per_byte), "ns/B",
       "service demand of the whole machine (netperf's): busy CPU time of all CPUs / bytes_in_window",
       [](const SideFigures& s) {
         return value_or_null(per(s.cpu ? s.cpu->system_busy_cpu_s : std::nullopt, s.bytes_in_window, 1e9));
       }},
      {"counter", "counters_counted_pct", "% of the window",
       "the share of the window the counters counted, in slices alternating with the timed ones (rates, latency); "
       "the counts below are scaled to the whole window (empty: they counted all of it)",
       [](const SideFigures& s) { return value_or_null(s.counters_counted_pct); }},
  };
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < static_cast<int>(std::size(kCounterColumns)); ++i) {
      const auto& c = kCounterColumns[i];
      if (k == 1 && i >= kHardwareCounters) break;
      std::string name = k ? std::string(c.name) + ":k" : c.name;
      std::string how = fmt::format(
          "{}{}, perf_event_open over the window (over its counted slices, scaled to the window), summed over the "
          "side's test threads, scaled for multiplexing",
          c.what, k ? " in kernel mode only (exclude_user)" : "");
      cols.push_back({"counter", counter_column_key(name), c.unit, how, [name](const SideFigures& s) {
                        const auto* figure = s.counter(name);
                        return figure ? value_or_null(figure->value) : Value{};
                      }});
    }
  }
  const std::vector<SideColumn> after_counters = {
      {"counter", "counters_scope", "",
       "privilege levels the counters include: user+kernel, or user when the kernel refused (perf_event_paranoid)",
       [](const SideFigures& s) {
         for (const auto& c : s.counters)
           if (c.value && c.name.find(":k") == std::string::npos) return Value{c.scope};
         return Value{};
       }},
      {"counter", "counters_running_min_pct", "%",
       "lowest time_running / time_enabled of the counted events (< 100: multiplexed, values scaled)",
       [](const SideFigures& s) {
         std::optional<double> low;
         for (const auto& c : s.counters)
           if (c.value && c.running_pct) low = low ? std::min(*low, *c.running_pct) : *c.running_pct;
         return value_or_null(low);
       }},
      {"derived", std::string(key::cycles_per_byte), "cycles/B", "cycles / bytes_in_window",
       [](const SideFigures& s) { return value_or_null(per(counter_value(s, "cycles"), s.bytes_in_window)); }},
      {"derived", "instructions_per_byte", "instr/B", "instructions / bytes_in_window",
       [](const SideFigures& s) { return value_or_null(per(counter_value(s, "instructions"), s.bytes_in_window)); }},
      {"derived", "cycles_per_msg", "cycles/msg", "cycles / messages_in_window",
       [](const SideFigures& s) { return value_or_null(per(counter_value(s, "cycles"), s.messages_in_window)); }},
      {"derived", std::string(key::llc_misses_per_kib), "misses/KiB", "LLC-load-misses / (bytes_in_window / 1024)",
       [](const SideFigures& s) {
         return value_or_null(per(counter_value(s, "LLC-load-misses"), s.bytes_in_window, 1024));
       }},
      {"copy", "zc_mapped_bytes", "B",
       "zerocopy-recv: bytes TCP_ZEROCOPY_RECEIVE mapped into the receiver's address space (not copied), whole run",
       [](const SideFigures& s) { return value_or_null(s.zc_mapped_bytes); }},
      {"copy", "zc_copied_bytes", "B",
       "zerocopy-recv: bytes the kernel copied instead (its copy buffer, recv), whole run",
       [](const SideFigures& s) { return value_or_null(s.zc_copied_bytes); }},
      {"copy", std::string(key::zc_mapped_pct), "%",
       "zerocopy-recv: zc_mapped_bytes / (zc_mapped_bytes + zc_copied_bytes) * 100; null for the other receive "
       "strategies",
       [](const SideFigures& s) {
         if (!s.zc_mapped_bytes || !s.zc_copied_bytes || *s.zc_mapped_bytes + *s.zc_copied_bytes == 0) return Value{};
         return Value{100.0 * static_cast<double>(*s.zc_mapped_bytes) /
                      static_cast<double>(*s.zc_mapped_bytes + *s.zc_copied_bytes)};
       }},
      {"copy", std::string(key::zc_mapped_note), "",
       "zerocopy-recv: what was set up, and why no page was mapped when none was",
       [](const SideFigures& s) { return s.zc_mapped_note.empty() ? Value{} : Value{s.zc_mapped_note}; }},
      {"tcp", std::string(key::tcp_retransmits), "segments",
       "TCP_INFO tcpi_total_retrans at the window's end - at its start, summed over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::retransmits); }},
      {"tcp", std::string(key::tcp_rtt_us), "us",
       "TCP_INFO tcpi_rtt (smoothed RTT) at the window's end, mean over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::rtt_us); }},
      {"tcp", "tcp_rttvar_us", "us",
       "TCP_INFO tcpi_rttvar (RTT mean deviation) at the window's end, mean over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::rttvar_us); }},
      {"tcp", "tcp_min_rtt_us", "us",
       "TCP_INFO tcpi_min_rtt (Linux 4.6) at the window's end, mean over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::min_rtt_us); }},
      {"tcp", std::string(key::tcp_snd_cwnd), "segments",
       "TCP_INFO tcpi_snd_cwnd (congestion window) at the window's end, mean over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::snd_cwnd); }},
      {"tcp", "tcp_delivery_rate_gbps", "Gbit/s",
       "TCP_INFO tcpi_delivery_rate (Linux 4.9: the kernel's latest delivery-rate sample) at the window's end, summed "
       "over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::delivery_rate_gbps); }},
      {"tcp", "tcp_pacing_rate_gbps", "Gbit/s",
       "TCP_INFO tcpi_pacing_rate at the window's end, summed; null when not paced",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::pacing_rate_gbps); }},
      {"tcp", "tcp_unsent_bytes", "B",
       "TCP_INFO tcpi_notsent_bytes (Linux 4.6: written, not yet sent) at the window's end, summed",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::unsent_bytes); }},
      {"tcp", std::string(key::tcp_busy_pct), "% of the window",
       "TCP_INFO tcpi_busy_time (Linux 4.10: time with data to send, limited or not) over the window / window, mean "
       "over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::busy_pct); }},
      {"tcp", std::string(key::tcp_rwnd_limited_pct), "% of the window",
       "TCP_INFO tcpi_rwnd_limited (Linux 4.10: held by the peer's receive window) over the window / window, mean over "
       "the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::rwnd_limited_pct); }},
      {"tcp", std::string(key::tcp_sndbuf_limited_pct), "% of the window",
       "TCP_INFO tcpi_sndbuf_limited (Linux 4.10: held by its own send buffer, where MSG_ZEROCOPY's optmem and pinned "
       "pages count) over the window / window, mean over the connections",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::sndbuf_limited_pct); }},
      {"tcp", "tcp_send_queue_end_bytes", "B",
       "SO_MEMINFO SK_MEMINFO_WMEM_QUEUED (queued to send, unacknowledged included) at the window's end, summed",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::send_queue_end_bytes); }},
      {"tcp", "tcp_recv_queue_end_bytes", "B",
       "SO_MEMINFO SK_MEMINFO_RMEM_ALLOC (received, not yet read) at the window's end, summed",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::recv_queue_end_bytes); }},
      {"tcp", "tcp_optmem_end_bytes", "B",
       "SO_MEMINFO SK_MEMINFO_OPTMEM (option memory: MSG_ZEROCOPY's pending notifications) at the window's end, summed",
       [](const SideFigures& s) { return tcp_value_or_null(s, &TcpFigures::optmem_end_bytes); }},
      {"tcp", std::string(key::interval_cv_pct), "%",
       "--interval: sample standard deviation / mean of the intervals' throughput * 100 (a last interval under half "
       "the others left out); how steady the window was",
       [](const SideFigures& s) { return value_or_null(interval_cv_pct(s.intervals)); }},
      {"latency", "latency_what", "",
       "what the histogram times: send_call (stream, each message's send calls on the sender) or transaction (rr, full "
       "round trip on the requester)",
       [](const SideFigures& s) { return s.latency ? Value{s.latency->what} : Value{}; }},
      {"latency", "latency_count", "",
       "values recorded inside the window (stream: every message from 16 KiB, a systematic 1 in 16 KiB/size below)",
       [](const SideFigures& s) { return s.latency ? Value{s.latency->count} : Value{}; }},
      {"latency", "latency_min_us", "us", "smallest value, exact (CLOCK_MONOTONIC)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::min_ns); }},
      {"latency", "latency_mean_us", "us", "mean, exact (sum / count)",
       [](const SideFigures& s) { return s.latency && s.latency->count ? Value{s.latency->mean_ns / 1e3} : Value{}; }},
      {"latency", std::string(key::latency_p50_us), "us", "median, from the histogram (within 1%)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::p50_ns); }},
      {"latency", "latency_p90_us", "us", "90th percentile, from the histogram (within 1%)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::p90_ns); }},
      {"latency", std::string(key::latency_p99_us), "us", "99th percentile, from the histogram (within 1%)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::p99_ns); }},
      {"latency", "latency_p999_us", "us", "99.9th percentile, from the histogram (within 1%)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::p999_ns); }},
      {"latency", "latency_p9999_us", "us", "99.99th percentile, from the histogram (within 1%)",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::p9999_ns); }},
      {"latency", "latency_max_us", "us", "largest value, exact",
       [](const SideFigures& s) { return latency_us(s, &LatencyFigures::max_ns); }},
  };
  cols.insert(cols.end(), after_counters.begin(), after_counters.end());
  for (auto& col : profile_side_columns()) cols.push_back(std::move(col));
  return cols;
}

}  // namespace

std::string counter_column_key(const std::string& counter_name) {
  bool kernel = counter_name.size() > 2 && counter_name.ends_with(":k");
  std::string base = kernel ? counter_name.substr(0, counter_name.size() - 2) : counter_name;
  for (const auto& c : kCounterColumns)
    if (base == c.name) return std::string(c.key) + (kernel ? "_kernel" : "");
  return "";
}

const std::vector<SideColumn>& side_columns() {
  static const std::vector<SideColumn> cols = build_side_columns();
  return cols;
}

}  // namespace copybench
