#include "output/live_output.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <cerrno>

#include "output/live.h"

namespace copybench {

LiveOutput::LiveOutput(int human_fd, const std::string& json_stream, bool with_direction,
                       std::atomic<bool>& interrupted)
    : human_fd_(human_fd), with_direction_(with_direction), interrupted_(interrupted) {
  if (json_stream == "-") {
    json_fd_ = STDOUT_FILENO;
  } else if (!json_stream.empty()) {
    json_file_.reset(::open(json_stream.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!json_file_) throw Error(fmt::format("--json-stream {}: {}", json_stream, errno_text(errno)));
    json_fd_ = json_file_.get();
  }
}

void LiveOutput::write_line(int fd, const std::string& line, bool json) {
  std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!json) return;  // a lost human line is no reason to stop measuring
      failure_ = errno == EPIPE ? "its reader went away (broken pipe)" : errno_text(errno);
      json_fd_ = -1;
      interrupted_.store(true);  // ends the window now; the result says why
      return;
    }
    done += static_cast<size_t>(n);
  }
}

void LiveOutput::interval(Side side, Direction direction, const IntervalFigures& figures) {
  std::lock_guard lock(mu_);
  if (human_fd_ >= 0) {
    if (!heading_written_) write_line(human_fd_, interval_heading(with_direction_), false);
    heading_written_ = true;
    write_line(human_fd_, interval_line(side, direction, figures, with_direction_), false);
  }
  if (json_fd_ >= 0) write_line(json_fd_, interval_event(side, direction, figures).dump(), true);
}

void LiveOutput::result(const RunResult& result) {
  std::lock_guard lock(mu_);
  if (json_fd_ >= 0) write_line(json_fd_, result_event(result).dump(), true);
}

std::string LiveOutput::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

}  // namespace copybench
