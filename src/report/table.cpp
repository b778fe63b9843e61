#include <fmt/format.h>

#include "core/units.h"
#include "report/writers.h"
#include "results/figures.h"

namespace copybench {
namespace {

std::string show(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "n/a";
        else if constexpr (std::is_same_v<T, bool>) return x ? "yes" : "no";
        else if constexpr (std::is_same_v<T, double>) return fmt::format("{:.3f}", x);
        else if constexpr (std::is_same_v<T, std::string>) return x;
        else return fmt::format("{}", x);
      },
      v);
}

std::string show_gbps(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : "n/a"; }

std::string sides_table(const RunResult& r) {
  std::string out = fmt::format("  {:<34} {:>16} {:>16}\n", "figure", "sender", "receiver");
  for (const auto& col : side_columns()) {
    auto label = col.unit.empty() ? col.key : fmt::format("{} ({})", col.key, col.unit);
    out += fmt::format("  {:<34} {:>16} {:>16}\n", label, r.sender ? show(col.get(*r.sender)) : "n/a",
                       r.receiver ? show(col.get(*r.receiver)) : "n/a");
  }
  if (r.receiver && r.receiver->streams.size() > 1) {
    out += "  per connection (Gbit/s, sender / receiver):";
    for (size_t i = 0; i < r.receiver->streams.size(); ++i) {
      std::optional<double> snd;
      if (r.sender && i < r.sender->streams.size()) snd = r.sender->streams[i].throughput_gbps;
      out += fmt::format(" [{}] {} / {}", i, show_gbps(snd), show_gbps(r.receiver->streams[i].throughput_gbps));
    }
    out += "\n";
  }
  return out;
}

std::string zerocopy_text(const ZeroCopyFigures& z) {
  std::string out = fmt::format(
      "zero-copy accounting (sender): {} sends, {} completed in {} notifications, {} copied by the kernel ({}), "
      "{} ENOBUFS retries, {} waits for a buffer; {}\n",
      z.sends, z.completed, z.notifications, z.copied,
      z.copied_pct ? fmt::format("{:.1f}%", *z.copied_pct) : "n/a", z.enobufs_retries, z.buffer_waits,
      z.balanced ? "every send completed" : fmt::format("{} sends without completion", z.sends - z.completed));
  if (z.copied_pct && *z.copied_pct > 0) {
    out += fmt::format(
        "  The kernel copied {:.1f}% of the zero-copy sends after all: the data went to a socket on this host\n"
        "  (loopback and veth deliver to a local socket, which always copies). True zero-copy needs a NIC\n"
        "  towards another host; here MSG_ZEROCOPY only added page pinning and notifications.\n",
      *z.copied_pct);
  } else if (z.copied_pct) {
    out += "  No completion reported a copy: the NIC sent straight from the message's pages.\n";
  }
  return out;
}

}  // namespace

std::string render_table(const RunResult& r) {
  const auto& p = r.params;
  std::string out = fmt::format("copybench: {} sender, {} messages (8 fields), {} connection(s), {} window after {} warm-up, "
                                "server {}\n",
                                p.strategy, format_size(p.message_bytes), p.threads, format_duration(p.duration_ns),
                                format_duration(p.warmup_ns), r.server);
  out += sides_table(r);
  if (!r.sender) out += fmt::format("  sender figures unavailable: {}\n", r.sender_missing_reason);
  if (r.zerocopy) out += zerocopy_text(*r.zerocopy);
  if (r.verify.enabled) {
    out += fmt::format("verify (receiver): {} messages checked, {} corrupt, {} missing, bytes {}\n",
                       r.verify.messages_checked, r.verify.corrupt_messages,
                       r.verify.missing_messages ? std::to_string(*r.verify.missing_messages) : "n/a",
                       !r.verify.bytes_match ? "n/a" : *r.verify.bytes_match ? "match" : "DIFFER");
  } else if (r.verify.bytes_match) {
    out += fmt::format("bytes sent and received after the final drain: {}\n", *r.verify.bytes_match ? "equal" : "DIFFER");
  }
  if (r.status != "ok") out += fmt::format("status: {}: {}\n", r.status, r.error);
  return out;
}

}  // namespace copybench
