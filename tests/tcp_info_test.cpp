// TCP's view of a connection: TCP_INFO decoded by the length the kernel returned, samples turned
// into a connection's and a side's figures, intervals, and what limited_by makes of them.
#include <gtest/gtest.h>

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstddef>

#include "core/clock.h"
#include "metrics/tcp_info.h"
#include "net/socket.h"
#include "results/limits.h"
#include "results/tcp_figures.h"
#include "session/tcp_watch.h"

using namespace copybench;

namespace {

// A connected loopback pair (listener, client, accepted).
struct Pair {
  Fd listener, client, server;
  Pair() {
    listener.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener.get(), 1), 0);
    EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
    client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    server.reset(::accept(listener.get(), nullptr, nullptr));
  }
};

TcpSample at(int64_t t_ns) {
  TcpSample s;
  s.t_ns = t_ns;
  return s;
}

}  // namespace

TEST(TcpInfo, ALiveSocketHasEveryFieldThisKernelKnows) {
  Pair p;
  std::string bytes(100'000, 'x');
  ASSERT_GT(::send(p.client.get(), bytes.data(), bytes.size(), 0), 0);
  auto s = sample_tcp(p.client.get());
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_GT(s.info_bytes, 0u);
  ASSERT_TRUE(s.rtt_us);
  ASSERT_TRUE(s.snd_cwnd);
  EXPECT_GT(*s.snd_cwnd, 0u);
  ASSERT_TRUE(s.total_retrans);
  // This machine's kernel (6.x) has all of them, SO_MEMINFO included.
  EXPECT_TRUE(s.missing.empty()) << s.missing;
  EXPECT_TRUE(s.busy_us && s.sndbuf_limited_us && s.rwnd_limited_us && s.delivery_rate_Bps && s.min_rtt_us);
  EXPECT_TRUE(s.meminfo_error.empty()) << s.meminfo_error;
  EXPECT_TRUE(s.send_queue_bytes && s.optmem_bytes);
  auto received = sample_tcp(p.server.get());
  ASSERT_TRUE(received.recv_queue_bytes);
}

TEST(TcpInfo, FieldsPastTheLengthTheKernelFilledAreNullWithTheKernelThatHasThem) {
  Pair p;
  tcp_info info{};
  socklen_t len = sizeof info;
  ASSERT_EQ(::getsockopt(p.client.get(), IPPROTO_TCP, TCP_INFO, &info, &len), 0);
  // A Linux 4.4 kernel's tcp_info ends after tcpi_max_pacing_rate.
  const size_t old_len = offsetof(tcp_info, tcpi_max_pacing_rate) + sizeof info.tcpi_max_pacing_rate;
  TcpSample s;
  decode_tcp_info(&info, old_len, s);
  EXPECT_TRUE(s.rtt_us && s.snd_cwnd && s.total_retrans && s.pacing_rate_Bps);
  EXPECT_FALSE(s.busy_us);
  EXPECT_FALSE(s.min_rtt_us);
  EXPECT_FALSE(s.delivery_rate_Bps);
  EXPECT_NE(s.missing.find("tcpi_busy_time"), std::string::npos) << s.missing;
  EXPECT_NE(s.missing.find("Linux 4.10"), std::string::npos) << s.missing;
  EXPECT_NE(s.missing.find(std::to_string(old_len) + " bytes"), std::string::npos) << s.missing;
  // ... and the figures say why they are null.
  TcpSample first = s;
  first.t_ns = 0;
  s.t_ns = 1'000'000'000;
  auto t = tcp_figures(first, s);
  EXPECT_FALSE(t.busy_pct);
  EXPECT_FALSE(t.sndbuf_limited_pct);
  EXPECT_TRUE(t.rtt_us);
  EXPECT_NE(t.reason.find("tcpi_min_rtt (Linux 4.6)"), std::string::npos) << t.reason;
}

TEST(TcpInfo, AClosedSocketIsAnErrorNotZeros) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::close(fd);
  auto s = sample_tcp(fd);
  EXPECT_NE(s.error.find("TCP_INFO"), std::string::npos);
  EXPECT_FALSE(s.rtt_us);
  auto t = tcp_figures(s, s);
  EXPECT_FALSE(t.retransmits);
  EXPECT_NE(t.reason.find("at the window's start"), std::string::npos) << t.reason;
}

