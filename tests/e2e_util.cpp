#include "e2e_util.h"

#include "net/netns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>
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

CommandResult run_copybench(const std::string& args, int timeout_s) { return run_copybench_with("", args, timeout_s); }

CommandResult run_copybench_with(const std::string& prefix, const std::string& args, int timeout_s) {
  bool own_stderr = args.find("2>") != std::string::npos;
  auto cmd = prefix + " timeout -k 5 " + std::to_string(timeout_s) + " " COPYBENCH_BIN " " + args + " </dev/null" +
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

namespace {

// Every result a test reads is kept for Install.ResultSchemaValidatesEveryE2eResult, which
// checks them all against docs/result.schema.json once the e2e tests have run (a ctest fixture).
void keep_for_the_schema_check(const nlohmann::json& document) {
#ifdef COPYBENCH_E2E_RESULTS_DIR
  const bool result = document.is_object() && (document.contains("schema_version") || document.value("kind", "") == "copybench sweep");
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

nlohmann::json read_json(const std::string& path) {
  auto document = nlohmann::json::parse(read_text(path));
  keep_for_the_schema_check(document);
  return document;
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
  std::vector<std::string> argv{COPYBENCH_BIN, "server", "--port", "0", "--quiet", "--ready-fd",
                                std::to_string(write_end.get())};
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
