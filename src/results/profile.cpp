#include "results/profile.h"

#include "metrics/cpu_buckets.h"

namespace copybench {

const EventFigure* ProfileFigures::event(const std::string& key, const std::string& scope) const {
  for (const auto& e : events)
    if (e.key == key && e.scope == scope) return &e;
  return nullptr;
}

std::optional<double> profile_overhead_pct(const ProfileFigures& p, std::string* why) {
  if (p.on_ns <= 0 || p.off_ns <= 0) {
    *why = "the window was too short for slices with and without the profile";
    return std::nullopt;
  }
  const double on_rate = static_cast<double>(p.on_bytes) / static_cast<double>(p.on_ns);
  const double off_rate = static_cast<double>(p.off_bytes) / static_cast<double>(p.off_ns);
  if (off_rate <= 0) {
    *why = "no bytes moved in the slices without the profile";
    return std::nullopt;
  }
  return (off_rate - on_rate) / off_rate * 100;
}

std::optional<double> event_per_msg(const ProfileFigures& p, const std::string& key, const std::string& scope) {
  const EventFigure* e = p.event(key, scope);
  if (!e || !e->count || p.on_messages == 0) return std::nullopt;
  return static_cast<double>(*e->count) / static_cast<double>(p.on_messages);
}

std::optional<double> event_per_kib(const ProfileFigures& p, const std::string& key, const std::string& scope) {
  const EventFigure* e = p.event(key, scope);
  if (!e || !e->count || p.on_bytes == 0) return std::nullopt;
  return static_cast<double>(*e->count) * 1024 / static_cast<double>(p.on_bytes);
}

std::optional<double> copies_per_msg(const ProfileFigures& p, std::string* why) {
  if (p.on_messages == 0) {
    *why = "no message completed in the profiled slices";
    return std::nullopt;
  }
  auto count = [&](const char* key, std::string* reason) -> std::optional<double> {
    const EventFigure* e = p.event(key, "threads");
    if (e && e->count) return static_cast<double>(*e->count);
    *reason = e ? e->reason : std::string("not counted");
    return std::nullopt;
  };
  std::string rx_why, kprobe_why, chunk_why;
  const auto rx = count("rx_copies", &rx_why);
  if (!rx) {
    *why = "receive copies not counted: " + rx_why;
    return std::nullopt;
  }
  const auto tx = count("tx_copies", &kprobe_why), tx_nocache = count("tx_copies_nocache", &kprobe_why),
             zc = count("zc_copies", &kprobe_why);
  std::optional<double> send;
  if (tx && tx_nocache && zc) send = *tx + *tx_nocache + *zc;
  else if (!p.zerocopy_sends) send = count("tx_chunks", &chunk_why);
  if (!send) {
    *why = p.zerocopy_sends
               ? "MSG_ZEROCOPY sends pin pages; their copy, if any, is deferred to skb_copy_ubufs, which only a "
                 "kprobe counts (" +
                     kprobe_why + "); the samples' zero-copy deferred copy share shows it"
               : "send copies not counted: " + chunk_why;
    return std::nullopt;
  }
  return (*rx + *send) / static_cast<double>(p.on_messages);
}

std::optional<double> copies_pct(const ProfileFigures& p, bool machine, std::string* why) {
  const auto& view = machine ? p.machine : p.threads;
  if (!view) {
    *why = machine ? p.machine_reason : p.threads_reason;
    return std::nullopt;
  }
  if (!p.kernel_caveat.empty()) {
    *why = p.kernel_caveat;
    return std::nullopt;
  }
  if (view->samples == 0) {
    *why = "no samples";
    return std::nullopt;
  }
  uint64_t copies = 0;
  for (const auto& b : view->buckets)
    for (const auto& info : bucket_infos())
      if (info.copy && b.key == info.key) copies += b.samples;
  return 100.0 * static_cast<double>(copies) / static_cast<double>(view->samples);
}

std::optional<double> bucket_pct(const ProfileFigures& p, bool machine, const std::string& key) {
  const auto& view = machine ? p.machine : p.threads;
  if (!view) return std::nullopt;
  for (const auto& b : view->buckets)
    if (b.key == key) return b.pct;
  return std::nullopt;
}

}  // namespace copybench
