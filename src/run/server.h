#pragma once
// The resident server: accepts connections, one thread per connection, as in the study. A
// control connection creates a test; its data connections join it by test id and send.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/socket.h"

namespace copybench {

class TestSession;

struct ServerOptions {
  std::string bind;  // empty: all addresses
  uint16_t port = 7470;
  bool once = false;  // serve one test, then return
  bool quiet = false;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  uint16_t port() const { return listener_.port; }
  const std::string& address() const { return listener_.address; }

  /// Serves until `stop` becomes true (or, with once, one test has ended). Joins every
  /// connection thread before returning.
  void serve(const std::atomic<bool>& stop);

 private:
  void handle(Fd fd, std::string peer);
  void handle_control(Fd fd, const std::string& peer, const struct Header& header);
  void handle_data(Fd fd, const std::string& peer, const struct Header& header);
  void log(const std::string& line) const;
  void reap_finished();

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  ServerOptions options_;
  Listener listener_;
  std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<TestSession>> sessions_;
  std::vector<Worker> workers_;
  std::atomic<bool> once_done_{false};
};

}  // namespace copybench
