#pragma once
// What --rate and the socket knobs got: whether each side held the rate (decide_rate), and the
// JSON of the rate's figures and of a socket's grant (results/side_json.cpp calls these).
#include <nlohmann/json.hpp>

#include "results/result.h"

namespace copybench {

/// A connection whose throughput is within this share of --rate held it (the 2%).
inline constexpr double kRateTolerancePct = 2.0;

/// Whether `gbps` is within kRateTolerancePct of `target_gbps` (a connection's verdict, and the
/// report's check of a point's median).
bool within_rate_tolerance(double gbps, double target_gbps);

/// Each side's RateFigures and each connection's rate_held, from its connections' window
/// throughputs and params.rate_bps; without a rate, rate_reason says so.
void decide_rate(RunResult& result);

/// The figures of one side against a target of `rate_bps` per connection.
RateFigures rate_figures(std::vector<StreamFigures>& streams, uint64_t rate_bps);

nlohmann::json to_json(const RateFigures& rate);
RateFigures rate_from_json(const nlohmann::json& j);
nlohmann::json to_json(const SocketGrant& grant);
SocketGrant grant_from_json(const nlohmann::json& j);

}  // namespace copybench
