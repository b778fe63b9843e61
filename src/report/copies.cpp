#include "report/copies.h"

#include "core/column_keys.h"
#include "metrics/cpu_buckets.h"

namespace copybench::report {
namespace {

std::optional<double> median(const SummaryPoint& p, const std::string& metric) {
  const Stats* s = p.metric(metric);
  return s ? std::optional<double>(s->median) : std::nullopt;
}

// The data path's order: the application, the send call, the deferred copy, the receive call.
constexpr Bucket kCopyOrder[] = {Bucket::copy_user_space, Bucket::copy_to_kernel, Bucket::copy_zc_deferred,
                                 Bucket::copy_to_user};

bool is(const std::string& bucket, Bucket b) { return bucket == bucket_info(b).key; }

}  // namespace

std::vector<std::string> profile_summary_metrics() {
  std::vector<std::string> names;
  for (Side side : kSides) {
    const std::string s = side_name(side);
    names.push_back(key::of_side(s, key::copies_per_msg));
    names.push_back(key::of_side(s, key::cpu_in_copies_pct));
    for (const auto& b : bucket_infos()) names.push_back(key::of_side(s, key::cpu_bucket_pct(b.key)));
    names.push_back(key::of_side(s, key::profile_overhead_pct));
  }
  names.push_back(key::receiver(key::rx_copies_per_msg));
  names.push_back(key::sender(key::tx_chunks_per_msg));
  return names;
}

std::vector<std::string> with_profile_metrics(const std::vector<std::string>& base) {
  std::vector<std::string> all = base;
  for (auto& m : profile_summary_metrics()) all.push_back(std::move(m));
  return all;
}

std::string copy_component(const std::string& bucket) {
  if (is(bucket, Bucket::copy_user_space)) return "the application itself (memcpy/memmove in user space)";
  if (is(bucket, Bucket::copy_to_kernel))
    return "the send system call (tcp_sendmsg copying the iovec into skbs: _copy_from_iter)";
  if (is(bucket, Bucket::copy_zc_deferred))
    return "the receive path delivering MSG_ZEROCOPY pages to a local socket (skb_copy_ubufs)";
  if (is(bucket, Bucket::copy_to_user))
    return "the receive system call (tcp_recvmsg copying skbs out: skb_copy_datagram_iter, _copy_to_iter)";
  return bucket;
}

std::vector<PointCopies> point_copies(const Summary& summary) {
  std::vector<PointCopies> out;
  for (const auto& p : summary.points) {
    if (p.key.mode != "stream") continue;
    PointCopies c{
        p.key, median(p, key::sender(key::copies_per_msg)),        median(p, key::receiver(key::copies_per_msg)), {},
        0,     median(p, key::receiver(key::profile_overhead_pct))};
    bool any = false;
    for (Bucket b : kCopyOrder) {
      const char* bucket = bucket_info(b).key;
      bool counted = false;
      for (Side side : kSides) {
        const auto pct = median(p, key::of_side(side_name(side), key::cpu_bucket_pct(bucket)));
        any = any || pct.has_value();
        if (!pct || *pct < kStagePct) continue;
        c.stages.push_back({bucket, copy_component(bucket), side, *pct});
        if (!counted) ++c.passes;  // one pass over the bytes, whichever side's threads ran it
        counted = true;
      }
    }
    if (any) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace copybench::report
