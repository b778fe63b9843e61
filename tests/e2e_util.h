#pragma once
// Helpers for end-to-end tests: run the real copybench binary, start a real server.
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/socket.h"
#include "sweep/subprocess.h"

namespace copybench::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

/// Runs `copybench <args>` under a hard time limit; stdin is /dev/null; stderr joins stdout
/// unless args redirect it.
CommandResult run_copybench(const std::string& args, int timeout_s = 120);

/// The same for any shell command line (`prefix` goes before the copybench binary, e.g.
/// `ip netns exec NS`).
CommandResult run_copybench_with(const std::string& prefix, const std::string& args, int timeout_s = 120);

/// A temporary directory removed at the end of the test.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
  std::string file(const std::string& name) const { return path + "/" + name; }
};

nlohmann::json read_json(const std::string& path);

/// The lines of `text`, empty ones included, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

/// Runs `copybench <args> --json DIR/r.json`, expects exit 0 (a test failure otherwise, with the
/// output) and returns the JSON; `output` gets stdout and stderr.
nlohmann::json run_json(const std::string& args, TempDir& dir, std::string* output = nullptr);
std::string read_text(const std::string& path);

/// A resident `copybench server` on 127.0.0.1 (unless `extra` has --bind) at a free port;
/// `extra` adds server options.
struct ServerProcess {
  explicit ServerProcess(const std::vector<std::string>& extra = {});
  std::unique_ptr<Child> child;
  uint16_t port = 0;
  pid_t pid() const { return child->pid(); }
};

/// What a process holds, from /proc/PID/fd and /proc/PID/task.
struct ProcessUsage {
  int fds = 0;
  int threads = 0;
};
ProcessUsage usage_of(pid_t pid);

/// Waits up to timeout_ms until pid holds no more fds and threads than `baseline`; returns
/// what it holds then. Servers free a finished connection's thread within a moment.
ProcessUsage settle_to(pid_t pid, ProcessUsage baseline, int timeout_ms = 10'000);

/// The live (not zombie) children of pid.
std::vector<pid_t> children_of(pid_t pid);

/// Whether pid runs (exists and is not a zombie).
bool alive(pid_t pid);

/// copybench namespaces whose creating process has ended: left behind. (Those of a live
/// process, another test's sweep running beside this one under ctest -j, are not.)
std::vector<std::string> orphaned_copybench_namespaces();

/// Raw TCP connection to the server for hostile-input tests.
Fd raw_connect(uint16_t port);

}  // namespace copybench::test
