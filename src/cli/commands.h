#pragma once
// The subcommands, one small interface each (as ninja's table of tools): each declares its own
// options on the app and runs when it is the one given; main.cpp only parses and dispatches.
// Like the rest of cli/, linked into the executable alone (the one user of CLI11).
#include <CLI/CLI.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace copybench {

/// What a command runs with.
struct Invocation {
  std::vector<std::string> args;    // argv after the program's name
  std::atomic<bool>& interrupted;   // SIGINT, SIGTERM or SIGHUP arrived (a --json-stream reader gone sets it too)
  const std::atomic<int>& signals;  // how many of them
};

class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand and its options to `app`; returns it.
  virtual CLI::App* add(CLI::App& app) = 0;
  /// Runs it; returns the exit code. Throws UsageError (exit 2) or Error (exit 1).
  virtual int run(const Invocation& call) = 0;
};

// One factory per subcommand: test_commands.cpp (run, client), server_command.cpp,
// sweep_commands.cpp (sweep, report, cleanup), compare_command.cpp, info_commands.cpp (probe,
// completion).
std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_client_command();
std::unique_ptr<Command> make_server_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_report_command();
std::unique_ptr<Command> make_cleanup_command();
std::unique_ptr<Command> make_compare_command();
std::unique_ptr<Command> make_completion_command();
std::unique_ptr<Command> make_probe_command();

/// Every subcommand, in the help's order.
std::vector<std::unique_ptr<Command>> make_commands();

}  // namespace copybench
