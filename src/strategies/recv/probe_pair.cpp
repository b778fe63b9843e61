#include "strategies/recv/probe_pair.h"

#include <exception>

namespace copybench {

std::optional<std::pair<Fd, Fd>> loopback_pair() {
  try {
    auto listener = listen_tcp("127.0.0.1", 0);
    Fd sender = connect_tcp("127.0.0.1", listener.port, 2000);
    Fd receiver = accept_within(listener.fd.get(), 2000);
    if (!receiver) return std::nullopt;
    set_io_timeouts(receiver.get(), 2000, 2000);
    return std::make_pair(std::move(sender), std::move(receiver));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace copybench
