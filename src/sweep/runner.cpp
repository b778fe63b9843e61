#include "sweep/runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <memory>

#include "core/clock.h"
#include "core/error.h"
#include "net/socket.h"
#include "sweep/subprocess.h"

namespace copybench {
namespace {

// Reads the port the server child writes to its ready pipe, waiting at most timeout_ms.
uint16_t read_ready_port(int fd, Child& server, int timeout_ms) {
  std::string text;
  int64_t deadline = now_ns() + int64_t{timeout_ms} * 1'000'000;
  while (now_ns() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[32];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // closed: the server wrote its port or died
    text.append(buf, static_cast<size_t>(n));
  }
  if (!text.empty() && text.back() == '\n') return static_cast<uint16_t>(std::stoul(text));
  auto code = server.wait_for(1000);
  throw Error(code ? fmt::format("the server process exited with code {} before listening", *code)
                   : "the server process did not start listening within 10 s");
}

}  // namespace

int run_local(const TestParams& params, const std::vector<std::string>& client_args, const std::atomic<int>& signal) {
  return run_pair(Placement{}, params, client_args, signal);
}

int run_pair(const Placement& where, const TestParams& params, const std::vector<std::string>& client_args,
             const std::atomic<int>& signal) {
  const auto self = self_executable();
  std::unique_ptr<Child> server;
  uint16_t port = where.remote_port;
  if (where.spawn_server) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_sys("pipe", errno);
    Fd ready_read(pipe_fds[0]), ready_write(pipe_fds[1]);
    // Our own server, on our own machine: --profile is the user's to ask for.
    server = std::make_unique<Child>(
        std::vector<std::string>{self, "server", "--once", "--quiet", "--allow-profile", "--bind", where.bind_address,
                                 "--port", "0", "--ready-fd", std::to_string(ready_write.get())},
        ready_write.get(), where.server_netns);
    ready_write.reset();
    port = read_ready_port(ready_read.get(), *server, 10'000);
  }

  std::vector<std::string> argv = {self, "client", "--host", where.connect_host, "--port", std::to_string(port)};
  if (!where.secret_file.empty()) argv.insert(argv.end(), {"--secret-file", where.secret_file});
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  Child client(argv, -1, where.client_netns);
  // The client bounds its own waits; this is the backstop should it hang anyway.
  // (its own limits: connections, the window, then up to 60 s + 1 s per thread for RESULT).
  const int64_t budget_ms = (params.warmup_ns + params.duration_ns) / 1'000'000 + 120'000 + 2'000 * params.threads;
  const int64_t deadline = now_ns() + budget_ms * 1'000'000;
  std::optional<int> code;
  int seen = 0;
  while (!(code = client.wait_for(100))) {
    if (int count = signal.load(); count > seen) {
      if (seen > 0) {  // a second Ctrl-C: the user will not wait for the figures
        client.stop();
        if (server) server->stop();
        throw Error("interrupted twice: the test's processes were stopped without their figures");
      }
      client.signal(SIGINT);  // the client ends its window early and still writes its results
      seen = count;
    }
    if (now_ns() > deadline) {
      client.stop();
      throw Error("the client process did not finish in time and was stopped");
    }
  }
  if (!server) return *code;
  // A --once server ends with the test it ran; a test it refused does not end it (a stranger's
  // refusal must not), so after a failed client it is stopped rather than waited for.
  auto server_code = server->wait_for(*code == 0 ? 5000 : 200);
  if (!server_code) server_code = server->stop();
  if (*code == 0 && *server_code != 0)
    throw Error(fmt::format("the server process exited with code {} after the test", *server_code));
  return *code;
}

}  // namespace copybench
