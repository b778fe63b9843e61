// The command line people's fingers know: iperf's letters, the letters they replaced, the
// client's and server's address options, and the server's files for hosts without systemd.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

#include "e2e_util.h"

using namespace copybench;
using namespace copybench::test;

namespace {

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST(Letters, IperfLettersSetConnectionsWindowSizeAndJsonOnStdout) {
  TempDir dir;
  // -J: the JSON alone on stdout (the table goes to stderr), as iperf3 -J.
  auto r = run_copybench("run -P 2 -t 300ms -l 16K --warmup 0 -J 2>" + dir.file("table.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = parse_json(r.output);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["parameters"]["threads"], 2);
  EXPECT_EQ(j["parameters"]["message_bytes"], 16384);
  EXPECT_DOUBLE_EQ(j["parameters"]["duration_s"].get<double>(), 0.3);
  EXPECT_NE(read_text(dir.file("table.txt")).find("Gbit/s"), std::string::npos);
}

TEST(Letters, LongNamesOfTheNewLettersAndTheOldLongNamesAgree) {
  TempDir dir;
  auto a = run_json("run --parallel 2 --time 200ms --length 4K --warmup 0 --quiet", dir);
  EXPECT_EQ(a["parameters"]["threads"], 2);
  EXPECT_EQ(a["parameters"]["message_bytes"], 4096);
  EXPECT_DOUBLE_EQ(a["parameters"]["duration_s"].get<double>(), 0.2);
  auto b = run_json("run --threads 2 --duration 200ms --size 4K --warmup 0 --quiet", dir);
  EXPECT_EQ(b["parameters"], a["parameters"]);
}

TEST(Letters, TheRetiredDurationLetterIsRefusedNamingTheNewOne) {
  for (const char* command : {"run -d 5", "run -d", "client -d 2s", "sweep -d 1"}) {
    auto r = run_copybench(command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_EQ(lines(r.output), 1) << r.output;
    EXPECT_NE(r.output.find("-t/--time"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("-P/--parallel"), std::string::npos) << r.output;
  }
}

TEST(Letters, DashTBesideDurationIsReadAsTheOldThreadCountAndRefused) {
  auto r = run_copybench("run -t 4 --duration 5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(lines(r.output), 1) << r.output;
  EXPECT_NE(r.output.find("-t is now the window (iperf's -t); connections are -P/--parallel"), std::string::npos)
      << r.output;
}

TEST(Letters, JsonToStdoutAndToAFileAreOneChoice) {
  auto r = run_copybench("run -J --json x.json");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(lines(r.output), 1) << r.output;
}

TEST(Letters, ClientTakesTheHostAsIperfsDashC) {
  ServerProcess server{{"-B", "127.0.0.1"}};
  auto r = run_copybench("client -c 127.0.0.1 -p " + std::to_string(server.port) + " -l 4K -t 200ms --warmup 0 -P 2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(AddressFamily, DashFourServesOverIPv4AndDashSixRefusesAnIPv4OnlyName) {
  ServerProcess server{{"--bind", "127.0.0.1", "-4"}};
  auto port = std::to_string(server.port);
  auto r = run_copybench("client -4 -c localhost -p " + port + " -t 200ms --warmup 0");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run_copybench("client -6 -c 127.0.0.1 -p " + port + " -t 200ms --warmup 0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no IPv6 address"), std::string::npos) << r.output;
  EXPECT_EQ(run_copybench("client -4 -6").exit_code, 2);
}

TEST(AddressFamily, DashSixListensOnIPv6AloneWhereTheHostHasIt) {
  try {
    listen_tcp("::1", 0);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  ServerProcess server{{"--bind", "", "-6"}};  // all IPv6 addresses, and no IPv4 one
  auto port = std::to_string(server.port);
  EXPECT_EQ(run_copybench("client -c ::1 -p " + port + " -t 200ms --warmup 0").exit_code, 0);
  auto r = run_copybench("client -c 127.0.0.1 -p " + port + " -t 200ms --warmup 0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

TEST(ServerFiles, PidfileLivesAsLongAsTheServerAndTheLogfileGetsItsLog) {
  TempDir dir;
  const auto pidfile = dir.file("copybench.pid"), logfile = dir.file("copybench.log");
  {
    // Not --quiet: the listening line and each test's line are what the log is for.
    std::vector<std::string> argv{COPYBENCH_BIN, "server", "--port",    "0",     "-B",    "127.0.0.1",
                                  "--pidfile",   pidfile,  "--logfile", logfile, "--once"};
    Child server(argv);
    for (int i = 0; i < 100 && read_text(logfile).find("listening on") == std::string::npos; ++i) ::usleep(50'000);
    ASSERT_TRUE(exists(pidfile));
    EXPECT_EQ(std::stol(read_text(pidfile)), server.pid());
    auto log = read_text(logfile);
    ASSERT_NE(log.find("listening on 127.0.0.1:"), std::string::npos) << log;
    // A second server refuses the file a running one holds, with one line.
    auto r = run_copybench("server --port 0 -B 127.0.0.1 --pidfile " + pidfile);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("another process"), std::string::npos) << r.output;
    EXPECT_TRUE(exists(pidfile));
    server.signal(SIGTERM);
    auto code = server.wait_for(10'000);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
  }
  EXPECT_FALSE(exists(pidfile)) << "the pid file outlived its server";
  auto r = run_copybench("server --port 0 --pidfile /nonexistent-dir/copybench.pid");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--pidfile /nonexistent-dir/copybench.pid"), std::string::npos) << r.output;
}
