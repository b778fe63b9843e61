#pragma once
// `copybench run`: starts a server process (loopback, --once, a free port) and a client
// process of this same binary, forwards the user's test and output options to the client,
// and supervises both with bounded waits.
#include <atomic>
#include <string>
#include <vector>

#include "params/params.h"
#include "sweep/topology.h"

namespace copybench {

/// Returns the client's exit code. `client_args` are the user's arguments for the test and
/// its outputs, passed to `copybench client` unchanged.
int run_local(const TestParams& params, const std::vector<std::string>& client_args, const std::atomic<int>& signal);

/// The same, placed: the server process (unless remote) and the client process each in its
/// namespace. `signal` counts the SIGINT/SIGTERM/SIGHUP this process has seen: the first is
/// forwarded to the client (which ends early and still writes its figures), a second stops both.
int run_pair(const Placement& where, const TestParams& params, const std::vector<std::string>& client_args,
             const std::atomic<int>& signal);

}  // namespace copybench
