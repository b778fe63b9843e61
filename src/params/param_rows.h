#pragma once
// The parameter table's rows, in three files by what they say (param_rows_path.cpp: the data
// path; param_rows_run.cpp: the test's shape, timing and measurement; param_rows_socket.cpp:
// the rate and the socket knobs), and the helpers their
// rows share. Only param_table.cpp, which puts the rows together in the CSV's column order,
// includes this.
#include <cstdint>
#include <string>
#include <vector>

#include "params/param_table.h"

namespace copybench::param_rows {

/// A flag bit of the header: `width` bits from `shift`.
inline Wire flag_bits(uint32_t shift, uint32_t width = 1) { return {WireSlot::flags, shift, width}; }

/// "1K", "64K", "1M" when exact, else "1000B": short enough for point ids and progress lines.
std::string compact_size(uint64_t bytes);

/// Throws UsageError "WHAT VALUE is out of range (RANGE)" outside [min_ns, max_ns].
void check_duration(const char* what, int64_t ns, int64_t min_ns, const char* range, int64_t max_ns = kMaxDurationNs);

/// strategy, recv_strategy, recv_size_bytes, recv_size_auto, mode, direction.
void add_path_rows(std::vector<Param>& t);

/// message_bytes, response_bytes, threads, the durations, interval, pin, verify, profile,
/// counters, send_latency.
void add_run_rows(std::vector<Param>& t);

/// rate_bps, pacing, window_bytes, congestion, mss_bytes, nodelay, cport, title.
void add_socket_rows(std::vector<Param>& t);

}  // namespace copybench::param_rows
