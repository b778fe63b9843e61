#include "machine/environment.h"

#include <sys/utsname.h>
#include <unistd.h>
#include <ctime>
#include <fstream>
#include <thread>

#include "core/version.h"
#include "metrics/perf_counters.h"
#include "net/socket.h"

namespace copybench {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

std::optional<long> read_optmem_max() {
  std::ifstream in("/proc/sys/net/core/optmem_max");
  long value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

Environment collect_environment(int connected_fd) {
  Environment env;
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  env.hostname = host;
  utsname u{};
  if (::uname(&u) == 0) env.kernel = std::string(u.sysname) + " " + u.release;
  env.cpu_model = cpu_model();
  env.cores = static_cast<int>(std::thread::hardware_concurrency());
  if (connected_fd >= 0) {
    int mtu = path_mtu(connected_fd);
    if (mtu > 0) env.path_mtu = mtu;
  }
  env.optmem_max = read_optmem_max();
  env.perf_event_paranoid = perf_event_paranoid();
  env.copybench_version = kVersion;
  return env;
}

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace copybench
