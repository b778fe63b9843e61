#pragma once
// runs.csv as the sweep wrote it: the sweep's own columns (run_order, point, rep, topology,
// seed) followed by every column of `copybench run --csv`. Columns are looked up by header
// name, never by position, so the run columns may grow without breaking the report.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace copybench::report {

/// Columns a runs.csv must have; any other column is optional (absent reads as unknown).
const std::vector<std::string>& required_run_columns();

/// A parsed runs.csv: header plus rows of text cells. An empty cell is unknown.
class RunsTable {
 public:
  /// Parses RFC 4180 text: comma separated, cells optionally in double quotes, "" for a quote
  /// inside quotes, LF or CRLF line ends, newlines allowed inside quotes. `source` names the
  /// file in errors. Throws Error naming source and line for an empty input, a header without
  /// a required column or with a repeated one, a row whose cell count differs from the
  /// header's, or a quote in the header never closed. A torn last row (no line end, a quote
  /// never closed, or another cell count) is no error: it is dropped, and torn_row() says so.
  static RunsTable parse(std::string_view text, const std::string& source);

  /// Reads and parses `path`; throws Error "PATH: no such file" and the errors of parse().
  static RunsTable read(const std::string& path);

  const std::string& source() const { return source_; }
  /// One warning line naming the source and line of a dropped torn last row; "" when none.
  const std::string& torn_row() const { return torn_row_; }
  size_t size() const { return rows_.size(); }
  bool has_column(std::string_view name) const;

  /// The cell's text; nullopt when the column is absent or the cell is empty.
  std::optional<std::string> text(size_t row, std::string_view column) const;

  /// The cell as a finite number; nullopt when unknown. Throws Error naming the source, the
  /// line and the column when the cell holds something else.
  std::optional<double> number(size_t row, std::string_view column) const;

  /// Like number(), but the value must be a whole number >= 0.
  std::optional<uint64_t> count(size_t row, std::string_view column) const;

  /// "SOURCE line N": where row `row` starts, for error messages.
  std::string where(size_t row) const;

 private:
  std::string source_;
  std::string torn_row_;
  std::unordered_map<std::string, size_t> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> lines_;  // 1-based line on which each row starts
};

}  // namespace copybench::report
