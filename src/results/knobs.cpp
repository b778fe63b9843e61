#include "results/knobs.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"

namespace copybench {

using nlohmann::json;

bool within_rate_tolerance(double gbps, double target_gbps) {
  return std::fabs(gbps - target_gbps) <= target_gbps * kRateTolerancePct / 100;
}

RateFigures rate_figures(std::vector<StreamFigures>& streams, uint64_t rate_bps) {
  RateFigures r;
  r.target_gbps = static_cast<double>(rate_bps) / 1e9;
  r.tolerance_pct = kRateTolerancePct;
  r.connections = static_cast<int>(streams.size());
  double sum = 0;
  int known = 0;
  for (auto& s : streams) {
    if (!s.throughput_gbps) continue;
    const double got = *s.throughput_gbps;
    s.rate_held = within_rate_tolerance(got, r.target_gbps);
    r.connections_held += *s.rate_held ? 1 : 0;
    r.min_gbps = std::min(r.min_gbps.value_or(got), got);
    r.max_gbps = std::max(r.max_gbps.value_or(got), got);
    sum += got;
    ++known;
  }
  if (known < r.connections || known == 0) {
    r.reason = known == 0 ? "no connection's throughput was measured"
                          : "a connection's throughput was not measured, so the side's verdict is unknown";
    if (known > 0) r.achieved_gbps = sum / known;
    return r;
  }
  r.achieved_gbps = sum / known;
  // The side held the rate when each connection did; otherwise the connection furthest off says
  // which way it missed.
  if (r.connections_held == r.connections) r.verdict = RateVerdict::held;
  else if (*r.min_gbps < r.target_gbps * (1 - kRateTolerancePct / 100)) r.verdict = RateVerdict::not_reached;
  else r.verdict = RateVerdict::exceeded;
  return r;
}

void decide_rate(RunResult& result) {
  for (Side side : kSides) {
    auto& figures = result.figures(side);
    if (!figures) continue;
    figures->rate.reset();
    if (result.params.rate_bps == 0) {
      figures->rate_reason = "no --rate was asked for: the connections ran as fast as they could";
      continue;
    }
    figures->rate = rate_figures(figures->streams, result.params.rate_bps);
    figures->rate_reason.clear();
  }
  for (auto& direction : result.directions) decide_rate(direction);
}

json to_json(const RateFigures& r) {
  return {{"target_gbps", r.target_gbps},
          {"tolerance_pct", r.tolerance_pct},
          {"achieved_gbps", json_opt(r.achieved_gbps)},
          {"min_gbps", json_opt(r.min_gbps)},
          {"max_gbps", json_opt(r.max_gbps)},
          {"connections", r.connections},
          {"connections_held", r.connections_held},
          {"verdict", r.verdict ? json(rate_verdict_name(*r.verdict)) : json(nullptr)},
          {"reason", json_text(r.reason)}};
}

RateFigures rate_from_json(const json& j) {
  RateFigures r;
  r.target_gbps = j.at("target_gbps").get<double>();
  r.tolerance_pct = j.at("tolerance_pct").get<double>();
  r.achieved_gbps = json_get_opt<double>(j, "achieved_gbps");
  r.min_gbps = json_get_opt<double>(j, "min_gbps");
  r.max_gbps = json_get_opt<double>(j, "max_gbps");
  r.connections = json_as<int>(j.at("connections"));
  r.connections_held = json_as<int>(j.at("connections_held"));
  if (auto v = json_get_opt<std::string>(j, "verdict")) r.verdict = parse_rate_verdict(*v);
  r.reason = json_get_opt<std::string>(j, "reason").value_or("");
  return r;
}

json to_json(const SocketGrant& g) {
  return {{"sndbuf_bytes", json_opt(g.sndbuf_bytes)},
          {"rcvbuf_bytes", json_opt(g.rcvbuf_bytes)},
          {"congestion", json_opt(g.congestion)},
          {"mss_bytes", json_opt(g.mss_bytes)},
          {"nodelay", json_opt(g.nodelay)},
          {"local_port", json_opt(g.local_port)},
          {"peer_port", json_opt(g.peer_port)},
          {"max_pacing_rate_gbps",
           g.max_pacing_bytes_per_s ? json(static_cast<double>(*g.max_pacing_bytes_per_s) * 8 / 1e9) : json(nullptr)}};
}

SocketGrant grant_from_json(const json& j) {
  SocketGrant g;
  g.sndbuf_bytes = json_get_opt<uint64_t>(j, "sndbuf_bytes");
  g.rcvbuf_bytes = json_get_opt<uint64_t>(j, "rcvbuf_bytes");
  g.congestion = json_get_opt<std::string>(j, "congestion");
  g.mss_bytes = json_get_opt<int>(j, "mss_bytes");
  g.nodelay = json_get_opt<bool>(j, "nodelay");
  g.local_port = json_get_opt<uint16_t>(j, "local_port");
  g.peer_port = json_get_opt<uint16_t>(j, "peer_port");
  if (auto gbps = json_get_opt<double>(j, "max_pacing_rate_gbps"))
    g.max_pacing_bytes_per_s = static_cast<uint64_t>(std::llround(*gbps * 1e9 / 8));
  return g;
}

}  // namespace copybench
