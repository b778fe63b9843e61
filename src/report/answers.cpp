#include "report/answers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/column_keys.h"

namespace copybench::report {
namespace {

bool overlap(const Stats& a, const Stats& b) {
  auto [a_low, a_high] = interval(a);
  auto [b_low, b_high] = interval(b);
  return a_low <= b_high && b_low <= a_high;
}

// Log-linear interpolation of the zero of the median difference between two adjacent sizes.
double interpolate(const SizeComparison& lo, const SizeComparison& hi) {
  double d_lo = lo.challenger - lo.baseline, d_hi = hi.challenger - hi.baseline;
  // The order comes from intervals and the difference from medians; they can disagree in sign
  // for skewed runs, and then the midpoint is the honest guess.
  double frac = (d_lo < 0 && d_hi > 0) ? -d_lo / (d_hi - d_lo) : 0.5;
  double x_lo = std::log2(double(lo.message_bytes)), x_hi = std::log2(double(hi.message_bytes));
  return std::exp2(x_lo + frac * (x_hi - x_lo));
}

const Stats* throughput(const SummaryPoint& p) { return p.metric(key::receiver(key::throughput_gbps)); }

}  // namespace

Order compare(const Stats& challenger, const Stats& baseline) {
  if (overlap(challenger, baseline)) return Order::tie;
  return interval(challenger).first > interval(baseline).second ? Order::ahead : Order::behind;
}

std::vector<uint64_t> Crossover::tied_sizes() const {
  std::vector<uint64_t> out;
  for (const auto& s : sizes)
    if (s.order == Order::tie) out.push_back(s.message_bytes);
  return out;
}

Crossover find_crossover(std::vector<SizeComparison> sizes) {
  std::sort(sizes.begin(), sizes.end(),
            [](const SizeComparison& a, const SizeComparison& b) { return a.message_bytes < b.message_bytes; });
  Crossover c;
  c.sizes = sizes;
  if (sizes.size() < 2) return c;
  // Walk the sizes told apart; ties between two of them are remembered, not decisive.
  std::optional<size_t> last_clear;
  bool tie_since_clear = false, seen_ahead = false, seen_behind = false;
  std::optional<size_t> fell_from, fell_to;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i].order == Order::tie) {
      tie_since_clear = true;
      continue;
    }
    bool ahead = sizes[i].order == Order::ahead;
    if (last_clear && sizes[*last_clear].order == Order::behind && ahead) {
      c.below_bytes = sizes[*last_clear].message_bytes;
      c.above_bytes = sizes[i].message_bytes;
      if (tie_since_clear) {
        c.kind = Crossover::Kind::overtakes_within_noise;
      } else {
        c.kind = Crossover::Kind::overtakes;
        c.at_bytes = interpolate(sizes[*last_clear], sizes[i]);
      }
      return c;
    }
    if (last_clear && sizes[*last_clear].order == Order::ahead && !ahead && !fell_from) {
      fell_from = *last_clear;
      fell_to = i;
    }
    (ahead ? seen_ahead : seen_behind) = true;
    last_clear = i;
    tie_since_clear = false;
  }
  if (fell_from) {
    c.kind = Crossover::Kind::falls_behind;
    c.below_bytes = sizes[*fell_from].message_bytes;
    c.above_bytes = sizes[*fell_to].message_bytes;
  } else if (seen_ahead) {
    c.kind = Crossover::Kind::always_ahead;
  } else if (seen_behind) {
    c.kind = Crossover::Kind::always_behind;
  } else {
    c.kind = Crossover::Kind::always_tied;
  }
  return c;
}

