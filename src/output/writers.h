#pragma once
// Writers render a RunResult; nothing else formats figures.
#include <string>

#include "results/result.h"

namespace copybench {

/// The human-readable report: both sides, the zero-copy truth, verification.
std::string render_table(const RunResult& result);

/// Appends one row to `path`, writing the header when the file is new or empty. Throws Error
/// if an existing file has another header (the columns would not line up).
void append_csv(const std::string& path, const RunResult& result);

/// The CSV header and one row (for tests and append_csv).
std::string csv_header();
std::string csv_row(const RunResult& result);

/// One CSV cell: quoted when it holds a comma, quote or newline.
std::string csv_quote(const std::string& text);

/// Writes the JSON document to `path`, or to stdout for "-".
void write_json(const std::string& path, const RunResult& result);

}  // namespace copybench