TEST(TcpInfo, ChronoClocksBecomeSharesOfTheWindowAndRetransmitsADifference) {
  TcpSample a = at(0), b = at(2'000'000'000);  // a 2 s window
  a.total_retrans = 5, b.total_retrans = 12;
  a.busy_us = 1'000'000, b.busy_us = 3'000'000;                         // busy the whole window
  a.sndbuf_limited_us = 0, b.sndbuf_limited_us = 1'420'000;             // 71%
  a.rwnd_limited_us = 10, b.rwnd_limited_us = 60'010;                   // 3%
  b.rtt_us = 40, b.snd_cwnd = 10, b.delivery_rate_Bps = 1'250'000'000;  // 10 Gbit/s
  b.pacing_rate_Bps = ~uint64_t{0};
  a.optmem_bytes = 0, b.optmem_bytes = 4096;
  auto t = tcp_figures(a, b);
  EXPECT_EQ(t.retransmits, 7u);
  EXPECT_DOUBLE_EQ(*t.busy_pct, 100);
  EXPECT_NEAR(*t.sndbuf_limited_pct, 71, 1e-9);
  EXPECT_NEAR(*t.rwnd_limited_pct, 3, 1e-9);
  EXPECT_DOUBLE_EQ(*t.delivery_rate_gbps, 10);
  EXPECT_FALSE(t.pacing_rate_gbps);
  EXPECT_NE(t.reason.find("not paced"), std::string::npos) << t.reason;
  EXPECT_EQ(t.optmem_end_bytes, 4096u);
  // A side: sums and means over its connections.
  StreamFigures one, two;
  one.tcp_info = t;
  two.tcp_info = t;
  two.tcp_info->retransmits = 1;
  two.tcp_info->sndbuf_limited_pct = 29;
  auto side = side_tcp_figures({one, two});
  ASSERT_TRUE(side);
  EXPECT_EQ(side->retransmits, 8u);
  EXPECT_DOUBLE_EQ(*side->sndbuf_limited_pct, 50);
  EXPECT_DOUBLE_EQ(*side->delivery_rate_gbps, 20);
  EXPECT_FALSE(side_tcp_figures({StreamFigures{}}));
}

TEST(TcpInfo, IntervalsSumToTheWindowAndTheirSpreadIsTheCoefficientOfVariation) {
  Snapshot s0{0, {0, 0}, {0, 0}}, s1{500'000'000, {1000, 3000}, {1, 3}}, s2{1'000'000'000, {3000, 5000}, {3, 5}};
  std::vector<TcpSample> t0(2, at(0)), t1(2, at(500'000'000));
  t0[0].total_retrans = 1, t1[0].total_retrans = 4;
  t1[0].snd_cwnd = 10, t1[1].snd_cwnd = 20;
  auto v = interval_figures(s0, s1, t0, t1, 0);
  EXPECT_DOUBLE_EQ(v.start_s, 0);
  EXPECT_DOUBLE_EQ(v.end_s, 0.5);
  EXPECT_EQ(v.bytes, 4000u);
  EXPECT_DOUBLE_EQ(*v.throughput_gbps, 4000 * 8 / 5e8);
  EXPECT_EQ(v.retransmits, 3u) << "only the connection that knows both ends counts";
  EXPECT_DOUBLE_EQ(*v.snd_cwnd, 15);
  auto w = interval_figures(s1, s2, {}, {}, 0);
  EXPECT_EQ(v.bytes + w.bytes, 8000u);
  EXPECT_FALSE(w.snd_cwnd) << "no socket read: no TCP figures";
  // Steady intervals: CV 0; a stub at the end is left out.
  std::vector<IntervalFigures> steady(4);
  for (int i = 0; i < 4; ++i) steady[i] = {i * 0.5, (i + 1) * 0.5, 100, 1, 10.0, {}, {}, {}};
  EXPECT_DOUBLE_EQ(*interval_cv_pct(steady), 0);
  steady.push_back({2.0, 2.05, 1, 1, 0.1, {}, {}, {}});
  EXPECT_DOUBLE_EQ(*interval_cv_pct(steady), 0);
  steady[1].throughput_gbps = 20;  // 10, 20, 10, 10: mean 12.5, s = 5
  EXPECT_NEAR(*interval_cv_pct(steady), 40, 1e-9);
  EXPECT_FALSE(interval_cv_pct({steady[0]}));
}

TEST(TcpInfo, LimitedByNamesTheSendersSendBufferOrTheReceiversWindowWhenNoCpuWasSaturated) {
  auto side = [](Side which, double thread_pct) {
    SideFigures s;
    s.side = which;
    s.host = "h";
    s.cpu = CpuFigures{};
    s.cpu->thread_on_cpu_pct = {thread_pct};
    s.cpu->system_idle_pct = 40;
    return s;
  };
  RunResult r;
  r.sender = side(Side::sender, 60);
  r.receiver = side(Side::receiver, 50);
  r.sender->tcp_info = TcpFigures{};
  r.sender->tcp_info->busy_pct = 100;
  r.sender->tcp_info->sndbuf_limited_pct = 71;
  r.sender->tcp_info->rwnd_limited_pct = 3;
  decide_limit(r);
  ASSERT_TRUE(r.limited_by);
  EXPECT_EQ(r.limited_by->verdict, Limit::sender_sndbuf);
  EXPECT_NE(r.limited_by->why.find("sender limited by its send buffer 71% of the window"), std::string::npos)
      << r.limited_by->why;
  EXPECT_DOUBLE_EQ(*r.limited_by->sender_sndbuf_limited_pct, 71);
  r.sender->tcp_info->sndbuf_limited_pct = 2;
  r.sender->tcp_info->rwnd_limited_pct = 88;
  decide_limit(r);
  EXPECT_EQ(r.limited_by->verdict, Limit::receiver_window);
  EXPECT_NE(r.limited_by->why.find("receiver's window 88%"), std::string::npos) << r.limited_by->why;
  // A saturated CPU decides first; the TCP shares are quoted beside it.
  r.receiver = side(Side::receiver, 99);
  decide_limit(r);
  EXPECT_EQ(r.limited_by->verdict, Limit::receiver_cpu);
  EXPECT_NE(r.limited_by->why.find("receiver window limited 88%"), std::string::npos) << r.limited_by->why;
  // In rr both ends send and wait by turns: no TCP verdict.
  r.params.mode = TestMode::rr;
  r.receiver = side(Side::receiver, 50);
  decide_limit(r);
  EXPECT_EQ(r.limited_by->verdict, Limit::neither);
  EXPECT_FALSE(r.limited_by->sender_rwnd_limited_pct);
}
