// The shared secret (--secret-file) against the real binary: who it admits, what it never
// shows, and why a MAC is good only once (each CHALLENGE's nonce is fresh). docs/RELIABILITY.md
// names what each proves.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/clock.h"
#include "e2e_util.h"
#include "raw_peer.h"
#include "wire/auth.h"

using namespace copybench;
using namespace copybench::test;

namespace {

constexpr int64_t kMs = 1'000'000;

}  // namespace

// --secret-file. Without it, with the wrong one, or against a server that does not ask:
// one line each. The secret is in no argv, no JSON and no log line.
TEST(Hardened, TheSharedSecretAdmitsOnlyItsHolders) {
  TempDir dir;
  const std::string secret = "s3cr3t-d0-not-print-" + std::to_string(::getpid());
  auto good = write_secret(dir, "good", secret), bad = write_secret(dir, "bad", "another-secret");
  auto log_path = dir.file("server.log");
  Fd log_fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  HandServer server(
      {"--secret-file", good}, [] {}, log_fd.get());
  const std::string to = normal_client(server.port);

  auto none = run_copybench(to);
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("requires a shared secret"), std::string::npos) << none.output;
  EXPECT_EQ(std::count(none.output.begin(), none.output.end(), '\n'), 1) << none.output;

  auto wrong = run_copybench(to + " --secret-file " + bad);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("authentication failed"), std::string::npos) << wrong.output;
  EXPECT_EQ(std::count(wrong.output.begin(), wrong.output.end(), '\n'), 1) << wrong.output;

  auto right = run_copybench(to + " --secret-file " + good + " --json " + dir.file("r.json"));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("0 corrupt"), std::string::npos) << right.output;

  // A raw control header answered with a wrong AUTH, and one answered with nothing.
  TestParams p;
  auto fd = raw_connect(server.port);
  auto header = header_bytes(header_for(p, ConnectionKind::control, 0, 0));
  send_all(fd.get(), header.data(), header.size(), now_ns() + 2000 * kMs, "send");
  auto challenge = answer(fd.get());
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->type, FrameType::challenge);
  EXPECT_EQ(challenge->payload.size(), 32u);
  write_frame(fd.get(), FrameType::auth, std::string(32, 'x'), now_ns() + 2000 * kMs);
  auto refused = answer(fd.get());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, FrameType::reject);

  ServerProcess open_server;  // no secret: a client that holds one refuses it
  auto unasked = run_copybench("client --host 127.0.0.1 --port " + std::to_string(open_server.port) +
                               " --size 4K --warmup 0 --duration 200ms --secret-file " + good);
  EXPECT_EQ(unasked.exit_code, 1) << unasked.output;
  EXPECT_NE(unasked.output.find("did not ask for the shared secret"), std::string::npos) << unasked.output;

  std::ifstream cmdline("/proc/" + std::to_string(server.pid()) + "/cmdline");
  std::string argv((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  EXPECT_EQ(argv.find(secret), std::string::npos);
  EXPECT_EQ(read_text(dir.file("r.json")).find(secret), std::string::npos);
  for (const auto* out : {&none.output, &wrong.output, &right.output, &unasked.output})
    EXPECT_EQ(out->find(secret), std::string::npos) << *out;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_for(5000), 0);
  auto log = read_text(log_path);
  EXPECT_NE(log.find("authentication failed"), std::string::npos) << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;

  auto empty = write_secret(dir, "empty", "");
  auto no_secret = run_copybench("server --port 0 --bind 127.0.0.1 --secret-file " + empty);
  EXPECT_EQ(no_secret.exit_code, 1) << no_secret.output;
  EXPECT_NE(no_secret.output.find("is empty"), std::string::npos) << no_secret.output;
}

// The nonce is what makes a MAC good once: each CHALLENGE is fresh, so an AUTH that a peer on the
// path read off one connection is refused on the next, for the same header and secret.
TEST(Hardened, EachChallengeIsFreshAndAReplayedAuthIsRefused) {
  TempDir dir;
  const std::string secret = "replay-test-secret";
  ServerProcess server({"--secret-file", write_secret(dir, "secret", secret)});
  const auto header = encode_header(header_for(TestParams{}, ConnectionKind::control, 0, 0));
  auto challenge_on = [&](Fd& fd) {
    fd = raw_connect(server.port);
    send_all(fd.get(), header.data(), header.size(), now_ns() + 2000 * kMs, "send");
    auto challenge = answer(fd.get());
    EXPECT_TRUE(challenge && challenge->type == FrameType::challenge);
    return challenge ? parse_challenge(challenge->payload) : Nonce{};
  };
  auto auth_answer = [&](Fd& fd, const Mac& mac) {
    write_frame(fd.get(), FrameType::auth, std::string(mac.begin(), mac.end()), now_ns() + 2000 * kMs);
    auto frame = answer(fd.get());
    return frame ? frame->type : FrameType::stop;
  };
  Fd first, second, third;
  const Nonce n1 = challenge_on(first);
  const Mac good = Secret::from_bytes(secret).mac(n1, header);
  EXPECT_EQ(auth_answer(first, good), FrameType::accept) << "the MAC for this connection's nonce is good";
  first.reset();  // the test ends with its control connection
  const Nonce n2 = challenge_on(second);
  EXPECT_NE(n1, n2) << "a CHALLENGE repeated its nonce";
  EXPECT_EQ(auth_answer(second, good), FrameType::reject) << "a replayed AUTH was accepted";
  const Nonce n3 = challenge_on(third);
  EXPECT_NE(n3, n1);
  EXPECT_NE(n3, n2);
  EXPECT_EQ(auth_answer(third, Secret::from_bytes(secret).mac(n3, header)), FrameType::accept);
}
