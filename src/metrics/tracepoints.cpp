#include "metrics/tracepoints.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <fstream>

#include "core/error.h"
#include "metrics/perf_counters.h"

namespace copybench {
namespace {

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string open_refusal(int err, bool system_wide) {
  if (system_wide) return system_wide_refusal(err);
  if (err == EACCES || err == EPERM) {
    const std::optional<int> paranoid = perf_event_paranoid();
    return fmt::format("not permitted (/proc/sys/kernel/perf_event_paranoid is {}): {}",
                       paranoid ? std::to_string(*paranoid) : std::string("unreadable"), errno_text(err));
  }
  if (err == EMFILE || err == ENFILE) return "out of file descriptors (see ulimit -n): " + errno_text(err);
  return "cannot open: " + errno_text(err);
}

// The perf_event_attr of one spec, or the reason there is none.
std::optional<perf_event_attr> attr_for(const EventSpec& spec, const EventSources& src, std::string* why) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.disabled = 1;  // counting starts at enable(), in the window
  attr.exclude_hv = 1;
  if (spec.kprobe) {
    if (!src.kprobe_type) {
      *why = src.kprobe_reason;
      return std::nullopt;
    }
    attr.type = *src.kprobe_type;
    // perf_event_attr.kprobe_func (config1) points at the function's name; the kernel copies
    // it while opening, so the spec's string only has to outlive the call.
    attr.config1 = reinterpret_cast<uint64_t>(spec.name.c_str());
    return attr;
  }
  if (src.tracefs.empty()) {
    *why = src.tracefs_reason;
    return std::nullopt;
  }
  auto id = tracepoint_id(src.tracefs, spec.system, spec.name, why);
  if (!id) return std::nullopt;
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = *id;
  return attr;
}

// Opens `attr` on every target (threads, or CPUs with pid -1). The first target decides
// whether the event can be counted at all; a later one that fails (a thread that has exited)
// leaves a partial sum and says so.
void open_targets(const perf_event_attr& attr, const std::vector<int>& targets, bool system_wide, PerfFds& fds,
                  std::string& reason) {
  int missed = 0;
  std::string missed_why;
  for (size_t i = 0; i < targets.size(); ++i) {
    const int fd = system_wide ? open_perf_event(attr, -1, targets[i]) : open_perf_event(attr, targets[i], -1);
    if (fd >= 0) {
      fds.add(fd);
    } else if (i == 0) {
      reason = open_refusal(errno, system_wide);
      return;
    } else if (missed++ == 0) {
      missed_why = fmt::format("{} {}: {}", system_wide ? "CPU" : "thread", targets[i], errno_text(errno));
    }
  }
  if (missed > 0)
    reason = fmt::format("counted on {} of {} {}: {}", fds.size(), targets.size(), system_wide ? "CPUs" : "threads",
                         missed_why);
}

}  // namespace

const std::vector<EventSpec>& event_specs() {
  static const std::vector<EventSpec> specs = {
      {"skb", "skb_copy_datagram_iovec", "rx_copies",
       "receive copies into user memory: one per skb (or part of one) that recvmsg copied", false},
      {"tcp", "tcp_sendmsg_locked", "tx_chunks",
       "send-loop iterations of tcp_sendmsg_locked: each copies one chunk of the caller's data into an skb "
       "(MSG_ZEROCOPY: pins its pages instead); an iteration that only waits for memory counts too",
       false},
      {"net", "net_dev_xmit", "dev_xmit", "packets (skbs, GSO super-packets) a device transmitted", false},
      {"net", "netif_rx", "netif_rx", "packets a software device (loopback, veth) queued for receive", false},
      {"net", "netif_receive_skb", "netif_receive", "packets handed from a device to the protocol stack", false},
      {"skb", "consume_skb", "skb_consumed", "skbs freed after normal use", false},
      {"skb", "kfree_skb", "skb_dropped", "skbs freed as drops (kfree_skb with a drop reason)", false},
      {"tcp", "tcp_retransmit_skb", "retransmits", "TCP segments retransmitted", false},
      {"kprobe", "_copy_from_iter", "tx_copies", "calls of _copy_from_iter: user-to-kernel copies (send payload)",
       true},
      {"kprobe", "_copy_from_iter_nocache", "tx_copies_nocache",
       "calls of _copy_from_iter_nocache: user-to-kernel copies that bypass the cache (NETIF_F_NOCACHE_COPY)", true},
      {"kprobe", "skb_copy_ubufs", "zc_copies",
       "calls of skb_copy_ubufs: a MSG_ZEROCOPY skb's user pages copied after all (delivered to a local socket)", true},
  };
  return specs;
}

