#pragma once
// A connected TCP pair over loopback, for the receive strategies' availability probes: each
// tries its kernel feature for real on a socket, as liburing's tests do, and says why not.
#include <optional>
#include <utility>

#include "net/socket.h"

namespace copybench {

/// {sender, receiver} on 127.0.0.1, or nullopt when loopback cannot be used here (then a probe
/// cannot tell, and says nothing: the run itself will).
std::optional<std::pair<Fd, Fd>> loopback_pair();

}  // namespace copybench
