// `run` and `client`: one test, and every output of its result.
#include <fmt/format.h>
#include <netinet/in.h>
#include <unistd.h>
#include <iostream>

#include "cli/commands.h"
#include "cli/test_options.h"
#include "core/error.h"
#include "net/socket.h"
#include "output/live_output.h"
#include "output/writers.h"
#include "session/client.h"
#include "sweep/runner.h"

namespace copybench {
namespace {

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
  if (result.status != RunStatus::ok && !(o.quiet && !o.json_path.empty()))
    fmt::print(stderr, "copybench: error: {}\n", result.error);
  return exit_code_for(result);
}

// The arguments after the subcommand's name, passed on to the client by `run`.
std::vector<std::string> args_after(const std::vector<std::string>& args, const std::string& word) {
  std::vector<std::string> out;
  bool found = false;
  for (const auto& arg : args) {
    if (found) out.push_back(arg);
    else if (arg == word) found = true;
  }
  return out;
}

class RunCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("run", "start a server and a client on loopback and report both sides");
    add_test_options(cmd, options_);
    return cmd;
  }
  int run(const Invocation& call) override {
    return run_local(options_.params(), args_after(call.args, "run"), call.signals);
  }

 private:
  TestOptions options_;
};

class ClientCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("client", "run a test against a copybench server (this side receives)");
    cmd->add_option("-c,--host", host_, "server host name or address")->capture_default_str();
    auto* ipv4 = cmd->add_flag("-4", ipv4_, "connect over IPv4 only");
    cmd->add_flag("-6", ipv6_, "connect over IPv6 only")->excludes(ipv4);
    cmd->add_option("-p,--port", port_, "server port")->capture_default_str();
    cmd->add_option("--secret-file", secret_file_,
                    "prove to the server that this client holds the secret in FILE (the server's --secret-file)");
    add_test_options(cmd, options_);
    return cmd;
  }

  int run(const Invocation& call) override {
    ClientOptions c;
    c.host = ipv4_ || ipv6_ ? numeric_host(host_, ipv4_ ? AF_INET : AF_INET6) : host_;
    c.port = port_;
    c.params = options_.params();
    if (!secret_file_.empty()) c.secret = std::make_shared<const Secret>(Secret::from_file(secret_file_));
    c.result_timeout_ms = options_.result_timeout_ms;
    LiveOutput live(options_.quiet              ? -1
                    : options_.stdout_is_json() ? STDERR_FILENO
                                                : STDOUT_FILENO,
                    options_.json_stream_path, c.params.direction == Direction::bidir, call.interrupted);
    if (live.listening())
      c.on_interval = [&live](Side side, Direction direction, const IntervalFigures& v) {
        live.interval(side, direction, v);
      };
    RunResult result = run_client(c, call.interrupted);
    if (auto why = live.failure(); !why.empty()) result.error = "--json-stream: " + why + "; the run ended early";
    live.result(result);
    return report(result, options_);
  }

 private:
  std::string host_ = "127.0.0.1";
  uint16_t port_ = 7470;
  bool ipv4_ = false, ipv6_ = false;
  std::string secret_file_;
  TestOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }
std::unique_ptr<Command> make_client_command() { return std::make_unique<ClientCommand>(); }

}  // namespace copybench
