#pragma once
// What one test is: the parameters a client asks for and a server checks.
#include <cstdint>
#include <string>

namespace copybench {

inline constexpr int kMaxThreads = 256;
inline constexpr int64_t kMaxDurationNs = 24ll * 3600 * 1'000'000'000;

struct TestParams {
  std::string strategy = "one-copy";  // canonical name from the strategy registry
  uint64_t message_bytes = 64 * 1024;
  int threads = 1;
  int64_t warmup_ns = 1'000'000'000;
  int64_t duration_ns = 5'000'000'000;
  bool verify = false;
};

/// Throws UsageError with one line naming the first out-of-range value.
void validate(const TestParams& params);

}  // namespace copybench
