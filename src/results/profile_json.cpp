#include "results/profile_json.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"
#include "metrics/cpu_buckets.h"
#include "results/result_json.h"

namespace copybench {
namespace {

using nlohmann::json;

// An integer of type T, or Error: the sender's figures arrive from a peer, and nlohmann's get
// would cast a floating-point or out-of-range value without a word.
template <typename T>
T integer(const json& j) {
  if (j.is_number_unsigned() && std::in_range<T>(j.get<uint64_t>())) return static_cast<T>(j.get<uint64_t>());
  if (j.is_number_integer() && !j.is_number_unsigned() && std::in_range<T>(j.get<int64_t>()))
    return static_cast<T>(j.get<int64_t>());
  throw Error(fmt::format("expected an integer in range, found {:.40}", j.dump()));
}

// Whole nanoseconds of a JSON number of seconds, refused out of range (a peer sent it).
int64_t ns_from(const json& j) {
  const double seconds = j.get<double>();
  if (!(seconds >= 0 && seconds < 1e9)) throw Error("a profile time is out of range");
  return static_cast<int64_t>(seconds * 1e9);
}

std::string text_from(const json& j, const char* key) {
  return j.contains(key) && !j.at(key).is_null() ? j.at(key).get<std::string>() : std::string();
}

json to_json(const SampleFigures& s, const ProfileFigures& p, bool machine) {
  json buckets = json::array(), top = json::array();
  for (const auto& b : s.buckets) {
    const BucketInfo* info = nullptr;
    for (const auto& i : bucket_infos())
      if (b.key == i.key) info = &i;
    buckets.push_back(
        {{"key", b.key}, {"title", info ? info->title : ""}, {"samples", b.samples}, {"pct", json_opt(b.pct)}});
  }
  for (const auto& f : s.top)
    top.push_back({{"function", f.function}, {"bucket", f.bucket}, {"samples", f.samples}, {"pct", f.pct}});
  std::string why;
  const auto copies = copies_pct(p, machine, &why);
  return {{"hz", s.hz},
          {"samples", s.samples},
          {"kernel_samples", s.kernel_samples},
          {"cpu_in_copies_pct", json_opt(copies)},
          {"cpu_in_copies_reason", copies ? json(nullptr) : json_text(why)},
          {"buckets", buckets},
          {"top", top}};
}

SampleFigures samples_from_json(const json& j) {
  SampleFigures s;
  s.hz = integer<int>(j.at("hz"));
  s.samples = integer<uint64_t>(j.at("samples"));
  s.kernel_samples = integer<uint64_t>(j.at("kernel_samples"));
  for (const auto& b : j.at("buckets")) {
    BucketFigure f{b.at("key").get<std::string>(), integer<uint64_t>(b.at("samples")), std::nullopt};
    if (!b.at("pct").is_null()) f.pct = b.at("pct").get<double>();
    s.buckets.push_back(std::move(f));
  }
  for (const auto& f : j.at("top"))
    s.top.push_back({f.at("function").get<std::string>(), f.at("bucket").get<std::string>(),
                     integer<uint64_t>(f.at("samples")), f.at("pct").get<double>()});
  return s;
}

}  // namespace

const char* const kCopyBytesReason =
    "not summed: summing skb_copy_datagram_iovec's len field would take one PERF_SAMPLE_RAW record per copy "
    "(up to millions a second), costing more than the counts; for TCP these copies move exactly the bytes "
    "recv() returned (bytes_in_window)";

json to_json(const ProfileFigures& p) {
  json events = json::array();
  for (const auto& e : p.events)
    events.push_back({{"name", e.name},
                      {"key", e.key},
                      {"scope", e.scope},
                      {"count", json_opt(e.count)},
                      {"per_msg", json_opt(event_per_msg(p, e.key, e.scope))},
                      {"per_kib", json_opt(event_per_kib(p, e.key, e.scope))},
                      {"reason", json_text(e.reason)}});
  std::string overhead_why, copies_why;
  const auto overhead = profile_overhead_pct(p, &overhead_why);
  const auto copies = copies_per_msg(p, &copies_why);
  return {{"slice_s", p.slice_ns / 1e9},
          {"slices_on", p.slices_on},
          {"slices_off", p.slices_off},
          {"on_s", p.on_ns / 1e9},
          {"off_s", p.off_ns / 1e9},
          {"on_bytes", p.on_bytes},
          {"off_bytes", p.off_bytes},
          {"on_messages", p.on_messages},
          {"off_messages", p.off_messages},
          {"overhead_pct", json_opt(overhead)},
          {"overhead_reason", overhead ? json(nullptr) : json_text(overhead_why)},
          {"zerocopy_sends", p.zerocopy_sends},
          {"copies_per_msg", json_opt(copies)},
          {"copies_per_msg_reason", copies ? json(nullptr) : json_text(copies_why)},
          {"rx_copy_bytes", nullptr},
          {"rx_copy_bytes_reason", kCopyBytesReason},
          {"events", events},
          {"threads", p.threads ? to_json(*p.threads, p, false) : json(nullptr)},
          {"threads_reason", p.threads ? json(nullptr) : json_text(p.threads_reason)},
          {"machine", p.machine ? to_json(*p.machine, p, true) : json(nullptr)},
          {"machine_reason", p.machine ? json(nullptr) : json_text(p.machine_reason)},
          {"kernel_caveat", json_text(p.kernel_caveat)},
          {"threads_caveat", json_text(p.threads_caveat)},
          {"samples_lost", p.samples_lost},
          {"throttled", p.throttled}};
}

ProfileFigures profile_from_json(const json& j) {
  ProfileFigures p;
  p.slice_ns = ns_from(j.at("slice_s"));
  p.slices_on = integer<int>(j.at("slices_on"));
  p.slices_off = integer<int>(j.at("slices_off"));
  p.on_ns = ns_from(j.at("on_s"));
  p.off_ns = ns_from(j.at("off_s"));
  p.on_bytes = integer<uint64_t>(j.at("on_bytes"));
  p.off_bytes = integer<uint64_t>(j.at("off_bytes"));
  p.on_messages = integer<uint64_t>(j.at("on_messages"));
  p.off_messages = integer<uint64_t>(j.at("off_messages"));
  p.zerocopy_sends = j.at("zerocopy_sends").get<bool>();
  for (const auto& e : j.at("events")) {
    EventFigure f{e.at("name").get<std::string>(), e.at("key").get<std::string>(), e.at("scope").get<std::string>(),
                  std::nullopt, text_from(e, "reason")};
    if (!e.at("count").is_null()) f.count = integer<uint64_t>(e.at("count"));
    p.events.push_back(std::move(f));
  }
  if (!j.at("threads").is_null()) p.threads = samples_from_json(j.at("threads"));
  if (!j.at("machine").is_null()) p.machine = samples_from_json(j.at("machine"));
  p.threads_reason = text_from(j, "threads_reason");
  p.machine_reason = text_from(j, "machine_reason");
  p.kernel_caveat = text_from(j, "kernel_caveat");
  p.threads_caveat = text_from(j, "threads_caveat");
  p.samples_lost = integer<uint64_t>(j.at("samples_lost"));
  p.throttled = integer<uint64_t>(j.at("throttled"));
  return p;
}

}  // namespace copybench
