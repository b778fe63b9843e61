#include "e2e_util.h"

#include "core/clock.h"
#include "net/netns.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace copybench::test {

CommandResult run_copybench(const std::string& args, int timeout_s) { return run_copybench_with("", args, timeout_s); }

CommandResult run_copybench_with(const std::string& prefix, const std::string& args, int timeout_s) {
  bool own_stderr = args.find("2>") != std::string::npos;
  return run_shell(prefix + " timeout -k 5 " + std::to_string(timeout_s) + " " COPYBENCH_BIN " " + args +
                   " </dev/null" + (own_stderr ? "" : " 2>&1"));
}

CommandResult run_shell(const std::string& cmd) {
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

namespace {

// Every result a test reads is kept for Install.ResultSchemaValidatesEveryE2eResult, which
// checks them all against docs/result.schema.json once the e2e tests have run (a ctest fixture).
void keep_for_the_schema_check(const nlohmann::json& document) {
#ifdef COPYBENCH_E2E_RESULTS_DIR
  // A result, a sweep's results.json, or a --json-stream event (an interval or the result).
  const bool result = document.is_object() && (document.contains("schema_version") || document.contains("event") ||
                                               document.value("kind", "") == "copybench sweep");
  if (!result) return;
  static std::atomic<int> counter{0};
  std::error_code ignored;
  std::filesystem::create_directories(COPYBENCH_E2E_RESULTS_DIR, ignored);
  std::ofstream(std::string(COPYBENCH_E2E_RESULTS_DIR) + "/" + std::to_string(::getpid()) + "-" +
                std::to_string(counter.fetch_add(1)) + ".json")
      << document.dump();
#else
  (void)document;
#endif
}

}  // namespace

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

nlohmann::json read_json(const std::string& path) { return parse_json(read_text(path)); }

nlohmann::json parse_json(const std::string& text) {
  auto document = nlohmann::json::parse(text);
  keep_for_the_schema_check(document);
  return document;
}

std::vector<nlohmann::json> parse_json_lines(const std::string& text) {
  std::vector<nlohmann::json> events;
  for (const auto& line : lines_of(text))
    if (!line.empty()) events.push_back(parse_json(line));
  return events;
}

nlohmann::json run_json(const std::string& args, TempDir& dir, std::string* output) {
  auto r = run_copybench(args + " --json " + dir.file("r.json"));
  if (output) *output = r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_json(dir.file("r.json"));
}

ServerProcess::ServerProcess(const std::vector<std::string>& extra) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  Fd read_end(fds[0]), write_end(fds[1]);
  std::vector<std::string> argv{
      COPYBENCH_BIN, "server", "--port", "0", "--quiet", "--ready-fd", std::to_string(write_end.get())};
  bool bind_given = std::find(extra.begin(), extra.end(), "--bind") != extra.end() ||
                    std::find(extra.begin(), extra.end(), "-B") != extra.end();
  if (!bind_given) argv.insert(argv.end(), {"--bind", "127.0.0.1"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  child = std::make_unique<Child>(argv, write_end.get());
  write_end.reset();
  pollfd p{read_end.get(), POLLIN, 0};
  if (::poll(&p, 1, 10'000) <= 0) throw std::runtime_error("server did not report its port");
  char buf[32] = {};
  if (::read(read_end.get(), buf, sizeof buf - 1) <= 0) throw std::runtime_error("server exited before listening");
  port = static_cast<uint16_t>(std::stoul(buf));
  // The server closes its end right after the port: wait for that, so that a count of its fds
  // taken now is the resident server's.
  char rest;
  while (::poll(&p, 1, 10'000) > 0 && ::read(read_end.get(), &rest, 1) > 0) {
  }
}

Fd raw_connect(uint16_t port) { return connect_tcp("127.0.0.1", port, 2000); }

std::string write_secret(TempDir& dir, const std::string& name, const std::string& secret) {
  auto path = dir.file(name);
  std::ofstream(path) << secret << "\n";
  return path;
}

double seconds_since(int64_t t0_ns) { return static_cast<double>(now_ns() - t0_ns) / 1e9; }

HandServer::HandServer(std::vector<std::string> args, const std::function<void()>& in_child, int stderr_fd,
                       bool on_loopback) {
  int ready[2];
  if (::pipe(ready) != 0) throw std::runtime_error("pipe");
  args.insert(args.begin(), {COPYBENCH_BIN, "server", "--port", "0", "--ready-fd", std::to_string(ready[1])});
  if (on_loopback) args.insert(args.end(), {"--bind", "127.0.0.1"});
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(ready[0]);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(stderr_fd >= 0 ? stderr_fd : null, 2);
    in_child();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(ready[1]);
  char buf[32] = {};
  pollfd p{ready[0], POLLIN, 0};
  if (::poll(&p, 1, 10'000) <= 0 || ::read(ready[0], buf, sizeof buf - 1) <= 0) {
    ::close(ready[0]);
    throw std::runtime_error("the server did not report its port");
  }
  ::close(ready[0]);
  port = static_cast<uint16_t>(std::stoul(buf));
}

HandServer::~HandServer() {
  if (exited_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

int HandServer::wait_for(int timeout_ms) {
  const int64_t deadline = now_ns() + int64_t{timeout_ms} * 1'000'000;
  while (now_ns() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

CapturedStderr::CapturedStderr() : fd_(static_cast<int>(::syscall(SYS_memfd_create, "stderr", 1u /* MFD_CLOEXEC */))) {
  if (fd_ < 0) throw std::runtime_error("memfd_create");
}

CapturedStderr::~CapturedStderr() { ::close(fd_); }

std::string CapturedStderr::text() const {
  std::string out;
  char buf[4096];
  ssize_t n;
  for (off_t at = 0; (n = ::pread(fd_, buf, sizeof buf, at)) > 0; at += n) out.append(buf, static_cast<size_t>(n));
  return out.empty() ? "(nothing)" : out;
}

VptrChecksOffWithoutFds::VptrChecksOffWithoutFds() {
  char path[] = "/tmp/copybench-ubsan-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp");
  const std::string rule = "vptr:*\n";  // by location: the type itself cannot be read then
  const bool written = ::write(fd, rule.data(), rule.size()) == static_cast<ssize_t>(rule.size());
  ::close(fd);
  path_ = path;
  if (!written) throw std::runtime_error("write " + path_);
  const char* old = std::getenv("UBSAN_OPTIONS");
  if (old) saved_ = old;
  const std::string ours = "halt_on_error=0:suppressions=" + path_;  // the last of a flag wins
  const std::string options = saved_ ? *saved_ + ":" + ours : ours;
  ::setenv("UBSAN_OPTIONS", options.c_str(), 1);
}

VptrChecksOffWithoutFds::~VptrChecksOffWithoutFds() {
  if (saved_) ::setenv("UBSAN_OPTIONS", saved_->c_str(), 1);
  else ::unsetenv("UBSAN_OPTIONS");
  ::unlink(path_.c_str());
}

std::string VptrChecksOffWithoutFds::other_reports(const std::string& log) {
  std::istringstream in(log);
  std::string line, next, out;
  std::getline(in, line);
  while (std::getline(in, next)) {
    if (line.find("runtime error:") != std::string::npos && next.find("object has invalid vptr") == std::string::npos)
      out += line + "\n";
    line = next;
  }
  if (line.find("runtime error:") != std::string::npos) out += line + "\n";
  return out;
}

long status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace copybench::test

namespace copybench::test {

namespace {

int entries(const std::string& dir) {
  std::error_code ec;
  int n = 0;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++n;
  return n;
}

// Field 3 (state) and 4 (parent) of /proc/PID/stat; the name in field 2 may hold spaces.
std::pair<char, pid_t> state_and_parent(pid_t pid) {
  auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return {'?', 0};
  std::istringstream rest(stat.substr(close + 1));
  char state = '?';
  pid_t parent = 0;
  rest >> state >> parent;
  return {state, parent};
}

}  // namespace

ProcessUsage usage_of(pid_t pid) {
  auto proc = "/proc/" + std::to_string(pid);
  return {entries(proc + "/fd"), entries(proc + "/task")};
}

ProcessUsage settle_to(pid_t pid, ProcessUsage baseline, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto now = usage_of(pid);
  while ((now.fds > baseline.fds || now.threads > baseline.threads) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    now = usage_of(pid);
  }
  return now;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t child = std::stoi(name);
    auto [state, parent] = state_and_parent(child);
    if (parent == pid && state != 'Z') out.push_back(child);
  }
  return out;
}

bool alive(pid_t pid) {
  auto [state, parent] = state_and_parent(pid);
  return state != '?' && state != 'Z';
}

uint64_t tcp_bytes_received_by(pid_t pid) {
  // Each socket is two lines: its addresses with users:((...,pid=N,fd=M)), then its TCP_INFO.
  auto r = run_shell("timeout 10 ss -tinpH state established </dev/null");
  const std::string owner = "pid=" + std::to_string(pid) + ",";
  uint64_t total = 0;
  bool ours = false;
  for (const auto& line : lines_of(r.output)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') {
      ours = line.find(owner) != std::string::npos;
      continue;
    }
    const auto at = line.find("bytes_received:");
    if (ours && at != std::string::npos) total += std::stoull(line.substr(at + 15));
  }
  return total;
}

std::vector<std::string> orphaned_copybench_namespaces() {
  std::vector<std::string> out;
  for (const auto& name : list_copybench_namespaces()) {
    // copybench-PID-N-srv: PID made it. Another test's live sweep may own one meanwhile.
    const auto first = name.find('-') + 1, second = name.find('-', first);
    const pid_t owner = static_cast<pid_t>(std::stol(name.substr(first, second - first)));
    if (!alive(owner)) out.push_back(name);
  }
  return out;
}

}  // namespace copybench::test
