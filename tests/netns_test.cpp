// Real network namespaces and a real veth pair; skips with the reason without root or iproute2.
#include <gtest/gtest.h>

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "core/error.h"
#include "net/netns.h"
#include "net/socket.h"
#include "sweep/subprocess.h"

using namespace copybench;

namespace {

bool listed_by_ip(const std::string& name) {
  std::istringstream lines(run_ip({"netns", "list"}, "listing namespaces"));  // "NAME (id: N)"
  for (std::string line; std::getline(lines, line);)
    if (line.substr(0, line.find(' ')) == name) return true;
  return false;
}

std::string link_show(const std::string& ns, const std::string& dev) {
  return run_ip({"-n", ns, "-o", "link", "show", "dev", dev}, "ip link show");
}

std::optional<long> optmem_here() {
  std::ifstream in("/proc/sys/net/core/optmem_max");
  long v = 0;
  return in >> v ? std::optional<long>(v) : std::nullopt;
}

// copybench namespaces that are this process's or a dead process's: what a test left behind.
// A live other process's (a test binary running beside us) are not ours to judge.
std::vector<std::string> leftovers() {
  std::vector<std::string> names;
  for (const auto& name : list_copybench_namespaces()) {
    pid_t pid = std::stoi(name.substr(std::string("copybench-").size()));
    if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) names.push_back(name);
  }
  return names;
}

// The message of the Error that f throws; "" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

struct TempFile {
  std::string path;
  explicit TempFile(std::string pattern = "/tmp/copybench-netns-XXXXXX") : path(std::move(pattern)) {
    ::close(::mkstemp(path.data()));
  }
  ~TempFile() { ::unlink(path.c_str()); }
  std::string text() const {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

// A namespace made by hand, for names cleanup must not touch.
struct ManualNamespace {
  std::string name;
  explicit ManualNamespace(std::string n) : name(std::move(n)) { run_ip({"netns", "add", name}, "test setup"); }
  ~ManualNamespace() {
    EXPECT_EQ(error_of([&] { run_ip({"netns", "delete", name}, "test cleanup"); }), "");
  }
};

// Runs body(write end of a pipe) in a forked child; returns what it wrote and its wait status.
template <class Body>
std::pair<std::string, int> in_forked_child(Body body) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    body(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {text, status};
}

void write_text(int fd, const std::string& text) { (void)!::write(fd, text.data(), text.size()); }

class Netns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ip_command()) GTEST_SKIP() << "iproute2's `ip` is not installed";
    if (!has_netns_privileges()) GTEST_SKIP() << "needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) for namespaces";
  }
  void TearDown() override {
    auto left = leftovers();
    EXPECT_TRUE(left.empty()) << "namespaces left behind, e.g. " << (left.empty() ? "" : left[0]);
    for (const auto& name : left) run_ip({"netns", "delete", name}, "test cleanup");
  }
};