std::string find_tracefs(bool may_mount, std::string* why) {
  static const char* const kPlaces[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
  for (const char* place : kPlaces)
    if (is_dir(std::string(place) + "/events")) return place;
  if (may_mount && is_dir(kPlaces[0])) {
    // perf mounts tracefs itself when it needs it; doing the same spares every user that step.
    if (::mount("nodev", kPlaces[0], "tracefs", 0, nullptr) == 0 && is_dir(std::string(kPlaces[0]) + "/events"))
      return kPlaces[0];
    *why = fmt::format(
        "tracefs is not mounted and mounting it on {} failed ({}): "
        "mount -t tracefs nodev /sys/kernel/tracing",
        kPlaces[0], errno_text(errno));
    return "";
  }
  *why = "tracefs is not mounted (as root: mount -t tracefs nodev /sys/kernel/tracing)";
  return "";
}

std::optional<uint64_t> tracepoint_id(const std::string& tracefs, const std::string& system, const std::string& name,
                                      std::string* why) {
  const std::string path = tracefs + "/events/" + system + "/" + name + "/id";
  std::ifstream in(path);
  uint64_t id = 0;
  if (in >> id) return id;
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT)
    *why = fmt::format("this kernel has no tracepoint {}:{} ({} is absent)", system, name, path);
  else *why = fmt::format("cannot read {} (tracefs is readable by root only): {}", path, errno_text(errno));
  return std::nullopt;
}

std::optional<uint32_t> kprobe_pmu_type(const std::string& devices_dir, std::string* why) {
  std::ifstream in(devices_dir + "/kprobe/type");
  uint32_t type = 0;
  if (in >> type) return type;
  *why = "no kprobe PMU on this kernel (" + devices_dir + "/kprobe is absent)";
  return std::nullopt;
}

EventSources EventSources::detect() {
  EventSources s;
  s.tracefs = find_tracefs(::geteuid() == 0, &s.tracefs_reason);
  s.kprobe_type = kprobe_pmu_type("/sys/bus/event_source/devices", &s.kprobe_reason);
  s.cpus = online_cpus(&s.cpus_reason);
  return s;
}

EventCounters::EventCounters(const std::vector<pid_t>& tids, const EventSources& sources) {
  const std::vector<int> threads(tids.begin(), tids.end());
  for (const EventSpec& spec : event_specs()) {
    std::string why;
    const std::optional<perf_event_attr> attr = attr_for(spec, sources, &why);
    for (const char* scope : {"threads", "system"}) {
      Opened ev{&spec, scope, {}, why};
      const bool system_wide = ev.scope == "system";
      if (attr && system_wide && !sources.cpus) ev.reason = sources.cpus_reason;
      else if (attr && !system_wide && threads.empty()) ev.reason = "no threads to count";
      else if (attr) open_targets(*attr, system_wide ? *sources.cpus : threads, system_wide, ev.fds, ev.reason);
      events_.push_back(std::move(ev));
    }
  }
}

// The machine's count must contain the threads' count over the same window, so the
// system-wide events are turned on before the threads' and off after them.
int EventCounters::toggle(const char* first_scope, unsigned long request) const {
  int first = 0;
  for (bool leading : {true, false})
    for (const Opened& ev : events_) {
      if ((ev.scope == first_scope) != leading) continue;
      if (int err = ev.fds.ioctl_all(request); err != 0 && first == 0) first = err;
    }
  return first;
}

int EventCounters::enable() const { return toggle("system", PERF_EVENT_IOC_ENABLE); }

int EventCounters::disable() const { return toggle("threads", PERF_EVENT_IOC_DISABLE); }

std::vector<EventCount> EventCounters::read() const {
  std::vector<EventCount> out;
  for (const char* scope : {"threads", "system"}) {
    for (const Opened& ev : events_) {
      if (ev.scope != scope) continue;
      EventCount c{ev.spec->full_name(), ev.spec->key, ev.scope, std::nullopt, ev.reason};
      if (!ev.fds.empty()) {
        int err = 0;
        c.count = ev.fds.read_sum(&err);
        if (!c.count) c.reason = "reading the count failed: " + errno_text(err);
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace copybench
