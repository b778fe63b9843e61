// The connection roles' table: which role each end's connections have, and what each role
// asks of its end (strategies, TCP_NODELAY, timing, buffers); what each strategy makes the
// server allocate (server_buffer_bytes, counted against --max-memory).
#include <gtest/gtest.h>

#include "session/roles/roles.h"
#include "session/server.h"
#include "strategies/recv/recv_strategy.h"
#include "strategies/strategy.h"

namespace copybench {
namespace {

TestParams params_of(TestMode mode, Direction direction) {
  TestParams p;
  p.mode = mode;
  p.direction = direction;
  return p;
}

TEST(Roles, EachEndOfEachTestHasItsRole) {
  struct Case {
    TestMode mode;
    Direction direction;
    Role client, server;
  };
  for (const auto& c : {Case{TestMode::stream, Direction::forward, Role::receiver, Role::sender},
                        Case{TestMode::stream, Direction::reverse, Role::sender, Role::receiver},
                        Case{TestMode::rr, Direction::forward, Role::requester, Role::responder}}) {
    const auto p = params_of(c.mode, c.direction);
    EXPECT_EQ(connection_role(p, End::client).role, c.client)
        << mode_name(c.mode) << " " << direction_name(c.direction);
    EXPECT_EQ(connection_role(p, End::server).role, c.server)
        << mode_name(c.mode) << " " << direction_name(c.direction);
  }
}

TEST(Roles, TheSideOfAnEndIsItsRolesSide) {
  EXPECT_EQ(side_of(End::server, Direction::forward), Side::sender);
  EXPECT_EQ(side_of(End::client, Direction::forward), Side::receiver);
  EXPECT_EQ(side_of(End::server, Direction::reverse), Side::receiver);
  EXPECT_EQ(side_of(End::client, Direction::reverse), Side::sender);
  for (Role role : {Role::sender, Role::receiver, Role::responder, Role::requester}) {
    EXPECT_EQ(role_info(role).role, role);
    EXPECT_EQ(
        role_of(role_info(role).side, role == Role::sender || role == Role::receiver ? TestMode::stream : TestMode::rr),
        role);
  }
}

TEST(Roles, WhatEachRoleAsksOfItsEnd) {
  TestParams p;
  p.latency = true;
  const auto& sender = role_info(Role::sender);
  const auto& receiver = role_info(Role::receiver);
  const auto& requester = role_info(Role::requester);
  const auto& responder = role_info(Role::responder);
  EXPECT_TRUE(sender.sends && !receiver.sends && requester.sends && responder.sends);
  EXPECT_EQ(sender.receive, RoleReceive::none);
  EXPECT_EQ(receiver.receive, RoleReceive::test_recv);
  EXPECT_EQ(requester.receive, RoleReceive::test_recv);
  EXPECT_EQ(responder.receive, RoleReceive::plain_recv);  // --recv is the client's, not on the wire
  EXPECT_TRUE(requester.nodelay && responder.nodelay && !sender.nodelay && !receiver.nodelay);
  EXPECT_TRUE(sender.timed(p) && requester.timed(p) && !receiver.timed(p) && !responder.timed(p));
  p.latency = false;
  EXPECT_FALSE(sender.timed(p));
  EXPECT_TRUE(requester.timed(p));  // rr always times its round trips
  p.mode = TestMode::rr;
  p.message_bytes = 100;
  p.response_bytes = 3000;
  EXPECT_EQ(requester.sent_message_bytes(p), 100u);
  EXPECT_EQ(responder.sent_message_bytes(p), 3000u);
  EXPECT_EQ(requester.receive_context(p, 1500).message_bytes, 3000u);
  EXPECT_EQ(responder.receive_context(p, 1500).message_bytes, 100u);
}

TEST(Roles, StrategiesAreMadeOnlyWhereTheRoleUsesThem) {
  TestParams p;
  EXPECT_EQ(make_recv_strategy(role_info(Role::sender), p, -1), nullptr);
  EXPECT_EQ(make_send_strategy(role_info(Role::receiver), p), nullptr);
  EXPECT_NE(make_send_strategy(role_info(Role::sender), p), nullptr);
  EXPECT_NE(make_recv_strategy(role_info(Role::receiver), p, -1), nullptr);
  EXPECT_NE(make_recv_strategy(role_info(Role::responder), p, -1), nullptr);
}

TEST(Roles, TheServersBuffersAreItsRolesStrategies) {
  TestParams p;  // forward: the server sends 64 KiB messages with one-copy
  p.threads = 3;
  EXPECT_EQ(server_buffer_bytes(p), 3 * strategy_info("one-copy").buffer_bytes(p.message_bytes));
  p.mode = TestMode::rr;  // responses with the strategy, requests into plain recv()'s one buffer
  p.message_bytes = 1000;
  p.response_bytes = 5000;
  EXPECT_EQ(server_buffer_bytes(p), 3 * (strategy_info("one-copy").buffer_bytes(5000) + 1000));
  p = TestParams{};
  p.direction = Direction::reverse;  // the client's named receive strategy
  p.recv_strategy = "scatter";
  p.threads = 2;
  EXPECT_EQ(server_buffer_bytes(p),
            2 * recv_strategy_info("scatter").footprint(stream_context(p.message_bytes, p.recv_size(), -1)));
}

TEST(ServerMemory, WhatEachStrategyMakesTheServerAllocate) {
  TestParams p;
  p.message_bytes = 4096;
  p.threads = 2;
  p.strategy = "one-copy";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 4096);
  p.strategy = "pack";  // the fields and the contiguous copy
  EXPECT_EQ(server_buffer_bytes(p), 2u * 8192);
  p.strategy = "zero-copy";  // a 4 MiB pool (16 MiB / 4 KiB would be 4096 buffers: at most 1024)
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 4096);
  // The pools in one mapping: the same 1024 messages, in whole pages; splice and uring-zc-fixed
  // place each field 16 bytes after the previous one (16-byte aligned): 8 x (512 + 16) bytes.
  p.strategy = "sendfile";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 4096);
  p.strategy = "splice";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 8 * (512 + 16));
  p.strategy = "uring-zc-fixed";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 1024 * 8 * (512 + 16));
  p.message_bytes = 3;  // 7 empty fields still take a byte each
  p.strategy = "two-copy";
  EXPECT_EQ(server_buffer_bytes(p), 2u * 10);
  p.mode = TestMode::rr;  // responses sent with the strategy, requests received into one buffer
  p.message_bytes = 1024;
  p.response_bytes = 100;
  EXPECT_EQ(server_buffer_bytes(p), 2u * (100 + 1024));
  EXPECT_GE(default_max_memory(), 1u << 20);
}

}  // namespace
}  // namespace copybench
