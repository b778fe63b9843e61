#pragma once
// Helpers for end-to-end tests: run the real copybench binary, start a real server.
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "net/socket.h"
#include "run/subprocess.h"

namespace copybench::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

/// Runs `copybench <args>` under a hard time limit; stdin is /dev/null; stderr joins stdout
/// unless args redirect it.
CommandResult run_copybench(const std::string& args, int timeout_s = 120);

/// A temporary directory removed at the end of the test.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
  std::string file(const std::string& name) const { return path + "/" + name; }
};

nlohmann::json read_json(const std::string& path);
std::string read_text(const std::string& path);

/// A resident `copybench server` on 127.0.0.1 at a free port.
struct ServerProcess {
  ServerProcess();
  std::unique_ptr<Child> child;
  uint16_t port = 0;
};

/// Raw TCP connection to the server for hostile-input tests.
Fd raw_connect(uint16_t port);

}  // namespace copybench::test
