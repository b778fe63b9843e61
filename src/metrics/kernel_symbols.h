#pragma once
// Kernel addresses to function names, from /proc/kallsyms: the text symbols sorted by address,
// looked up by binary search (the nearest symbol at or below the address). Without root (or
// CAP_SYSLOG), kptr_restrict makes the kernel list every address as 0; the table is then empty
// and says why, so kernel samples are reported as unresolved, never as some wrong function.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace copybench {

class KernelSymbols {
 public:
  KernelSymbols() = default;

  /// The text (t, T, w, W) symbols of a kallsyms listing. Several names at one address keep
  /// the plainest (fewest leading underscores, then shortest): "memcpy", not "__pi_memcpy".
  /// When every address is 0, the table is empty and reason() is `hidden_reason`.
  static KernelSymbols parse(std::string_view text, const std::string& hidden_reason);

  /// /proc/kallsyms of this machine, with the reason naming kptr_restrict and the user.
  static KernelSymbols load(const std::string& path = "/proc/kallsyms");

  /// The function holding `address`, or nullptr (below the first symbol, or no table).
  const std::string* find(uint64_t address) const;

  bool usable() const { return !addresses_.empty(); }
  const std::string& reason() const { return reason_; }  // why not usable
  size_t size() const { return addresses_.size(); }

 private:
  std::vector<uint64_t> addresses_;  // ascending, one per distinct address
  std::vector<std::string> names_;
  std::string reason_;
};

}  // namespace copybench
