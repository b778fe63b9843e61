// `server`: serve tests until interrupted (or, with --once, after one).
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <unistd.h>
#include <optional>

#include "cli/commands.h"
#include "core/error.h"
#include "core/pid_file.h"
#include "core/units.h"
#include "session/server.h"

namespace copybench {
namespace {

// --logfile: what the server writes on stderr (its log lines, and the error it ends with) goes
// to FILE, appended, for hosts without a journal to collect stderr.
void log_to(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) throw_sys(fmt::format("--logfile {}: open", path), errno);
  if (::dup2(fd, STDERR_FILENO) < 0) throw_sys(fmt::format("--logfile {}: dup2", path), errno);
  ::close(fd);
}

class ServerCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("server", "serve tests (this side sends)");
    add_listening(cmd);
    add_limits(cmd);
    add_hidden(cmd);
    return cmd;
  }

  int run(const Invocation& call) override {
    resolve();
    if (!logfile_.empty()) log_to(logfile_);
    Server server(options_);
    // After the bind: a pid file says a server listens; it goes when this returns or unwinds.
    std::optional<PidFile> pid_file;
    if (!pidfile_.empty()) pid_file.emplace(pidfile_);
    if (ready_fd_ >= 0) {
      auto line = fmt::format("{}\n", server.port());
      (void)!::write(ready_fd_, line.data(), line.size());
      ::close(ready_fd_);
    }
    if (!options_.quiet) say_listening(server);
    server.serve(call.interrupted);
    return 0;
  }

 private:
  void add_listening(CLI::App* cmd) {
    cmd->add_option("-p,--port", options_.port, "port to listen on (0: any free port)")->capture_default_str();
    cmd->add_option("-B,--bind", options_.bind, "address to bind (default: all, IPv4 and IPv6)");
    auto* ipv4 = cmd->add_flag("-4", ipv4_, "listen on IPv4 only (with --bind: its IPv4 address)");
    cmd->add_flag("-6", ipv6_, "listen on IPv6 only (with --bind: its IPv6 address)")->excludes(ipv4);
    cmd->add_option("--logfile", logfile_, "append what the server logs (stderr) to FILE");
    cmd->add_option("--pidfile", pidfile_, "write the server's process id to FILE while it serves (removed on exit)");
    cmd->add_flag("--once", options_.once, "serve one test, then exit");
    cmd->add_flag("-q,--quiet", options_.quiet, "no per-test log lines");
  }

  void add_limits(CLI::App* cmd) {
    cmd->add_option("--max-clients", options_.max_clients,
                    "tests served at once (a client with --threads N is one); one more is refused as busy")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cmd->add_option("--max-memory", max_memory_,
                    "message buffers all running tests may make the server allocate (K/M/G: 1024-based; "
                    "default: a quarter of physical memory); a test needing more is refused");
    cmd->add_option("--secret-file", secret_file_,
                    "admit only clients that prove they hold the secret in FILE (HMAC-SHA256 over a fresh nonce; "
                    "use one on any shared network)");
    cmd->add_option("--max-duration", max_duration_, "longest warm-up + window a test may ask for")
        ->capture_default_str();
    cmd->add_flag("--allow-profile", options_.allow_profile,
                  "let clients ask for --profile, which samples this machine's whole kernel");
  }

  // For `run` and the tests of hostile clients, which should not wait out the real limits.
  void add_hidden(CLI::App* cmd) {
    cmd->add_option("--ready-fd", ready_fd_, "write the bound port to this fd when listening")->group("");
    cmd->add_option("--header-timeout-ms", options_.header_timeout_ms, "time a connection has to send its header")
        ->check(CLI::Range(1, 600'000))
        ->group("");
    cmd->add_option("--io-timeout-ms", options_.io_timeout_ms, "SO_SNDTIMEO/SO_RCVTIMEO of data connections")
        ->check(CLI::Range(1, 600'000))
        ->group("");
  }

  // The options typed as text, into ServerOptions; throws UsageError naming a bad one.
  void resolve() {
    if (!max_memory_.empty() && (options_.max_memory_bytes = parse_size(max_memory_)) == 0)
      throw UsageError("--max-memory must be more than 0");
    if ((options_.max_duration_ns = parse_duration_ns(max_duration_)) <= 0)
      throw UsageError("--max-duration must be more than 0");
    if (!secret_file_.empty()) options_.secret = std::make_shared<const Secret>(Secret::from_file(secret_file_));
    if (ipv4_ || ipv6_) options_.family = ipv4_ ? AF_INET : AF_INET6;
  }

  void say_listening(const Server& server) const {
    // write(), not fmt::print: a server whose stderr is a closed pipe serves on (fmt throws).
    auto line = fmt::format(
        "copybench server: listening on {} (at most {} tests at once, {} of message buffers, "
        "tests of at most {}{})\n",
        server.address(), options_.max_clients, format_size(server.max_memory_bytes()),
        format_duration(options_.max_duration_ns), options_.secret ? ", clients must prove the shared secret" : "");
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }

  ServerOptions options_;
  bool ipv4_ = false, ipv6_ = false;
  int ready_fd_ = -1;
  std::string logfile_, pidfile_, max_memory_, secret_file_, max_duration_ = "300s";
};

}  // namespace

std::unique_ptr<Command> make_server_command() { return std::make_unique<ServerCommand>(); }

}  // namespace copybench
