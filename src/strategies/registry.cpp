#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string nearest_name(std::string_view wanted, const std::vector<std::string>& names) {
  auto w = lower(wanted);
  std::string nearest;
  size_t best = 3;  // suggest only near misses
  for (const auto& n : names)
    if (auto d = edit_distance(w, n); d < best) best = d, nearest = n;
  return nearest;
}

// The registry: one row per send strategy. Ids 1-3 are the study's strategies, 4-6 pack, uring
// and uring-zc, 7-9 sendfile, splice and uring-zc-fixed; an id travels on the wire, never reused.
// (declarative table): one row per strategy
const std::vector<StrategyInfo>& strategies() {
  static const std::vector<StrategyInfo> table = {
      {.id = 1,
       .name = "two-copy",
       .alias = "a1",
       .description = "one send() per field: 8 calls per message",
       .make = make_two_copy,
       .buffer_bytes = one_message_bytes,
       .unavailable = nullptr,
       .reuse_hazard = false},
      {.id = 2,
       .name = "one-copy",
       .alias = "a2",
       .description = "one sendmsg() with an 8-entry iovec (scatter-gather)",
       .make = make_one_copy,
       .buffer_bytes = one_message_bytes,
       .unavailable = nullptr,
       .reuse_hazard = false},
      {.id = 3,
       .name = "zero-copy",
       .alias = "a3",
       .description = "sendmsg(MSG_ZEROCOPY) after SO_ZEROCOPY, completions from the error queue",
       .make = make_zero_copy,
       .buffer_bytes = zc_pool_bytes,
       .unavailable = nullptr,
       .reuse_hazard = false},
      {.id = 4,
       .name = "pack",
       .alias = "p",
       .description = "copy the 8 fields into one contiguous buffer in user space, then one send()",
       .make = make_pack,
       .buffer_bytes = pack_buffer_bytes,
       .unavailable = nullptr,
       .reuse_hazard = false},
      {.id = 5,
       .name = "uring",
       .alias = "u",
       .description = "io_uring: one IORING_OP_SEND per field, linked in order, one io_uring_enter per message",
       .make = make_uring,
       .buffer_bytes = one_message_bytes,
       .unavailable = uring_unavailable,
       .reuse_hazard = false},
      {.id = 6,
       .name = "uring-zc",
       .alias = "uz",
       .description = "io_uring IORING_OP_SENDMSG_ZC (8-entry iovec), buffers reused after their "
                      "IORING_CQE_F_NOTIF completion",
       .make = make_uring_zc,
       .buffer_bytes = zc_pool_bytes,
       .unavailable = uring_zc_unavailable,
       .reuse_hazard = false},
      {.id = 7,
       .name = "sendfile",
       .alias = "sf",
       .description = "the fields back to back in a memfd (page cache); one sendfile() per message over them",
       .make = make_sendfile,
       .buffer_bytes = sendfile_buffer_bytes,
       .unavailable = sendfile_unavailable,
       .reuse_hazard = true},
      {.id = 8,
       .name = "splice",
       .alias = "sp",
       .description = "vmsplice() the 8 fields into a pipe, then splice() the pipe into the socket",
       .make = make_splice,
       .buffer_bytes = splice_buffer_bytes,
       .unavailable = splice_unavailable,
       .reuse_hazard = true},
      {.id = 9,
       .name = "uring-zc-fixed",
       .alias = "uzf",
       .description = "io_uring IORING_OP_SEND_ZC per field from buffers registered once "
                      "(IORING_RECVSEND_FIXED_BUF), linked in order",
       .make = make_uring_zc_fixed,
       .buffer_bytes = uring_zc_fixed_buffer_bytes,
       .unavailable = uring_zc_fixed_unavailable,
       .reuse_hazard = false},
  };
  return table;
}

size_t one_message_bytes(size_t message_bytes) { return Message::heap_bytes(message_bytes); }

size_t zc_pool_messages(size_t message_bytes) {
  constexpr size_t kPoolBytes = 16u << 20;
  return std::clamp<size_t>(kPoolBytes / std::max<size_t>(message_bytes, 1), 4, kZcPoolMax);
}

size_t zc_pool_bytes(size_t message_bytes) {
  return zc_pool_messages(message_bytes) * Message::heap_bytes(message_bytes);
}

const StrategyInfo& strategy_info(std::string_view name_or_alias) {
  auto wanted = lower(name_or_alias);
  for (const auto& s : strategies())
    if (s.name == wanted || s.alias == wanted) return s;
  const StrategyInfo* closest = nullptr;
  size_t best = 3;  // suggest only near misses
  std::string names;
  for (const auto& s : strategies()) {
    names += (names.empty() ? "" : ", ") + s.name;
    if (auto d = edit_distance(wanted, s.name); d < best) best = d, closest = &s;
  }
  if (closest)
    throw UsageError(fmt::format("unknown strategy '{}' (did you mean '{}'?)", name_or_alias, closest->name));
  throw UsageError(fmt::format("unknown strategy '{}' (choose one of: {})", name_or_alias, names));
}

std::vector<StrategyInfo> strategies_available() {
  std::vector<StrategyInfo> out;
  for (const auto& s : strategies())
    if (s.missing().empty()) out.push_back(s);
  return out;
}

const StrategyInfo* strategy_by_id(uint8_t id) {
  for (const auto& s : strategies())
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace copybench
