#include "core/error.h"

#include <cstring>

namespace copybench {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  return ::strerror_r(err, buf, sizeof buf);
}

void throw_sys(const std::string& what, int err) { throw Error(what + ": " + errno_text(err)); }

}  // namespace copybench
