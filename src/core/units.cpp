#include "core/units.h"

#include <fmt/format.h>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include "core/error.h"

namespace copybench {
namespace {

struct NumberAndSuffix {
  double number;
  std::string suffix;  // lower-cased
};

NumberAndSuffix split_number(std::string_view text, const char* what) {
  auto trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  double number = 0;
  auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  if (ec != std::errc() || trimmed.empty() || !std::isfinite(number) || number < 0)
    throw UsageError(fmt::format("invalid {} '{}'", what, text));
  std::string suffix(end, trimmed.data() + trimmed.size());
  for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {number, suffix};
}

}  // namespace

uint64_t parse_size(std::string_view text) {
  auto [number, suffix] = split_number(text, "size");
  double multiplier = 0;
  if (suffix.empty() || suffix == "b") multiplier = 1;
  else if (suffix == "k" || suffix == "kb" || suffix == "kib") multiplier = 1024.0;
  else if (suffix == "m" || suffix == "mb" || suffix == "mib") multiplier = 1024.0 * 1024;
  else if (suffix == "g" || suffix == "gb" || suffix == "gib") multiplier = 1024.0 * 1024 * 1024;
  else throw UsageError(fmt::format("invalid size '{}': unknown unit '{}' (use B, K, KiB, M, MiB, G)", text, suffix));
  double bytes = number * multiplier;
  if (bytes != std::floor(bytes) || bytes > 1e18)
    throw UsageError(fmt::format("invalid size '{}': not a whole number of bytes", text));
  return static_cast<uint64_t>(bytes);
}

int64_t parse_duration_ns(std::string_view text) {
  auto [number, suffix] = split_number(text, "duration");
  double scale = 0;
  if (suffix.empty() || suffix == "s" || suffix == "sec") scale = 1e9;
  else if (suffix == "ms") scale = 1e6;
  else if (suffix == "us") scale = 1e3;
  else if (suffix == "m" || suffix == "min") scale = 60e9;
  else if (suffix == "h") scale = 3600e9;
  else throw UsageError(fmt::format("invalid duration '{}': unknown unit '{}' (use ms, s, m)", text, suffix));
  double ns = number * scale;
  if (ns > 1e15) throw UsageError(fmt::format("invalid duration '{}': too long", text));
  return static_cast<int64_t>(std::llround(ns));
}

std::string size_text(uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{}M", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{}K", bytes >> 10);
  return std::to_string(bytes);
}

std::string duration_ms_text(int64_t ns) {
  const int64_t ms = ns / 1'000'000;
  return ms != 0 && ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  if (value == std::floor(value)) return fmt::format("{} {}", static_cast<uint64_t>(value), kUnits[unit]);
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string format_duration(int64_t ns) {
  if (ns % 1'000'000'000 == 0) return fmt::format("{} s", ns / 1'000'000'000);
  if (ns < 1'000'000'000 && ns % 1'000'000 == 0) return fmt::format("{} ms", ns / 1'000'000);
  if (ns < 1'000'000) return fmt::format("{} us", ns / 1000.0);
  return fmt::format("{:.3f} s", ns / 1e9);
}

uint64_t parse_rate_bps(std::string_view text) {
  auto [number, suffix] = split_number(text, "rate");
  for (std::string_view unit : {"bit/s", "bits/s", "bps", "bit", "b/s"})
    if (suffix.size() >= unit.size() && suffix.ends_with(unit)) {
      suffix.resize(suffix.size() - unit.size());
      break;
    }
  double multiplier = 0;
  if (suffix.empty()) multiplier = 1;
  else if (suffix == "k") multiplier = 1e3;
  else if (suffix == "m") multiplier = 1e6;
  else if (suffix == "g") multiplier = 1e9;
  else if (suffix == "t") multiplier = 1e12;
  else
    throw UsageError(
        fmt::format("invalid rate '{}': unknown unit '{}' (use k, M, G or T: bits per second)", text, suffix));
  const double bits = number * multiplier;
  if (bits > 1e15) throw UsageError(fmt::format("invalid rate '{}': above 1 Pbit/s", text));
  return static_cast<uint64_t>(std::llround(bits));
}

std::string rate_text(uint64_t bps) {
  for (auto [scale, unit] :
       {std::pair{1'000'000'000'000ull, "T"}, {1'000'000'000ull, "G"}, {1'000'000ull, "M"}, {1'000ull, "k"}})
    if (bps >= scale && bps % scale == 0) return fmt::format("{}{}", bps / scale, unit);
  return std::to_string(bps);
}

std::string format_rate(uint64_t bps) {
  for (auto [scale, unit] : {std::pair{1e12, "Tbit/s"}, {1e9, "Gbit/s"}, {1e6, "Mbit/s"}, {1e3, "kbit/s"}})
    if (static_cast<double>(bps) >= scale) return fmt::format("{:.4g} {}", bps / scale, unit);
  return fmt::format("{} bit/s", bps);
}

}  // namespace copybench
