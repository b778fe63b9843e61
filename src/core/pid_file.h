#pragma once
// `server --pidfile FILE`: the process's id in a file for init scripts and monitors on hosts
// without systemd, there exactly as long as the process serves.
#include <string>

namespace copybench {

/// Writes this process's id and a newline to `path` (replacing a file a dead process left,
/// refusing one whose process still runs) and removes the file on destruction. Throws Error.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
};

}  // namespace copybench
