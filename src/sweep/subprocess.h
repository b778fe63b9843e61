#pragma once
// A child process of our own binary, owned: the destructor stops and reaps it, and the kernel
// kills it (PR_SET_PDEATHSIG) should this process die without running the destructor.
#include <sys/types.h>
#include <optional>
#include <string>
#include <vector>

namespace copybench {

class Child {
 public:
  /// Starts argv[0] with argv; `keep_fd` (if >= 0) stays open in the child under its number.
  /// A non-empty `netns` (a name under /run/netns) is joined before exec; a missing one throws
  /// here, and a failing setns makes the child print the reason and exit 127.
  /// The child gets SIGKILL when the *thread* that constructs it ends, so construct it on a
  /// thread that outlives it (the main thread, as `run`, `sweep` and the tests do).
  /// It starts with SIGINT, SIGTERM and SIGHUP blocked, for copybench's main() to unblock once
  /// its handlers are in: an interrupt sent at once is held, never lost or lethal. Another
  /// program keeps them blocked (stop() still ends it, by SIGKILL after the grace).
  Child(const std::vector<std::string>& argv, int keep_fd = -1, const std::string& netns = "");
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  /// Waits at most timeout_ms; returns the exit code (128+signal if killed) or nullopt.
  std::optional<int> wait_for(int timeout_ms);
  void signal(int sig);
  /// SIGTERM, a short grace, then SIGKILL; reaps.
  int stop();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// Path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace copybench
