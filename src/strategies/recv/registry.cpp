#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {

// (declarative table): one row per receive strategy; the id travels for a server that receives.
const std::vector<RecvStrategyInfo>& recv_strategies() {
  static const std::vector<RecvStrategyInfo> table = {
      {.id = 0,
       .name = "recv",
       .description = "recv() into one contiguous buffer (the default)",
       .make = make_plain_recv,
       .buffer_bytes = nullptr,
       .unavailable = nullptr,
       .verifiable = true},
      {.id = 1,
       .name = "scatter",
       .description = "recvmsg() into 8 field buffers per message, mirroring the sender's layout",
       .make = make_scatter_recv,
       .buffer_bytes = scatter_recv_bytes,
       .unavailable = nullptr,
       .verifiable = true},
      {.id = 2,
       .name = "zerocopy-recv",
       .description = "TCP_ZEROCOPY_RECEIVE: whole pages mapped from the socket, the rest copied",
       .make = make_zerocopy_recv,
       .buffer_bytes = zerocopy_recv_bytes,
       .unavailable = nullptr,
       .verifiable = true},
      {.id = 3,
       .name = "discard",
       .description =
           "recv(MSG_TRUNC): the kernel drops the bytes uncopied; the sender and the stack alone (no --verify)",
       .make = make_discard_recv,
       .buffer_bytes = discard_recv_bytes,
       .unavailable = discard_recv_unavailable,
       .verifiable = false},
      {.id = 4,
       .name = "splice",
       .description = "splice() socket -> pipe -> /dev/null: no copy into user memory (no --verify)",
       .make = make_splice_recv,
       .buffer_bytes = splice_recv_bytes,
       .unavailable = splice_recv_unavailable,
       .verifiable = false},
      {.id = 5,
       .name = "uring",
       .description = "io_uring multishot receive into a registered buffer ring: one submission, many completions",
       .make = make_uring_recv,
       .buffer_bytes = uring_recv_bytes,
       .unavailable = uring_recv_unavailable,
       .verifiable = true},
  };
  return table;
}

std::vector<RecvStrategyInfo> recv_strategies_available() {
  std::vector<RecvStrategyInfo> out;
  for (const auto& r : recv_strategies())
    if (r.missing().empty()) out.push_back(r);
  return out;
}

const RecvStrategyInfo& recv_strategy_info(std::string_view name) {
  std::string wanted(name);
  for (auto& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> names;
  for (const auto& r : recv_strategies()) {
    if (r.name == wanted) return r;
    names.push_back(r.name);
  }
  if (auto near = nearest_name(wanted, names); !near.empty())
    throw UsageError(fmt::format("unknown receive strategy '{}' (did you mean '{}'?)", name, near));
  throw UsageError(fmt::format("unknown receive strategy '{}' (choose one of: {})", name, fmt::join(names, ", ")));
}

const RecvStrategyInfo* recv_strategy_by_id(uint8_t id) {
  for (const auto& r : recv_strategies())
    if (r.id == id) return &r;
  return nullptr;
}

// Whole messages are recovered by counting, so the read size changes what a receive call
// costs, never which bytes are measured.
RecvContext stream_context(size_t message_bytes, size_t read_bytes, int path_mtu) {
  return {message_bytes, std::max<size_t>(read_bytes, 1), path_mtu};
}

RecvContext rr_context(size_t message_bytes, int path_mtu) { return {message_bytes, message_bytes, path_mtu}; }

}  // namespace copybench
