#pragma once
// Errors carry what was being done to the edge (main), where they become one line.
#include <stdexcept>
#include <string>

namespace copybench {

/// A failure with a human-readable message naming what was being done.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input from the user (exit code 2 at the edge).
class UsageError : public Error {
 public:
  using Error::Error;
};

/// "<what>: <strerror(err)>" as an Error.
[[noreturn]] void throw_sys(const std::string& what, int err);

/// strerror that is safe to call from many threads.
std::string errno_text(int err);

}  // namespace copybench
