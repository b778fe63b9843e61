#pragma once
// Helpers for end-to-end tests: run the real copybench binary, start a real server.
#include <sys/types.h>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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

/// A shell command line; its stdout (and what it redirects there) is the output.
CommandResult run_shell(const std::string& command_line);

/// A temporary directory removed at the end of the test.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
  std::string file(const std::string& name) const { return path + "/" + name; }
};

/// The JSON in a file, or in text (stdout's --json -), or each line of JSON Lines (--json-stream);
/// every result and JSON Lines event among them is kept for the schema check.
nlohmann::json read_json(const std::string& path);
nlohmann::json parse_json(const std::string& text);
std::vector<nlohmann::json> parse_json_lines(const std::string& text);

/// Writes `secret` and a newline to dir's file `name` (a --secret-file) and returns its path.
std::string write_secret(TempDir& dir, const std::string& name, const std::string& secret);

/// Seconds of CLOCK_MONOTONIC (now_ns) since t0_ns.
double seconds_since(int64_t t0_ns);

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

/// A `copybench server` started by hand (fork and exec), for what ServerProcess does not do: a
/// setup step in the child before exec (an fd limit, SIGHUP ignored, a seccomp filter) and
/// stderr where the test wants it (/dev/null when stderr_fd is -1). It listens on 127.0.0.1
/// unless on_loopback is false (then on all addresses), at a free port; SIGKILLed at the end
/// unless wait_for saw it exit.
class HandServer {
 public:
  HandServer(std::vector<std::string> args, const std::function<void()>& in_child, int stderr_fd = -1,
             bool on_loopback = true);
  HandServer(const HandServer&) = delete;
  HandServer& operator=(const HandServer&) = delete;
  ~HandServer();
  /// The exit code within timeout_ms (128 + signal when killed), or -1.
  int wait_for(int timeout_ms);
  pid_t pid() const { return pid_; }
  uint16_t port = 0;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

/// A child's stderr kept in memory (a memfd the child gets as fd 2, so it costs it no extra
/// fd; pass fd() as HandServer's stderr_fd), to print when a test fails.
class CapturedStderr {
 public:
  CapturedStderr();
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  ~CapturedStderr();
  int fd() const { return fd_; }
  /// What was written so far; "(nothing)" when nothing was.
  std::string text() const;

 private:
  int fd_;
};

/// UBSan's vptr check asks whether the vtable's memory is readable by writing it into a pipe;
/// in a process out of file descriptors pipe() fails, and a virtual call it checks is reported
/// as "object has invalid vptr", a false report that stops the process (halt_on_error). A
/// server started while this lives has those reports suppressed and, where one still comes
/// through, not fatal (UBSAN_OPTIONS is read when it starts; harmless in a build without
/// UBSan); `other_reports` finds any other UBSan report in its stderr, so none goes unseen.
class VptrChecksOffWithoutFds {
 public:
  VptrChecksOffWithoutFds();
  VptrChecksOffWithoutFds(const VptrChecksOffWithoutFds&) = delete;
  VptrChecksOffWithoutFds& operator=(const VptrChecksOffWithoutFds&) = delete;
  ~VptrChecksOffWithoutFds();  // UBSAN_OPTIONS as it was
  /// UBSan's reports in `log` other than the invalid-vptr ones (each "runtime error" line whose
  /// next line is not that note), one per line; empty when there are none.
  static std::string other_reports(const std::string& log);

 private:
  std::string path_;
  std::optional<std::string> saved_;
};

/// A field of /proc/PID/status in kB ("VmHWM"); -1 when it is not there.
long status_kb(pid_t pid, const std::string& field);

/// CPU time (user + system) the process has used, in seconds, from /proc/PID/stat.
double cpu_seconds(pid_t pid);

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

/// The bytes pid's established TCP sockets have received, by the kernel's count (`ss -tinp`,
/// tcpi_bytes_received): how a test knows data moves without guessing a time.
uint64_t tcp_bytes_received_by(pid_t pid);

/// copybench namespaces whose creating process has ended: left behind. (Those of a live
/// process, another test's sweep running beside this one under ctest -j, are not.)
std::vector<std::string> orphaned_copybench_namespaces();

/// Raw TCP connection to the server for hostile-input tests.
Fd raw_connect(uint16_t port);

}  // namespace copybench::test
