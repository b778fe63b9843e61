#include "report/runs_table.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/column_keys.h"
#include "core/error.h"

namespace copybench::report {
namespace {

struct Record {
  std::vector<std::string> cells;
  size_t line = 0;
};

struct Records {
  std::vector<Record> records;
  bool last_unterminated = false;  // no line end after the last record
  bool quote_open = false;         // the text ends inside a quoted cell
};

// One pass over the text (RFC 4180). Quoted cells may hold commas, quotes ("") and newlines,
// so records are not lines; each record remembers the line it starts on for error messages.
Records split_records(std::string_view text) {
  std::vector<Record> records;
  Record current{{}, 1};
  std::string cell;
  size_t line = 1;
  bool quoted = false, cell_was_quoted = false, any = false;
  auto end_cell = [&] {
    current.cells.push_back(std::move(cell));
    cell.clear();
    cell_was_quoted = false;
  };
  auto end_record = [&] {
    end_cell();
    // A blank line (one empty, unquoted cell) is no record, e.g. the newline at the end.
    if (!(current.cells.size() == 1 && current.cells[0].empty())) records.push_back(std::move(current));
    current = Record{{}, line};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
    } else if (c == '"' && cell.empty() && !cell_was_quoted) {
      quoted = cell_was_quoted = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else {
      cell += c;
    }
  }
  const bool unterminated = any && text.back() != '\n' && text.back() != '\r';
  if (any && (unterminated || quoted)) end_record();
  return {std::move(records), unterminated || quoted, quoted};
}

// A sweep appends each row whole, but a file copied mid-write, or written by an older
// copybench that crashed or met a full disk, may end in part of one. Such a last row (no line
// end, a quoted cell never closed, or the wrong number of cells) is dropped with one warning;
// the same fault anywhere else is an error. Returns the warning, "" when the row is whole.
std::string drop_torn_last_row(Records& split, size_t header_cells, const std::string& source) {
  auto& records = split.records;
  if (records.size() < 2) return "";
  const Record& last = records.back();
  std::string why;
  if (split.quote_open) why = "a quoted cell is never closed";
  else if (split.last_unterminated) why = "no line end";
  else if (last.cells.size() != header_cells)
    why = fmt::format("{} cells, the header has {}", last.cells.size(), header_cells);
  else return "";
  auto warning = fmt::format("{} line {}: skipped a torn last row ({}), as a crash or a full disk leaves it", source,
                             last.line, why);
  records.pop_back();
  return warning;
}

}  // namespace

const std::vector<std::string>& required_run_columns() {
  static constexpr std::string_view names[] = {key::run_order,     key::point,  key::rep,      key::topology,
                                               key::seed,          key::status, key::strategy, key::mode,
                                               key::message_bytes, key::threads};
  static const std::vector<std::string> cols(std::begin(names), std::end(names));
  return cols;
}

RunsTable RunsTable::parse(std::string_view text, const std::string& source) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 BOM, as spreadsheets save CSV
  auto split = split_records(text);
  auto& records = split.records;
  if (split.quote_open && records.size() == 1)
    throw Error(fmt::format("{} line 1: a quoted cell is never closed", source));
  if (records.empty()) throw Error(fmt::format("{}: empty file, expected a header row", source));
  RunsTable table;
  table.source_ = source;
  const auto& header = records[0].cells;
  for (size_t i = 0; i < header.size(); ++i)
    if (!table.columns_.emplace(header[i], i).second)
      throw Error(fmt::format("{} line 1: header names column '{}' twice", source, header[i]));
  std::string missing;
  for (const auto& name : required_run_columns())
    if (!table.has_column(name)) missing += (missing.empty() ? "" : ", ") + name;
  if (!missing.empty())
    throw Error(
        fmt::format("{} line 1: bad header, no column {}; expected the runs.csv of copybench sweep "
                    "({},{},{},{},{}, then the columns of copybench run --csv)",
                    source, missing, key::run_order, key::point, key::rep, key::topology, key::seed));
  table.torn_row_ = drop_torn_last_row(split, header.size(), source);
  for (size_t r = 1; r < records.size(); ++r) {
    auto& rec = records[r];
    if (rec.cells.size() != header.size())
      throw Error(
          fmt::format("{} line {}: {} cells, the header has {}", source, rec.line, rec.cells.size(), header.size()));
    table.rows_.push_back(std::move(rec.cells));
    table.lines_.push_back(rec.line);
  }
  return table;
}

RunsTable RunsTable::read(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw Error(fmt::format("{}: no such file", path));
    throw_sys(fmt::format("stat {}", path), errno);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_sys(fmt::format("open {}", path), errno);
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

bool RunsTable::has_column(std::string_view name) const { return columns_.count(std::string(name)) > 0; }

std::optional<std::string> RunsTable::text(size_t row, std::string_view column) const {
  auto it = columns_.find(std::string(column));
  if (it == columns_.end()) return std::nullopt;
  const auto& value = rows_.at(row)[it->second];
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<double> RunsTable::number(size_t row, std::string_view column) const {
  auto value = text(row, column);
  if (!value) return std::nullopt;
  double out = 0;
  const char* first = value->data();
  const char* last = first + value->size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (ec != std::errc{} || ptr != last || !std::isfinite(out))
    throw Error(fmt::format("{}, column {}: '{}' is not a number", where(row), column, *value));
  return out;
}

std::optional<uint64_t> RunsTable::count(size_t row, std::string_view column) const {
  auto value = number(row, column);
  if (!value) return std::nullopt;
  if (*value < 0 || *value != std::floor(*value) || *value > 1e18)
    throw Error(fmt::format("{}, column {}: '{}' is not a whole number >= 0", where(row), column, *value));
  return static_cast<uint64_t>(*value);
}

std::string RunsTable::where(size_t row) const { return fmt::format("{} line {}", source_, lines_.at(row)); }

}  // namespace copybench::report