TEST_F(Netns, PairIsTwoListedNamespacesJoinedByAVethThatCarriesTcp) {
  auto pair = NetnsPair::create();
  auto prefix = "copybench-" + std::to_string(::getpid()) + "-";
  EXPECT_EQ(pair->server_ns().rfind(prefix, 0), 0u) << pair->server_ns();
  EXPECT_TRUE(pair->server_ns().ends_with("-srv") && pair->client_ns().ends_with("-cli"));
  EXPECT_TRUE(listed_by_ip(pair->server_ns()));
  EXPECT_TRUE(listed_by_ip(pair->client_ns()));
  EXPECT_EQ(pair->server_address(), "10.77.0.1");
  EXPECT_EQ(pair->client_address(), "10.77.0.2");

  Listener listener;
  run_in_netns(pair->server_ns(), [&] { listener = listen_tcp(pair->server_address(), 0); });
  Fd client;
  run_in_netns(pair->client_ns(), [&] { client = connect_tcp(pair->server_address(), listener.port, 2000); });
  std::string peer;
  Fd server = accept_within(listener.fd.get(), 2000, &peer);
  ASSERT_TRUE(server);
  EXPECT_NE(peer.find("10.77.0.2"), std::string::npos) << peer;
  EXPECT_EQ(path_mtu(client.get()), 1500);
  char byte = 'x';
  send_all(client.get(), &byte, 1, now_ns() + 2'000'000'000, "test send");
  char got = 0;
  EXPECT_TRUE(recv_exact(server.get(), &got, 1, now_ns() + 2'000'000'000, "test recv"));
  EXPECT_EQ(got, 'x');
  // lo is up in both, and the root namespace has no way in.
  run_in_netns(pair->client_ns(), [] { EXPECT_NO_THROW(listen_tcp("127.0.0.1", 0)); });
  EXPECT_THROW(connect_tcp(pair->server_address(), listener.port, 300), Error);
}

TEST_F(Netns, RequestedMtuIsOnBothEnds) {
  for (int mtu : {kMinVethMtu, 9000, kMaxVethMtu}) {
    auto pair = NetnsPair::create({.mtu = mtu});
    EXPECT_EQ(pair->mtu(), mtu);
    auto want = " mtu " + std::to_string(mtu) + " ";
    EXPECT_NE(link_show(pair->server_ns(), "veth-srv").find(want), std::string::npos) << want;
    EXPECT_NE(link_show(pair->client_ns(), "veth-cli").find(want), std::string::npos) << want;
    EXPECT_NE(link_show(pair->client_ns(), "veth-cli").find(",UP,"), std::string::npos);
  }
}

TEST_F(Netns, OptmemMaxIsSetInsideBothNamespacesAndNowhereElse) {
  auto root_before = optmem_here();
  auto pair = NetnsPair::create({.optmem_max = 12345});
  EXPECT_EQ(pair->server_optmem_max(), 12345);
  EXPECT_EQ(pair->client_optmem_max(), 12345);
  for (const auto& ns : {pair->server_ns(), pair->client_ns()})
    run_in_netns(ns, [] { EXPECT_EQ(optmem_here(), 12345); });
  EXPECT_EQ(optmem_here(), root_before);

  auto plain = NetnsPair::create();
  ASSERT_TRUE(plain->server_optmem_max().has_value()) << "the kernel default is reported";
  EXPECT_GT(*plain->server_optmem_max(), 0);
  EXPECT_EQ(plain->server_optmem_max(), plain->client_optmem_max());
}

TEST_F(Netns, DestructionRemovesBothNamespacesAlsoWhenTheBodyThrows) {
  auto pair = NetnsPair::create();
  std::string srv = pair->server_ns(), cli = pair->client_ns();
  pair.reset();
  EXPECT_FALSE(listed_by_ip(srv));
  EXPECT_FALSE(listed_by_ip(cli));

  EXPECT_THROW(
      {
        auto scoped = NetnsPair::create();
        srv = scoped->server_ns();
        cli = scoped->client_ns();
        throw std::runtime_error("test body fails");
      },
      std::runtime_error);
  EXPECT_FALSE(listed_by_ip(srv));
  EXPECT_FALSE(listed_by_ip(cli));
}

TEST_F(Netns, ChildStartedWithANamespaceRunsInIt) {
  auto pair = NetnsPair::create();
  TempFile out;
  Child child({"/bin/sh", "-c", *ip_command() + " -o addr show > " + out.path}, -1, pair->server_ns());
  ASSERT_EQ(child.wait_for(10'000), 0);
  EXPECT_NE(out.text().find("inet 10.77.0.1/30"), std::string::npos) << out.text();
  EXPECT_EQ(out.text().find("10.77.0.2"), std::string::npos) << out.text();
  auto missing = error_of([] { Child c({"/bin/true"}, -1, "copybench-no-such-namespace"); });
  EXPECT_NE(missing.find("/run/netns/copybench-no-such-namespace: No such file"), std::string::npos) << missing;
  // Opens, but is no namespace: setns fails in the child, which says why and exits 127.
  TempFile not_a_namespace("/run/netns/copybench-test-XXXXXX");
  Child fails({"/bin/true"}, -1, not_a_namespace.path.substr(std::string("/run/netns/").size()));
  EXPECT_EQ(fails.wait_for(10'000), 127);
}

TEST_F(Netns, RunInNetnsRethrowsAndNamesAMissingNamespace) {
  auto pair = NetnsPair::create();
  EXPECT_THROW(run_in_netns(pair->server_ns(), [] { throw Error("from the body"); }), Error);
  EXPECT_THROW(run_in_netns("copybench-no-such-namespace", [] {}), Error);
}

TEST_F(Netns, StaleCleanupRemovesExactlyADeadProcesssNamespaces) {
  cleanup_stale_namespaces();  // earlier crashed runs, so that the check below is exact
  auto mine = NetnsPair::create();
  ManualNamespace odd_name("copybench-not-a-pair"), live_owner("copybench-1-0-srv");  // pid 1 lives
  auto [names, status] = in_forked_child([](int out) {
    auto pair = NetnsPair::create();
    write_text(out, pair->server_ns() + "\n" + pair->client_ns() + "\n");
    ::raise(SIGKILL);  // no destructors, as after `kill -9`
  });
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << names;
  std::istringstream lines(names);
  std::vector<std::string> dead;
  for (std::string line; std::getline(lines, line);) dead.push_back(line);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_TRUE(listed_by_ip(dead[0]) && listed_by_ip(dead[1]));
  EXPECT_EQ(cleanup_stale_namespaces(), (std::vector<std::string>{dead[1], dead[0]}));  // sorted: -cli, -srv
  EXPECT_FALSE(listed_by_ip(dead[0]) || listed_by_ip(dead[1]));
  for (const auto& name : {mine->server_ns(), mine->client_ns(), odd_name.name, live_owner.name})
    EXPECT_TRUE(listed_by_ip(name)) << name;
}

TEST_F(Netns, BadOptionsOrAFailedStepLeaveNothingBehind) {
  for (int mtu : {10, kMinVethMtu - 1, kMaxVethMtu + 1, 70000}) {
    auto message = error_of([&] { NetnsPair::create({.mtu = mtu}); });
    EXPECT_NE(message.find("MTU " + std::to_string(mtu) + " is out of range"), std::string::npos) << message;
  }
  // The kernel rejects a negative optmem_max after both namespaces and the veth exist.
  auto message = error_of([] { NetnsPair::create({.optmem_max = -1}); });
  EXPECT_NE(message.find("optmem_max=-1 in copybench-"), std::string::npos) << message;
  EXPECT_NE(message.find(": Invalid argument"), std::string::npos) << message;
  EXPECT_TRUE(leftovers().empty());
}

// Runs as any user: root drops to nobody in a child first.
TEST(NetnsUnprivileged, TheErrorSaysSoAndSuggestsLoopback) {
  if (!ip_command()) GTEST_SKIP() << "iproute2's `ip` is not installed";
  auto [message, status] = in_forked_child([](int out) {
    bool drop = ::geteuid() == 0;
    if (drop && (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
                 ::setresuid(65534, 65534, 65534) != 0))
      return write_text(out, "could not drop privileges");
    auto text = error_of([] { NetnsPair::create(); });
    write_text(out, text.empty() ? "created without privileges" : text);
  });
  EXPECT_EQ(status, 0);
  EXPECT_NE(message.find("needs root"), std::string::npos) << message;
  EXPECT_NE(message.find("--topology loopback"), std::string::npos) << message;
}

TEST_F(Netns, CreateAndDestroyTime) {
  constexpr int kRounds = 5;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) NetnsPair::create({.mtu = 9000, .optmem_max = 1 << 20});
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / kRounds;
  std::printf("create+destroy of a NetnsPair: %.1f ms on average over %d rounds\n", ms, kRounds);
  RecordProperty("create_destroy_ms", std::to_string(ms));
}

}  // namespace
