#include "e2e_util.h"

#include <array>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace copybench::test {

CommandResult run_copybench(const std::string& args, int timeout_s) {
  bool own_stderr = args.find("2>") != std::string::npos;
  auto cmd = "timeout -k 5 " + std::to_string(timeout_s) + " " COPYBENCH_BIN " " + args + " </dev/null" +
             (own_stderr ? "" : " 2>&1");
  CommandResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/copybench-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_text(path)); }

ServerProcess::ServerProcess() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  Fd read_end(fds[0]), write_end(fds[1]);
  child = std::make_unique<Child>(std::vector<std::string>{COPYBENCH_BIN, "server", "--bind", "127.0.0.1", "--port", "0",
                                                          "--quiet", "--ready-fd", std::to_string(write_end.get())},
                                  write_end.get());
  write_end.reset();
  pollfd p{read_end.get(), POLLIN, 0};
  if (::poll(&p, 1, 10'000) <= 0) throw std::runtime_error("server did not report its port");
  char buf[32] = {};
  if (::read(read_end.get(), buf, sizeof buf - 1) <= 0) throw std::runtime_error("server exited before listening");
  port = static_cast<uint16_t>(std::stoul(buf));
}

Fd raw_connect(uint16_t port) { return connect_tcp("127.0.0.1", port, 2000); }

}  // namespace copybench::test
