// copybench's command line: subcommands only (cli/commands.h). Everything below main is a
// library call; errors come here as exceptions and leave as one line and an exit code.
#include <fmt/format.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <optional>

#include "cli/commands.h"
#include "cli/test_options.h"
#include "core/build_version.h"
#include "core/error.h"

namespace {

using namespace copybench;

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};  // how many interrupting signals arrived

void on_signal(int) {
  g_interrupted.store(true);
  g_signal.fetch_add(1);
}

// Counters take one fd per event per thread (up to 14 x 257 for 256 connections, more on a
// hybrid CPU): lift the soft open-files limit to the hard one, as a shell's ulimit -n would.
void raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A dropped ssh session: unwind, remove namespaces. But a process started with SIGHUP
  // ignored (nohup, a daemon's supervisor) asked to outlive its terminal: keep it ignored.
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) != 0 || hup.sa_handler != SIG_IGN) sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // A copybench that starts another (run, sweep) starts it with these blocked, so that one
  // sent before this point waits (sweep/subprocess.cpp): it reaches the handler now.
  sigset_t interrupting;
  sigemptyset(&interrupting);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&interrupting, sig);
  sigprocmask(SIG_UNBLOCK, &interrupting, nullptr);
}

// Parses; an exit code when CLI11 answered itself (--help, --version), nullopt to go on.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  bool known = argc <= 1 || argv[1][0] == '-';
  for (const auto* sub : app.get_subcommands({})) known = known || sub->get_name() == argv[1];
  if (!known)
    throw UsageError(fmt::format(
        "unknown command '{}' (choose run, client, server, sweep, report, compare, cleanup or probe)", argv[1]));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    auto hint = letter_change_hint(e.what(), std::vector<std::string>(argv + 1, argv + argc));
    throw UsageError(hint.empty() ? e.what() : hint);
  }
  return std::nullopt;
}

int dispatch(int argc, char** argv) {
  CLI::App app{"copybench: measure what copying costs in TCP network I/O, per strategy, on both sides"};
  app.set_version_flag("-V,--version", std::string("copybench ") + build_version());
  // Every subcommand's options in one page: what help2man makes the man page from.
  app.set_help_all_flag("--help-all", "print the help of every command");
  app.require_subcommand(1);
  auto commands = make_commands();
  std::vector<CLI::App*> subcommands;
  for (auto& command : commands) subcommands.push_back(command->add(app));
  if (auto code = parse(app, argc, argv)) return *code;
  for (size_t i = 0; i < commands.size(); ++i)
    if (*subcommands[i])
      return commands[i]->run({std::vector<std::string>(argv + 1, argv + argc), g_interrupted, g_signal});
  return 0;  // unreachable: CLI11 requires one subcommand
}

}  // namespace

int main(int argc, char** argv) {
  install_signal_handlers();
  raise_open_files_limit();
  try {
    return dispatch(argc, argv);
  } catch (const copybench::UsageError& e) {
    fmt::print(stderr, "copybench: error: {} (see --help)\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "copybench: error: {}\n", e.what());
    return 1;
  }
}
