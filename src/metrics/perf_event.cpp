#include "metrics/perf_event.h"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <fstream>

#include "core/error.h"
#include "metrics/perf_counters.h"

namespace copybench {

int open_perf_event(const perf_event_attr& attr, pid_t pid, int cpu, int group_fd) {
  const long fd = ::syscall(SYS_perf_event_open, &attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -1 : static_cast<int>(fd);
}

PerfFds& PerfFds::operator=(PerfFds&& other) noexcept {
  if (this != &other) {
    close_all();
    fds_ = std::move(other.fds_);
    other.fds_.clear();
  }
  return *this;
}

void PerfFds::close_all() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

int PerfFds::ioctl_all(unsigned long request) const {
  int first_err = 0;
  for (int fd : fds_)
    if (::ioctl(fd, request, 0) != 0 && first_err == 0) first_err = errno;
  return first_err;
}

std::optional<uint64_t> PerfFds::read_sum(int* err) const {
  uint64_t sum = 0;
  for (int fd : fds_) {
    uint64_t value = 0;
    if (::read(fd, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) {
      *err = errno ? errno : EIO;
      return std::nullopt;
    }
    sum += value;
  }
  return sum;
}

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  size_t i = 0;
  auto number = [&] {
    size_t start = i;
    int v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 6) v = v * 10 + (text[i++] - '0');
    if (i == start) throw Error(fmt::format("malformed CPU list '{}'", text));
    return v;
  };
  while (i < text.size() && text[i] != '\n') {
    int first = number(), last = first;
    if (i < text.size() && text[i] == '-') {
      ++i;
      last = number();
    }
    if (last < first) throw Error(fmt::format("malformed CPU list '{}'", text));
    for (int c = first; c <= last; ++c) cpus.push_back(c);
    if (i < text.size() && text[i] == ',') ++i;
    else if (i < text.size() && text[i] != '\n') throw Error(fmt::format("malformed CPU list '{}'", text));
  }
  return cpus;
}

std::optional<std::vector<int>> online_cpus(std::string* why) {
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string line;
  if (!std::getline(in, line)) {
    *why = "cannot read /sys/devices/system/cpu/online";
    return std::nullopt;
  }
  try {
    return parse_cpu_list(line);
  } catch (const Error& e) {
    *why = e.what();
    return std::nullopt;
  }
}

std::string system_wide_refusal(int err) {
  if (err != EACCES && err != EPERM) return "cannot open: " + errno_text(err);
  const std::optional<int> paranoid = perf_event_paranoid();
  return fmt::format(
      "not permitted: counting the whole machine needs CAP_PERFMON or root "
      "(/proc/sys/kernel/perf_event_paranoid is {}): {}",
      paranoid ? std::to_string(*paranoid) : std::string("unreadable"), errno_text(err));
}

}  // namespace copybench
