#include "sweep/subprocess.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "core/clock.h"
#include "core/error.h"
#include "net/netns.h"

namespace copybench {

namespace {

// Between fork and exec: write(2) and strerrordesc_np (a static table, no locale, no
// allocation) are safe there; strerror and std::string are not.
[[noreturn]] void fail_in_child(const std::string& prefix, int err) {
  const char* reason = ::strerrordesc_np(err);
  if (!reason) reason = "unknown error";
  (void)!::write(2, prefix.data(), prefix.size());
  (void)!::write(2, reason, ::strlen(reason));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

}  // namespace

Child::Child(const std::vector<std::string>& argv, int keep_fd, const std::string& netns) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Opened here so that a missing namespace is an Error in the parent, not a child exit code.
  Fd ns_fd = netns.empty() ? Fd() : open_netns(netns);
  const std::string setns_failed = "copybench: setns into network namespace " + netns + ": ";
  const pid_t parent = ::getpid();
  // The child starts with the interrupting signals blocked, and exec keeps them blocked: one
  // that comes before its main() has installed the handlers (a Ctrl-C at once, a TSan start-up)
  // waits for them instead of killing it by the default action with none of its figures
  // written. main() unblocks them (install_signal_handlers). Blocked here, before fork, so that
  // none reaches the parent's handlers in the child between fork and exec, to be lost there.
  sigset_t interrupting, previous;
  ::sigemptyset(&interrupting);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaddset(&interrupting, sig);
  ::pthread_sigmask(SIG_BLOCK, &interrupting, &previous);
  pid_ = ::fork();
  if (pid_ != 0) ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);  // the parent's as it was
  if (pid_ < 0) throw_sys("fork", errno);
  if (pid_ == 0) {
    // Own process group: a terminal's Ctrl-C reaches only the parent, which decides what each
    // child is told (the client ends its window early; the server finishes the test).
    ::setpgid(0, 0);
    // Dies with us: a SIGKILLed sweep or `run` must leave no client or server behind
    // (prctl(2): the signal comes when the thread that forked ends, and it survives exec).
    // A parent that died before prctl took effect is seen here as a new parent.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
    // Network namespaces are per thread; the forked child has only this one, and exec keeps it.
    if (ns_fd && ::setns(ns_fd.get(), CLONE_NEWNET) != 0) fail_in_child(setns_failed, errno);
    if (keep_fd >= 0) ::fcntl(keep_fd, F_SETFD, 0);  // survive exec
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0 && !exit_code_) stop();
}

std::optional<int> Child::wait_for(int timeout_ms) {
  if (exit_code_) return exit_code_;
  int64_t deadline = now_ns() + int64_t{timeout_ms} * 1'000'000;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (r < 0 && errno != EINTR) return exit_code_ = 1;
    if (now_ns() >= deadline) return std::nullopt;
    ::usleep(10'000);
  }
}

void Child::signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

int Child::stop() {
  signal(SIGTERM);
  if (auto code = wait_for(2000)) return *code;
  signal(SIGKILL);
  return wait_for(5000).value_or(137);
}

std::string self_executable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) throw_sys("readlink(/proc/self/exe)", errno);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace copybench
