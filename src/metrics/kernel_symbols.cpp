#include "metrics/kernel_symbols.h"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace copybench {
namespace {

size_t leading_underscores(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[n] == '_') ++n;
  return n;
}

// The name shown for an address that has several: the one a reader would call it.
bool plainer(std::string_view a, std::string_view b) {
  if (leading_underscores(a) != leading_underscores(b)) return leading_underscores(a) < leading_underscores(b);
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

KernelSymbols KernelSymbols::parse(std::string_view text, const std::string& hidden_reason) {
  std::vector<std::pair<uint64_t, std::string_view>> entries;
  bool any_line = false;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    // "ffffffff81b6c560 T _copy_from_iter" or "... t veth_xmit\t[veth]"
    uint64_t address = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), address, 16);
    const size_t at = static_cast<size_t>(ptr - line.data());
    if (ec != std::errc{} || at + 3 > line.size() || line[at] != ' ' || line[at + 2] != ' ') continue;
    any_line = true;
    const char type = line[at + 1];
    if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
    std::string_view name = line.substr(at + 3);
    name = name.substr(0, name.find_first_of("\t "));
    if (address != 0 && !name.empty()) entries.emplace_back(address, name);
  }
  KernelSymbols table;
  if (entries.empty()) {
    table.reason_ = any_line ? hidden_reason : "the kernel symbol list is empty or unreadable";
    return table;
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : plainer(a.second, b.second);
  });
  for (const auto& [address, name] : entries) {
    if (!table.addresses_.empty() && table.addresses_.back() == address) continue;  // a plainer alias came first
    table.addresses_.push_back(address);
    table.names_.emplace_back(name);
  }
  return table;
}

KernelSymbols KernelSymbols::load(const std::string& path) {
  std::string text = read_file(path);
  if (text.empty()) {
    KernelSymbols table;
    table.reason_ = fmt::format("cannot read {}", path);
    return table;
  }
  std::string restrict_level = read_file("/proc/sys/kernel/kptr_restrict");
  while (!restrict_level.empty() && (restrict_level.back() == '\n' || restrict_level.back() == ' '))
    restrict_level.pop_back();
  const std::string hidden =
      fmt::format("kernel addresses are hidden: {} lists every address as 0 (kernel.kptr_restrict is {}; {})", path,
                  restrict_level.empty() ? "unreadable" : restrict_level,
                  ::geteuid() == 0 ? "even root is refused at level 2" : "reading them needs root or CAP_SYSLOG");
  return parse(text, hidden);
}

const std::string* KernelSymbols::find(uint64_t address) const {
  auto it = std::upper_bound(addresses_.begin(), addresses_.end(), address);
  if (it == addresses_.begin()) return nullptr;
  return &names_[static_cast<size_t>(it - addresses_.begin()) - 1];
}

}  // namespace copybench
