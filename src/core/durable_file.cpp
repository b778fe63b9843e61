#include "core/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "core/error.h"

namespace copybench {
namespace {

// An fd closed on every path; core sits below net/socket.h's Fd.
class OpenFile {
 public:
  OpenFile(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {}
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /// close(2) reports delayed write errors (NFS); returns its errno, 0 when none.
  int close_checked() {
    int err = ::close(fd_) == 0 ? 0 : errno;
    fd_ = -1;
    return err;
  }

 private:
  int fd_;
};

// Writes everything; returns 0 or the errno of the write that failed (ENOSPC for a write that
// stopped short on a full disk: the retry of the rest reports it).
int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string temporary_name(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + name + ".tmp-" + std::to_string(::getpid());
}

void fsync_directory(const std::string& dir, const std::string& path) {
  OpenFile d(dir, O_RDONLY | O_DIRECTORY);
  if (d.get() < 0) throw_sys("write " + path + " (open its directory to sync it)", errno);
  if (::fsync(d.get()) != 0) throw_sys("write " + path + " (sync its directory)", errno);
}

// Not a regular file (/dev/stdout, a FIFO): there is nothing to rename over, so it is written
// in place. Renaming over /dev/null would replace the device with a file.
void write_in_place(const std::string& path, std::string_view text) {
  OpenFile out(path, O_WRONLY | O_TRUNC);
  if (out.get() < 0) throw_sys("write " + path, errno);
  if (int err = write_all(out.get(), text)) throw_sys("write " + path, err);
}

// The file a symlink names: renaming over the link would replace the link, not the file.
std::string resolved(const std::string& path) {
  char buf[PATH_MAX];
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ::realpath(path.c_str(), buf)) return buf;
  return path;
}

}  // namespace

void replace_file_durably(const std::string& given_path, std::string_view text) {
  const std::string path = resolved(given_path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return write_in_place(path, text);
  const std::string tmp = temporary_name(path);
  OpenFile out(tmp, O_WRONLY | O_CREAT | O_TRUNC);
  if (out.get() < 0) throw_sys("write " + path, errno);
  int err = write_all(out.get(), text);
  if (!err && ::fsync(out.get()) != 0) err = errno;
  if (int closed = out.close_checked(); !err) err = closed;
  if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());  // a full disk gets its space back; `path` is untouched
    throw_sys("write " + path, err);
  }
  fsync_directory(directory_of(path), path);
}

void append_durably(const std::string& path, std::string_view bytes) {
  OpenFile out(path, O_WRONLY | O_CREAT | O_APPEND);
  if (out.get() < 0) throw_sys("write " + path, errno);
  struct stat st {};
  if (::fstat(out.get(), &st) != 0) throw_sys("write " + path, errno);
  int err = write_all(out.get(), bytes);
  if (!err && ::fsync(out.get()) != 0) err = errno;
  if (err) {
    // Only the rows written whole stay: a torn row would make the file unreadable as CSV.
    (void)!::ftruncate(out.get(), st.st_size);
    throw_sys("write " + path, err);
  }
  if (int closed = out.close_checked()) throw_sys("write " + path, closed);
}

}  // namespace copybench
