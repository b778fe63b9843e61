#pragma once
// Where `client` (and so `run`) puts the run as it happens: the interval lines on the human
// stream, and --json-stream's JSON Lines on stdout or in a file, each line written with one
// write() as it happens. A reader that goes away (EPIPE on `--json-stream -`) ends the run
// early through `interrupted`, the flag Ctrl-C sets; what was measured is still reported.
#include <atomic>
#include <mutex>
#include <string>

#include "core/error.h"
#include "net/socket.h"
#include "results/result.h"

namespace copybench {

class LiveOutput {
 public:
  /// `human_fd`: where the interval lines go (-1: nowhere); `json_stream`: "", "-" or a path
  /// (created or truncated now; throws Error naming it when it cannot be).
  LiveOutput(int human_fd, const std::string& json_stream, bool with_direction, std::atomic<bool>& interrupted);

  /// Whether anyone hears intervals (else the client need not call interval()).
  bool listening() const { return human_fd_ >= 0 || json_fd_ >= 0; }
  /// One interval of one side, from a test's coordinating thread; thread-safe.
  void interval(Side side, Direction direction, const IntervalFigures& figures);
  /// The final object of --json-stream.
  void result(const RunResult& result);
  /// Why --json-stream stopped ("" while it works).
  std::string failure() const;

 private:
  void write_line(int fd, const std::string& line, bool json);

  int human_fd_;
  int json_fd_ = -1;
  Fd json_file_;  // --json-stream FILE
  bool with_direction_;
  std::atomic<bool>& interrupted_;
  mutable std::mutex mu_;
  bool heading_written_ = false;
  std::string failure_;
};

}  // namespace copybench
