#include "results/server_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "results/result_json.h"

namespace copybench {

std::string encode_server_report(const ServerReport& report) {
  nlohmann::json j = {
      {"side", to_json(report.side)},
      {"environment", to_json(report.environment)},
      {"zerocopy", report.zerocopy ? to_json(*report.zerocopy) : nlohmann::json(nullptr)},
      {"verify", {{"messages_checked", report.messages_checked}, {"corrupt_messages", report.corrupt_messages}}},
      {"trailing_bytes", report.trailing_bytes}};
  return j.dump();
}

ServerReport decode_server_report(std::string_view payload, int threads, Side expected) {
  ServerReport r;
  try {
    auto j = nlohmann::json::parse(payload);
    r.side = side_from_json(j.at("side"));
    r.environment = environment_from_json(j.at("environment"));
    if (!j.at("zerocopy").is_null()) r.zerocopy = zerocopy_from_json(j.at("zerocopy"));
    r.messages_checked = j.at("verify").at("messages_checked").get<uint64_t>();
    r.corrupt_messages = j.at("verify").at("corrupt_messages").get<uint64_t>();
    r.trailing_bytes = j.at("trailing_bytes").get<uint64_t>();
  } catch (const std::exception& e) {  // nlohmann's errors, and Error from the checked getters
    throw Error(fmt::format("malformed RESULT from the server: {}", e.what()));
  }
  if (r.side.side != expected)
    throw Error(fmt::format("malformed RESULT from the server: the {}'s figures, but in this test the server is the {}",
                            side_name(r.side.side), side_name(expected)));
  // The client pairs the server's streams with its own by index.
  if (r.side.streams.size() != static_cast<size_t>(threads))
    throw Error(fmt::format("malformed RESULT from the server: {} streams for a test of {} connections",
                            r.side.streams.size(), threads));
  for (size_t i = 0; i < r.side.streams.size(); ++i)
    if (r.side.streams[i].index != static_cast<int>(i))
      throw Error(
          fmt::format("malformed RESULT from the server: stream {} is numbered {}", i, r.side.streams[i].index));
  return r;
}

}  // namespace copybench