std::vector<Crossover> stream_crossovers(const Summary& summary) {
  // (topology, threads) -> strategy -> size -> throughput stats, in the summary's order.
  std::vector<std::tuple<std::string, int, std::map<std::string, std::map<uint64_t, const Stats*>>>> groups;
  for (const auto& p : summary.points) {
    const Stats* s = throughput(p);
    if (p.key.mode != "stream" || !s) continue;
    if (groups.empty() || std::get<0>(groups.back()) != p.key.topology || std::get<1>(groups.back()) != p.key.threads)
      groups.push_back({p.key.topology, p.key.threads, {}});
    std::get<2>(groups.back())[p.key.strategy][p.key.message_bytes] = s;
  }
  std::vector<Crossover> out;
  for (auto& [topology, threads, by_strategy] : groups) {
    std::vector<std::string> names;
    for (const auto& entry : by_strategy) names.push_back(entry.first);
    std::stable_sort(names.begin(), names.end(),
                     [](const std::string& a, const std::string& b) { return strategy_rank(a) < strategy_rank(b); });
    // Baseline outer, challenger inner: the study's order (one-copy and zero-copy over
    // two-copy, then zero-copy over one-copy).
    for (size_t b = 0; b < names.size(); ++b) {
      for (size_t a = b + 1; a < names.size(); ++a) {
        std::vector<SizeComparison> sizes;
        const auto& base = by_strategy[names[b]];
        for (const auto& [bytes, challenger] : by_strategy[names[a]]) {
          auto it = base.find(bytes);
          if (it == base.end()) continue;
          sizes.push_back({bytes, challenger->median, it->second->median, compare(*challenger, *it->second)});
        }
        Crossover c = find_crossover(std::move(sizes));
        c.topology = topology;
        c.threads = threads;
        c.challenger = names[a];
        c.baseline = names[b];
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

std::vector<BestThreads> best_thread_counts(const Summary& summary, std::string_view mode, std::string_view metric) {
  std::vector<BestThreads> out;
  // Same configuration but threads; groups in the summary's order (topology, size, strategy).
  std::vector<std::vector<const SummaryPoint*>> groups;
  for (const auto& p : summary.points) {
    if (p.key.mode != mode || !p.metric(metric)) continue;
    bool placed = false;
    for (auto& g : groups) {
      PointKey k = g.front()->key;
      k.threads = p.key.threads;
      if (k == p.key) {
        g.push_back(&p);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({&p});
  }
  for (const auto& g : groups) {
    if (g.size() < 2) continue;
    const SummaryPoint* best = g.front();
    for (const auto* p : g)
      if (p->metric(metric)->median > best->metric(metric)->median) best = p;
    BestThreads b{best->key.topology,
                  best->key.mode,
                  best->key.strategy,
                  best->key.message_bytes,
                  best->key.response_bytes,
                  best->key.threads,
                  best->metric(metric)->median,
                  {},
                  {}};
    for (const auto* p : g) {
      b.measured_threads.push_back(p->key.threads);
      if (p != best && overlap(*p->metric(metric), *best->metric(metric))) b.tied_threads.push_back(p->key.threads);
    }
    std::sort(b.measured_threads.begin(), b.measured_threads.end());
    std::sort(b.tied_threads.begin(), b.tied_threads.end());
    out.push_back(std::move(b));
  }
  return out;
}

namespace {

// Points of `mode` with `metric`, grouped by configuration but strategy, in the summary's order.
std::vector<std::vector<const SummaryPoint*>> by_configuration(const Summary& summary, std::string_view mode,
                                                               std::string_view metric) {
  std::vector<std::vector<const SummaryPoint*>> groups;
  for (const auto& p : summary.points) {
    if (p.key.mode != mode || !p.metric(metric)) continue;
    PointKey k = p.key;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      k.strategy = g.front()->key.strategy;
      return g.front()->key == k;
    });
    if (it == groups.end()) groups.push_back({&p});
    else it->push_back(&p);
  }
  return groups;
}

}  // namespace

std::vector<BestStrategy> best_stream_strategies(const Summary& summary) {
  std::vector<BestStrategy> out;
  const std::string metric = key::receiver(key::throughput_gbps);
  for (const auto& g : by_configuration(summary, "stream", metric)) {
    const SummaryPoint* best = g.front();
    for (const auto* p : g)
      if (p->metric(metric)->median > best->metric(metric)->median) best = p;
    BestStrategy b{best->key.topology,           best->key.threads,
                   best->key.message_bytes,      best->key.strategy,
                   best->metric(metric)->median, {},
                   static_cast<int>(g.size())};
    for (const auto* p : g)
      if (p != best && overlap(*p->metric(metric), *best->metric(metric))) b.tied.push_back(p->key.strategy);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<UringBatching> uring_batching(const Summary& summary) {
  std::vector<UringBatching> out;
  const std::string metric = key::receiver(key::throughput_gbps);
  for (const auto& g : by_configuration(summary, "stream", metric)) {
    auto find = [&](const char* name) {
      auto it = std::find_if(g.begin(), g.end(), [&](const SummaryPoint* p) { return p->key.strategy == name; });
      return it == g.end() ? nullptr : *it;
    };
    const SummaryPoint *u = find("uring"), *t = find("two-copy");
    if (!u || !t) continue;
    const Stats &us = *u->metric(metric), &ts = *t->metric(metric);
    UringBatching b{u->key.topology, u->key.threads, u->key.message_bytes, us.median, ts.median, {}, {}, 0};
    const std::string calls = key::sender(key::calls_per_msg);
    if (const Stats* c = u->metric(calls)) b.uring_calls = c->median;
    if (const Stats* c = t->metric(calls)) b.two_copy_calls = c->median;
    if (!overlap(us, ts)) b.verdict = interval(us).first > interval(ts).second ? 1 : -1;
    out.push_back(b);
  }
  return out;
}

std::vector<MappedShare> mapped_shares(const Summary& summary) {
  std::vector<MappedShare> out;
  for (const auto& p : summary.points)
    if (const Stats* s = p.metric(key::receiver(key::zc_mapped_pct)))
      out.push_back({p.key.topology, p.key.strategy, p.key.threads, p.key.message_bytes, s->min, s->max});
  return out;
}

std::vector<LowestLatency> lowest_rr_latency(const Summary& summary) {
  std::vector<LowestLatency> out;
  const std::string metric = key::receiver(key::latency_p50_us);
  for (const auto& g : by_configuration(summary, "rr", metric)) {
    const SummaryPoint* best = g.front();
    for (const auto* p : g)
      if (p->metric(metric)->median < best->metric(metric)->median) best = p;
    LowestLatency l{best->key.topology,
                    best->key.threads,
                    best->key.message_bytes,
                    best->key.response_bytes,
                    best->key.strategy,
                    best->metric(metric)->median,
                    {},
                    static_cast<int>(g.size())};
    for (const auto* p : g)
      if (p != best && overlap(*p->metric(metric), *best->metric(metric))) l.tied.push_back(p->key.strategy);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<ZeroCopyShare> zero_copy_shares(const Summary& summary) {
  std::vector<ZeroCopyShare> out;
  for (const auto& p : summary.points) {
    const Stats* s = p.metric(key::zc_copied_pct);
    if (!s) continue;
    if (out.empty() || out.back().topology != p.key.topology) out.push_back({p.key.topology, 0, 0, s->min, s->max});
    auto& z = out.back();
    ++z.points;
    z.runs += s->n;
    z.min_pct = std::min(z.min_pct, s->min);
    z.max_pct = std::max(z.max_pct, s->max);
  }
  return out;
}

std::string zero_copy_meaning(const ZeroCopyShare& z) {
  bool local = z.topology == "loopback" || z.topology == "netns";
  if (local && z.min_pct >= 99.5)
    return "As expected: on loopback and veth the data is delivered to a local socket, so the kernel copies "
           "every MSG_ZEROCOPY send (skb_copy_ubufs) and flags the completion SO_EE_CODE_ZEROCOPY_COPIED. "
           "Zero-copy here pays for page pinning and completion notifications and still copies; it avoids the "
           "copy only when a NIC transmits to another host.";
  if (local)
    return "Unexpected: on loopback and veth the kernel should copy every MSG_ZEROCOPY send (skb_copy_ubufs), "
           "because the data is delivered to a local socket. Runs below 100% deserve a look (kernel version, "
           "how the topology was set up).";
  if (z.max_pct <= 0.5)
    return "The NIC transmitted straight from the pinned user pages: zero-copy avoided the send-side copy.";
  if (z.min_pct >= 99.5)
    return "The kernel copied every send even though the peer is another host: the device lacks scatter-gather "
           "or checksum offload, or the route is local. Zero-copy bought no copy avoidance here.";
  return "Some sends were copied and some were not: the kernel falls back to copying per send (e.g. when the "
         "device cannot take the pages), so zero-copy avoided the copy only in part.";
}

}  // namespace copybench::report
