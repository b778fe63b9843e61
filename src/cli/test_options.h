#pragma once
// The test parameters as command-line options: one option per row of the parameter table
// (spec/param_table.h), for `run` and `client`, and for the rows `sweep` does not list. This
// folder is linked into the executable only, the one user of CLI11: the library and its
// tests never parse a command line.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "params/param_table.h"

namespace copybench {

/// The table rows' options on one command, as typed; `defaults` is what a row not given keeps.
class ParamOptions {
 public:
  /// Adds the option of every table row that has one and that `include` takes, showing
  /// `defaults`' value in the help.
  /// `sweep` shows a row's sweep_help where it has one.
  void add(CLI::App* cmd, const TestParams& defaults, const std::function<bool(const Param&)>& include,
           bool sweep = false);

  /// `base` with every given option applied (not validated); throws UsageError.
  TestParams apply(TestParams base) const;

 private:
  void add_row(CLI::App* cmd, size_t row, const TestParams& defaults, bool sweep);
  struct Bound {
    size_t row;
    std::string text;   // a value option's text
    bool flag = false;  // a flag's value (CLI11 takes --verify=false too)
    CLI::Option* option;
    std::string alias_value{};  // a FlagAlias: the row's value it stands for
  };
  std::vector<std::unique_ptr<Bound>> bound_;
  std::vector<std::pair<CLI::Option*, const char*>>
      retired_;  // old letters and what replaced them  // stable addresses: CLI11 keeps a reference to text and flag
};

/// `run`'s and `client`'s options: every parameter and the outputs.
struct TestOptions {
  ParamOptions params_given;
  bool quiet = false;
  std::string json_path;
  std::string json_stream_path;  // --json-stream: JSON Lines as the run goes ("-": stdout)
  std::string csv_path;
  int result_timeout_ms = 0;  // hidden, for the tests of hostile servers: ClientOptions::result_timeout_ms

  /// The defaults with each given option, validated; throws UsageError.
  TestParams params() const;
  /// Whether stdout carries JSON (--json - or --json-stream -): the human text goes to stderr.
  bool stdout_is_json() const { return json_path == "-" || json_stream_path == "-"; }
};

void add_test_options(CLI::App* cmd, TestOptions& options);

/// The line to say instead of CLI11's `error` when the arguments used a short letter in its old
/// meaning (-t for threads beside a --duration); "" otherwise. -d has an option of its own
/// that refuses it (ParamOptions::apply).
std::string letter_change_hint(const std::string& error, const std::vector<std::string>& args);

}  // namespace copybench
