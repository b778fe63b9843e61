#pragma once
// Sizes, durations and rates parsed and printed in one place (like wrk's units.c).
#include <cstdint>
#include <string>
#include <string_view>

namespace copybench {

/// Parses "1024", "1K", "4KiB", "64k", "1M", "16MiB". K/M/G are binary (1024-based), as in
/// iperf's -l. Throws UsageError naming the text on anything else.
uint64_t parse_size(std::string_view text);

/// Parses "5", "5s", "500ms", "250us", "2m". A bare number is seconds. Returns nanoseconds.
int64_t parse_duration_ns(std::string_view text);

/// "64 KiB", "1 MiB", "1000 B": exact when the value is a whole multiple, else one decimal.
std::string format_size(uint64_t bytes);

/// The exact size as an option's text, for parse_size: "64K", "1M", "1000".
std::string size_text(uint64_t bytes);

/// A whole-millisecond duration as an option's text, for parse_duration_ns: "5s", "1500ms".
std::string duration_ms_text(int64_t ns);

/// "5 s", "500 ms", "1.5 s".
std::string format_duration(int64_t ns);

/// Parses a rate in bits per second, as iperf3's -b: "2G", "500M", "1.5g", "100k", "2Gbit",
/// "2Gbps", "1000000". K/M/G/T are decimal (1000-based), as network rates are. Throws
/// UsageError naming the text on anything else (the caller gives "max" its meaning).
uint64_t parse_rate_bps(std::string_view text);

/// The exact rate as an option's text, for parse_rate_bps: "2G", "500M", "1500k", "999".
std::string rate_text(uint64_t bits_per_s);

/// "2 Gbit/s", "500 Mbit/s", "1.5 Gbit/s".
std::string format_rate(uint64_t bits_per_s);

}  // namespace copybench
