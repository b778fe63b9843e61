#include "results/sender_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "results/result_json.h"

namespace copybench {

std::string encode_sender_report(const SenderReport& report) {
  nlohmann::json j = {
      {"sender", to_json(report.sender)},
      {"environment", to_json(report.environment)},
      {"zerocopy", report.zerocopy ? to_json(*report.zerocopy) : nlohmann::json(nullptr)},
      {"verify", {{"messages_checked", report.messages_checked}, {"corrupt_messages", report.corrupt_messages}}}};
  return j.dump();
}

SenderReport decode_sender_report(std::string_view payload, int threads) {
  SenderReport r;
  try {
    auto j = nlohmann::json::parse(payload);
    r.sender = side_from_json(j.at("sender"));
    r.environment = environment_from_json(j.at("environment"));
    if (!j.at("zerocopy").is_null()) r.zerocopy = zerocopy_from_json(j.at("zerocopy"));
    r.messages_checked = j.at("verify").at("messages_checked").get<uint64_t>();
    r.corrupt_messages = j.at("verify").at("corrupt_messages").get<uint64_t>();
  } catch (const std::exception& e) {  // nlohmann's errors, and Error from the checked getters
    throw Error(fmt::format("malformed RESULT from the server: {}", e.what()));
  }
  // The client pairs the sender's streams with its own by index.
  if (r.sender.streams.size() != static_cast<size_t>(threads))
    throw Error(fmt::format("malformed RESULT from the server: {} streams for a test of {} connections",
                            r.sender.streams.size(), threads));
  for (size_t i = 0; i < r.sender.streams.size(); ++i)
    if (r.sender.streams[i].index != static_cast<int>(i))
      throw Error(fmt::format("malformed RESULT from the server: stream {} is numbered {}", i, r.sender.streams[i].index));
  return r;
}

}  // namespace copybench
