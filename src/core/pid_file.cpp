#include "core/pid_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <fstream>

#include "core/error.h"

namespace copybench {
namespace {

// The process a pid file names, when it still runs (kill 0 reaches it, or exists but is not
// ours to signal: EPERM). A stale file, from a killed server, is replaced.
bool names_live_process(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0 || pid == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  if (names_live_process(path_)) throw Error(fmt::format("--pidfile {}: another process that runs holds it", path_));
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_sys(fmt::format("--pidfile {}: open", path_), errno);
  auto line = fmt::format("{}\n", ::getpid());
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path_.c_str());
    throw_sys(fmt::format("--pidfile {}: write", path_), saved);
  }
}

PidFile::~PidFile() { ::unlink(path_.c_str()); }

}  // namespace copybench
