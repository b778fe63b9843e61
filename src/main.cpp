// copybench's command line: subcommands only. Everything below main is a library call; errors
// come here as exceptions and leave as one line and an exit code.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <optional>
#include <fmt/format.h>
#include <iostream>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/completion.h"
#include "core/build_version.h"
#include "core/error.h"
#include "core/pid_file.h"
#include "core/units.h"
#include "core/version.h"
#include "output/writers.h"
#include "output/live_output.h"
#include "cli/sweep_options.h"
#include "cli/test_options.h"
#include "net/netns.h"
#include "report/report.h"
#include "session/client.h"
#include "machine/probe.h"
#include "sweep/runner.h"
#include "session/server.h"
#include "sweep/sweep.h"

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
}

int exit_code_for(const RunResult& r) {
  switch (r.status) {
    case RunStatus::ok: return 0;
    case RunStatus::interrupted: return 130;
    case RunStatus::failed: break;
  }
  return 1;
}

// Writes every requested output; a run that failed half-way still writes what it measured.
int report(const RunResult& result, const TestOptions& o) {
  auto& human = o.stdout_is_json() ? std::cerr : std::cout;
  bool measured = result.receiver || result.sender;  // else the error line says it all
  if (measured && !o.quiet) human << render_table(result) << std::flush;
  if (!o.json_path.empty()) write_json(o.json_path, result);
  if (!o.csv_path.empty()) append_csv(o.csv_path, result);
  // --quiet with --json (as sweep runs its clients): the error is in the JSON already.
  if (result.status != RunStatus::ok && !(o.quiet && !o.json_path.empty())) fmt::print(stderr, "copybench: error: {}\n", result.error);
  return exit_code_for(result);
}

int cmd_client(const std::string& host, uint16_t port, const std::string& secret_file, const TestOptions& o) {
  ClientOptions c;
  c.host = host;
  c.port = port;
  c.params = o.params();
  if (!secret_file.empty()) c.secret = std::make_shared<const Secret>(Secret::from_file(secret_file));
  c.result_timeout_ms = o.result_timeout_ms;
  LiveOutput live(o.quiet ? -1 : o.stdout_is_json() ? STDERR_FILENO : STDOUT_FILENO, o.json_stream_path,
                  c.params.direction == Direction::bidir, g_interrupted);
  if (live.listening()) c.on_interval = [&live](Side side, Direction direction, const IntervalFigures& v) { live.interval(side, direction, v); };
  RunResult result = run_client(c, g_interrupted);
  if (auto why = live.failure(); !why.empty()) result.error = "--json-stream: " + why + "; the run ended early";
  live.result(result);
  return report(result, o);
}

// --logfile: what the server writes on stderr (its log lines, and the error it ends with) goes
// to FILE, appended, for hosts without a journal to collect stderr.
void log_to(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) throw_sys(fmt::format("--logfile {}: open", path), errno);
  if (::dup2(fd, STDERR_FILENO) < 0) throw_sys(fmt::format("--logfile {}: dup2", path), errno);
  ::close(fd);
}

