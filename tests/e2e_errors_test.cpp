// Bad input: one line naming the problem, a non-zero exit, no crash, no hang.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "e2e_util.h"

using namespace copybench;
using namespace copybench::test;

namespace {

void expect_one_line_error(const std::string& args, const std::string& needle, int code = 2) {
  auto r = run_copybench(args, 30);
  EXPECT_EQ(r.exit_code, code) << args << "\n" << r.output;
  EXPECT_NE(r.output.find(needle), std::string::npos) << args << "\n" << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

}  // namespace

TEST(Cli, BadInputGetsOneClearLine) {
  expect_one_line_error("run --strategy one-cpy", "did you mean 'one-copy'");
  expect_one_line_error("run --strategy carrier-pigeon", "unknown strategy 'carrier-pigeon'");
  expect_one_line_error("run --size 12Q", "invalid size '12Q'");
  expect_one_line_error("run --size 0", "out of range");
  expect_one_line_error("run --mode rr --response-size 17M", "out of range");
  expect_one_line_error("run --response-size 1K", "needs --mode rr");
  expect_one_line_error("run --mode pingpong", "unknown mode");
  expect_one_line_error("run --pin sideways", "unknown pin mode");
  expect_one_line_error("run --duration auto:1h25x", "duration");
  expect_one_line_error("run --size 17M", "out of range");
  expect_one_line_error("run --threads 0", "thread count 0 is out of range");
  expect_one_line_error("run --threads 100000", "out of range");
  expect_one_line_error("run --duration soon", "invalid duration 'soon'");
  expect_one_line_error("run --bogus", "bogus");
  expect_one_line_error("frobnicate", "frobnicate");
}

TEST(Cli, HelpAndVersion) {
  auto v = run_copybench("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.output.rfind("copybench ", 0), 0u) << v.output;
  auto h = run_copybench("run --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("--strategy"), std::string::npos);
  EXPECT_NE(h.output.find("zero-copy"), std::string::npos);
}

TEST(Cli, UnreachableServerBusyPortAndForeignAddress) {
  auto listener = listen_tcp("127.0.0.1", 0);  // a port that is certainly taken
  auto port = std::to_string(listener.port);
  expect_one_line_error("server --bind 127.0.0.1 --port " + port,
                        "bind to 127.0.0.1:" + port + ": Address already in use", 1);
  // TEST-NET-1 (RFC 5737): an address no host of ours has.
  expect_one_line_error("server --bind 192.0.2.1 --port 0", "bind to 192.0.2.1 port 0: Cannot assign requested address",
                        1);

  listener.fd.reset();  // now nothing listens there
  expect_one_line_error("client --host 127.0.0.1 --port " + port + " --duration 100ms",
                        "connect to 127.0.0.1:" + port + ": Connection refused", 1);
  // (No route to the server: NoRouteToTheServerIsOneClearLine, inside a namespace.)
}

TEST(Probe, ReportsWhatThisMachineSupports) {
  auto r = run_copybench("probe --json", 60);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = parse_json(r.output);
  for (const char* key : {"kernel", "msg_zerocopy", "io_uring", "io_uring_send_zc", "perf_cycles",
                          "perf_context_switches", "network_namespaces", "optmem_max", "memlock_limit"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["msg_zerocopy"]["ok"], true) << j["msg_zerocopy"];
  EXPECT_EQ(j["perf_task_clock"]["ok"], true);
}
