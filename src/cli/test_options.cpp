#include "cli/test_options.h"

#include <algorithm>

#include "core/error.h"
#include "params/param_table.h"

namespace copybench {
namespace {

// Short letters that meant something else before the table took iperf's (-t was the thread
// count, -d the window): a finger trained on the old ones gets the new letter in one line, not
// a test of another meaning.
struct RetiredLetter {
  const char* letter;
  const char* message;
};
constexpr RetiredLetter kRetiredLetters[] = {
    {"-d", "-d is gone: the window is now -t/--time (iperf's -t) or --duration; connections are -P/--parallel"},
};

}  // namespace

std::string letter_change_hint(const std::string& error, const std::vector<std::string>& args) {
  // -t 4 --duration 5 (threads, then the window, as before): the window given twice.
  bool dash_t = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("-t"); });
  if (dash_t && error.starts_with("--time:")) return "-t is now the window (iperf's -t); connections are -P/--parallel";
  return "";
}

void ParamOptions::add(CLI::App* cmd, const TestParams& defaults, const std::function<bool(const Param&)>& include,
                       bool sweep) {
  const auto& table = test_parameters();
  for (size_t row = 0; row < table.size(); ++row)
    if (!table[row].option.empty() && include(table[row])) add_row(cmd, row, defaults, sweep);
  // Taken (hidden, with or without a value) so that apply can refuse them by name.
  for (const auto& retired : kRetiredLetters)
    retired_.emplace_back(cmd->add_option(retired.letter)->expected(0, 1)->group(""), retired.message);
}

void ParamOptions::add_row(CLI::App* cmd, size_t row, const TestParams& defaults, bool sweep) {
  const Param& p = test_parameters()[row];
  const std::string help = sweep && !p.sweep_help.empty() ? p.sweep_help : p.choices ? p.help + p.choices() : p.help;
  auto bound = std::make_unique<Bound>(Bound{row, "", false, nullptr});
  if (p.kind == OptionKind::value) {
    bound->option = cmd->add_option(p.option, bound->text, help);
    // A default that means nothing here (a response size outside rr) is not shown.
    if (p.applies(defaults)) bound->option->default_str(p.text(defaults));
  } else {
    bound->option = cmd->add_flag(p.option, bound->flag, help);
  }
  CLI::Option* own = bound->option;
  bound_.push_back(std::move(bound));
  if (sweep) return;  // a sweep lists the values of its axes
  std::vector<CLI::Option*> given_together{own};
  for (const auto& alias : p.aliases) {
    auto flag = std::make_unique<Bound>(Bound{row, "", false, nullptr, alias.value});
    flag->option = cmd->add_flag(alias.option, flag->flag, alias.help);
    for (auto* other : given_together) flag->option->excludes(other);
    given_together.push_back(flag->option);
    bound_.push_back(std::move(flag));
  }
}

TestParams ParamOptions::apply(TestParams params) const {
  for (const auto& [option, message] : retired_)
    if (option->count() > 0) throw UsageError(message);
  for (const auto& b : bound_) {
    if (b->option->count() == 0) continue;
    const Param& p = test_parameters()[b->row];
    if (!b->alias_value.empty()) {
      if (b->flag) p.parse(params, b->alias_value);
      continue;
    }
    if (p.kind == OptionKind::value) p.parse(params, b->text);
    else p.parse(params, (p.kind == OptionKind::flag) == b->flag ? "true" : "false");  // off_flag: given means false
  }
  return params;
}

void add_test_options(CLI::App* cmd, TestOptions& o) {
  o.params_given.add(cmd, TestParams{}, [](const Param&) { return true; });
  auto* json = cmd->add_option("--json", o.json_path, "write the results as JSON to FILE ('-' for stdout)");
  cmd->add_flag_callback(
         "-J", [&o] { o.json_path = "-"; }, "the results as JSON on stdout, the table on stderr (--json -)")
      ->excludes(json);
  cmd->add_option(
      "--json-stream", o.json_stream_path,
      "write JSON Lines to FILE ('-' for stdout) as the run goes: one object per --interval, then the result "
      "(iperf3's --json-stream)");
  cmd->add_option("--csv", o.csv_path, "append one row to FILE (header written when new)");
  cmd->add_flag("-q,--quiet", o.quiet, "no table on stdout (errors still go to stderr)");
  // For the tests of hostile servers, which should not wait out the real 60 s.
  cmd->add_option("--result-timeout-ms", o.result_timeout_ms, "time the server has after STOP to send its figures")
      ->check(CLI::Range(1, 600'000))
      ->group("");
}

TestParams TestOptions::params() const {
  TestParams p = params_given.apply(TestParams{});
  validate(p);
  if (json_path == "-" && json_stream_path == "-")
    throw UsageError("--json - and --json-stream - would both write to stdout; give one a FILE");
  return p;
}

}  // namespace copybench