int cmd_server(const ServerOptions& options, int ready_fd, const std::string& pidfile) {
  Server server(options);
  // After the bind: a pid file says a server listens; it goes when this returns or unwinds.
  std::optional<PidFile> pid_file;
  if (!pidfile.empty()) pid_file.emplace(pidfile);
  if (ready_fd >= 0) {
    auto line = fmt::format("{}\n", server.port());
    (void)!::write(ready_fd, line.data(), line.size());
    ::close(ready_fd);
  }
  if (!options.quiet) {
    // write(), not fmt::print: a server whose stderr is a closed pipe serves on (fmt throws).
    auto line = fmt::format("copybench server: listening on {} (at most {} tests at once, {} of message buffers, "
                            "tests of at most {}{})\n",
                            server.address(), options.max_clients, format_size(server.max_memory_bytes()),
                            format_duration(options.max_duration_ns),
                            options.secret ? ", clients must prove the shared secret" : "");
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  server.serve(g_interrupted);
  return 0;
}

int cmd_report(const std::string& dir) {
  auto outcome = write_report(dir);
  if (!outcome.warning.empty()) fmt::print(stderr, "copybench: warning: {}\n", outcome.warning);
  int plots = 0;
  for (const auto& file : outcome.files_written) {
    if (file.ends_with(".png")) ++plots;
    else if (!file.ends_with(".svg") && !file.ends_with(".dat") && !file.ends_with(".gp")) fmt::print("wrote {}\n", file);
  }
  fmt::print("wrote {} plots (PNG and SVG, with their data and gnuplot scripts) in {}/plots\n", plots, dir);
  if (!outcome.note.empty()) fmt::print(stderr, "copybench: {}\n", outcome.note);
  fmt::print("{} runs, {} failed\n", outcome.runs, outcome.failed_runs);
  return 0;
}

int cmd_cleanup() {
  if (::geteuid() != 0) throw Error("removing network namespaces needs root");
  auto removed = cleanup_stale_namespaces();
  for (const auto& name : removed) fmt::print("removed {}\n", name);
  auto left = list_copybench_namespaces();
  fmt::print("{} namespace(s) removed; {} belong to running copybench processes\n", removed.size(), left.size());
  return 0;
}

int cmd_probe(bool json) {
  auto items = run_probe();
  if (json) std::cout << probe_json(items).dump(2) << "\n";
  else std::cout << "copybench probe: what this machine supports\n" << render_probe(items);
  return 0;
}

// The arguments after the subcommand's name, passed on to the client by `run`.
std::vector<std::string> args_after(int argc, char** argv, const std::string& word) {
  std::vector<std::string> out;
  bool found = false;
  for (int i = 1; i < argc; ++i) {
    if (found) out.emplace_back(argv[i]);
    else if (word == argv[i]) found = true;
  }
  return out;
}

int dispatch(int argc, char** argv) {
  CLI::App app{"copybench: measure what copying costs in TCP network I/O, per strategy, on both sides"};
  app.set_version_flag("-V,--version", std::string("copybench ") + build_version());
  // Every subcommand's options in one page: what help2man makes the man page from.
  app.set_help_all_flag("--help-all", "print the help of every command");
  app.require_subcommand(1);

  TestOptions run_opts, client_opts;
  auto* run = app.add_subcommand("run", "start a server and a client on loopback and report both sides");
  add_test_options(run, run_opts);

  std::string host = "127.0.0.1";
  uint16_t port = 7470;
  bool client_ipv4 = false, client_ipv6 = false;
  auto* client = app.add_subcommand("client", "run a test against a copybench server (this side receives)");
  client->add_option("-c,--host", host, "server host name or address")->capture_default_str();
  auto* client4 = client->add_flag("-4", client_ipv4, "connect over IPv4 only");
  client->add_flag("-6", client_ipv6, "connect over IPv6 only")->excludes(client4);
  client->add_option("-p,--port", port, "server port")->capture_default_str();
  std::string client_secret_file;
  client->add_option("--secret-file", client_secret_file,
                     "prove to the server that this client holds the secret in FILE (the server's --secret-file)");
  add_test_options(client, client_opts);

  ServerOptions server_opts;
  int ready_fd = -1;
  auto* server = app.add_subcommand("server", "serve tests (this side sends)");
  server->add_option("-p,--port", server_opts.port, "port to listen on (0: any free port)")->capture_default_str();
  server->add_option("-B,--bind", server_opts.bind, "address to bind (default: all, IPv4 and IPv6)");
  bool server_ipv4 = false, server_ipv6 = false;
  auto* server4 = server->add_flag("-4", server_ipv4, "listen on IPv4 only (with --bind: its IPv4 address)");
  server->add_flag("-6", server_ipv6, "listen on IPv6 only (with --bind: its IPv6 address)")->excludes(server4);
  std::string logfile, pidfile;
  server->add_option("--logfile", logfile, "append what the server logs (stderr) to FILE");
  server->add_option("--pidfile", pidfile, "write the server's process id to FILE while it serves (removed on exit)");
  server->add_flag("--once", server_opts.once, "serve one test, then exit");
  server->add_flag("-q,--quiet", server_opts.quiet, "no per-test log lines");
  server->add_option("--max-clients", server_opts.max_clients,
                     "tests served at once (a client with --threads N is one); one more is refused as busy")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  std::string max_memory;
  server->add_option("--max-memory", max_memory,
                     "message buffers all running tests may make the server allocate (K/M/G: 1024-based; "
                     "default: a quarter of physical memory); a test needing more is refused");
  std::string server_secret_file, max_duration = "300s";
  server->add_option("--secret-file", server_secret_file,
                     "admit only clients that prove they hold the secret in FILE (HMAC-SHA256 over a fresh nonce; "
                     "use one on any shared network)");
  server->add_option("--max-duration", max_duration, "longest warm-up + window a test may ask for")->capture_default_str();
  server->add_flag("--allow-profile", server_opts.allow_profile,
                   "let clients ask for --profile, which samples this machine's whole kernel");
  server->add_option("--ready-fd", ready_fd, "write the bound port to this fd when listening")->group("");
  // For the tests of hostile clients, which should not wait out the real limits.
  server->add_option("--header-timeout-ms", server_opts.header_timeout_ms, "time a connection has to send its header")
      ->check(CLI::Range(1, 600'000))
      ->group("");
  server->add_option("--io-timeout-ms", server_opts.io_timeout_ms, "SO_SNDTIMEO/SO_RCVTIMEO of data connections")
      ->check(CLI::Range(1, 600'000))
      ->group("");

  SweepCliOptions sweep_opts;
  auto* sweep = app.add_subcommand("sweep", "run a grid of tests (strategies x sizes x threads x modes, repeated) and write CSV, JSON, plots and a report");
  add_sweep_options(sweep, sweep_opts);

  std::string report_dir;
  auto* report_cmd = app.add_subcommand("report", "rebuild summary.csv, plots and report.md of a sweep folder from its runs.csv");
  report_cmd->add_option("dir", report_dir, "the sweep's folder")->required();

  auto* cleanup = app.add_subcommand("cleanup", "remove network namespaces left behind by a killed copybench");

  // For the build, which writes the installed completion script with it.
  std::string shell;
  auto* completion = app.add_subcommand("completion", "print the shell completion script")->group("");
  completion->add_option("shell", shell, "bash")->required()->check(CLI::IsMember({"bash"}));

  bool probe_json_out = false;
  auto* probe = app.add_subcommand("probe", "show what this machine supports (zero-copy, io_uring, perf events, ...)");
  probe->add_flag("--json", probe_json_out, "print JSON");

  auto is_command = [&](const char* word) {
    for (const auto* sub : app.get_subcommands({}))
      if (sub->get_name() == word) return true;
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !is_command(argv[1]))
    throw UsageError(fmt::format("unknown command '{}' (choose run, client, server, sweep, report, cleanup or probe)", argv[1]));
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

  if (*run) return run_local(run_opts.params(), args_after(argc, argv, "run"), g_signal);
  if (*client) {
    if (client_ipv4 || client_ipv6) host = numeric_host(host, client_ipv4 ? AF_INET : AF_INET6);
    return cmd_client(host, port, client_secret_file, client_opts);
  }
  if (*server) {
    if (!max_memory.empty() && (server_opts.max_memory_bytes = parse_size(max_memory)) == 0)
      throw UsageError("--max-memory must be more than 0");
    if ((server_opts.max_duration_ns = parse_duration_ns(max_duration)) <= 0)
      throw UsageError("--max-duration must be more than 0");
    if (!server_secret_file.empty())
      server_opts.secret = std::make_shared<const Secret>(Secret::from_file(server_secret_file));
    if (server_ipv4 || server_ipv6) server_opts.family = server_ipv4 ? AF_INET : AF_INET6;
    if (!logfile.empty()) log_to(logfile);
    return cmd_server(server_opts, ready_fd, pidfile);
  }
  if (*sweep) return run_sweep(sweep_opts.options(), g_signal);
  if (*report_cmd) return cmd_report(report_dir);
  if (*cleanup) return cmd_cleanup();
  if (*completion) {
    std::cout << bash_completion(app);
    return 0;
  }
  return cmd_probe(probe_json_out);
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
