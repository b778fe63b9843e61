// The parameter table: every row must carry its parameter through each form it declares
// (option text, JSON, wire header, child argv, sweep plan) and back, and the derived checks
// must use the rows as declared.
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "params/param_table.h"
#include "sweep/sweep_plan.h"
#include "wire/protocol.h"

using namespace copybench;

namespace {

// Every parameter away from its default (each a value the row's range allows).
TestParams far_from_defaults() {
  TestParams p;
  p.strategy = "zero-copy";
  p.recv_strategy = "scatter";
  p.mode = TestMode::rr;
  p.message_bytes = 3000;
  p.response_bytes = 70000;
  p.threads = 7;
  p.warmup_ns = 1'500'000'000;
  p.duration_ns = 2'250'000'000;
  p.auto_duration = true;
  p.interval_ns = 750'000'000;
  p.pin = PinMode::split;
  p.verify = true;
  p.counters = false;
  p.latency = false;
  p.profile = true;
  p.window_bytes = 300 * 1024;
  p.congestion = "reno";  // in every kernel's tcp_available_congestion_control
  p.mss_bytes = 1200;
  p.cport = 40000;
  p.title = "far from the defaults";
  return p;
}

// The same in stream, where the receive size applies and the response size does not.
TestParams far_from_defaults_stream() {
  TestParams p = far_from_defaults();
  p.mode = TestMode::stream;
  p.response_bytes = 0;
  p.recv_bytes = 100'000;
  p.direction = Direction::reverse;
  p.rate_bps = 1'500'000'000;  // stream only, as -N
  p.pacing = Pacing::kernel;
  p.nodelay = true;
  return p;
}

// `args` (as params_to_args wrote them) applied to the defaults through the rows' own parsers,
// as the client's command line does.
TestParams parse_args(const std::vector<std::string>& args) {
  TestParams p;
  for (size_t i = 0; i < args.size(); ++i) {
    const Param* row = nullptr;
    for (const auto& r : test_parameters())
      if (!r.option.empty() && r.long_option() == args[i]) row = &r;
    if (!row) throw Error("no row for " + args[i]);
    if (row->kind == OptionKind::value) row->parse(p, args.at(++i));
    else row->parse(p, row->kind == OptionKind::flag ? "true" : "false");
  }
  return p;
}

}  // namespace

TEST(ParamTable, EveryRowDiffersFromItsDefaultInTheTestValues) {
  const auto rr = far_from_defaults(), stream = far_from_defaults_stream();
  for (const auto& row : test_parameters())
    EXPECT_TRUE(!row.same(rr, TestParams{}) || !row.same(stream, TestParams{})) << row.key;
  EXPECT_NO_THROW(validate(rr));
  EXPECT_NO_THROW(validate(stream));
}

TEST(ParamTable, KeysAndOptionsAreDeclaredOnce) {
  std::set<std::string> keys, options;
  for (const auto& row : test_parameters()) {
    EXPECT_TRUE(keys.insert(row.key).second) << row.key;
    if (!row.option.empty()) {
      EXPECT_TRUE(options.insert(row.long_option()).second) << row.option;
    }
  }
}

TEST(ParamTable, OptionTextJsonAndArgvRestoreEveryParameter) {
  for (const auto& p : {far_from_defaults(), far_from_defaults_stream()}) {
    SCOPED_TRACE(mode_name(p.mode));
    // Each option from its own text; a row no option of its own sets (duration_auto, set by
    // --duration) from the options, or else from its JSON.
    TestParams q;
    for (const auto& row : test_parameters())
      if (!row.option.empty() && !row.is_default(p)) row.parse(q, row.text(p));  // as argv has them
    for (const auto& row : test_parameters()) {
      if (row.option.empty() && !row.same(p, q)) row.from_json(q, row.to_json(p));
      EXPECT_TRUE(row.same(p, q)) << row.key << " from text '" << row.text(p) << "'";
    }
    EXPECT_TRUE(same_params(params_from_json(params_to_json(p)), p));
    EXPECT_TRUE(same_params(parse_args(params_to_args(p)), p));
  }
  EXPECT_TRUE(params_to_args(TestParams{}).empty()) << "defaults need no option";
  TestParams auto_at_default_ceiling;  // "auto" rides on --duration, whose ceiling is the default here
  auto_at_default_ceiling.auto_duration = true;
  EXPECT_TRUE(same_params(parse_args(params_to_args(auto_at_default_ceiling)), auto_at_default_ceiling));
}

TEST(ParamTable, TheHeaderCarriesExactlyTheRowsThatDeclareAWireSlot) {
  const auto p = far_from_defaults();
  const auto bytes = encode_header(header_for(p, ConnectionKind::data, 9, 3));
  const auto back = params_from(decode_header(bytes.data(), bytes.size()));
  for (const auto& row : test_parameters()) {
    if (row.wire.slot != WireSlot::none) EXPECT_TRUE(row.same(back, p)) << row.key << " did not travel";
    else EXPECT_TRUE(row.is_default(back)) << row.key << " is the client's alone";
  }
}

TEST(ParamTable, FlagBitsDoNotOverlap) {
  uint32_t used = 0;
  for (const auto& row : test_parameters()) {
    if (row.wire.slot != WireSlot::flags) continue;
    const uint32_t bits = ((1u << row.wire.width) - 1) << row.wire.shift;
    EXPECT_EQ(used & bits, 0u) << row.key;
    used |= bits;
  }
}

TEST(ParamTable, ADataConnectionMustNameItsTestByTheIdentifyingRows) {
  // What the server checks on each data connection: what sizes its buffers and its threads.
  // The direction too: which end sends (and allocates send buffers) on every connection.
  const std::set<std::string> identifying = {"strategy",       "mode",    "direction", "message_bytes",
                                             "response_bytes", "threads", "verify"};
  std::set<std::string> declared;
  for (const auto& row : test_parameters())
    if (row.identifies_test) declared.insert(row.key);
  EXPECT_EQ(declared, identifying);
  // Each row in the test where it means something: rr (the response size) or stream (the direction).
  for (const auto& row : test_parameters()) {
    bool told_apart = false;
    for (const auto& test : {far_from_defaults(), far_from_defaults_stream()}) {
      TestParams other = test;
      row.reset(other);
      told_apart = told_apart || !same_test(other, test);
    }
    EXPECT_EQ(told_apart, row.identifies_test) << row.key;
  }
}

TEST(ParamTable, AValueWhereItMeansNothingIsRefusedByName) {
  TestParams p;
  p.response_bytes = 1024;  // stream mode
  try {
    validate(p);
    FAIL() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--response-size needs --mode rr");
  }
}

TEST(ParamTable, TheReceiveSizeIsAStreamParameterOfOneBToSixteenMiB) {
  auto refused = [](TestParams p) {
    try {
      validate(p);
      return std::string("accepted");
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
  };
  TestParams p;
  EXPECT_EQ(p.recv_size(), default_recv_bytes(p.message_bytes)) << "auto: the default rule";
  const auto& row = test_parameter("recv_size_bytes");
  EXPECT_THROW(row.parse(p, "0"), UsageError);
  EXPECT_THROW(row.parse(p, "12Q"), UsageError);
  row.parse(p, "17M");
  EXPECT_EQ(refused(p), "receive size 17 MiB is out of range (1 B to 16 MiB, or auto)");
  row.parse(p, "16K");
  EXPECT_EQ(p.recv_size(), 16384u);
  EXPECT_EQ(refused(p), "accepted");
  EXPECT_EQ(params_to_json(p)["recv_size_bytes"], 16384);
  EXPECT_EQ(params_to_json(p)["recv_size_auto"], false);
  p.mode = TestMode::rr;
  EXPECT_EQ(refused(p), "--recv-size needs --mode stream");
  EXPECT_TRUE(params_to_json(p)["recv_size_bytes"].is_null()) << "rr reads one response per transaction";
  row.parse(p, "auto");
  EXPECT_EQ(refused(p), "accepted");
  p.mode = TestMode::stream;
  auto j = params_to_json(p);
  EXPECT_EQ(j["recv_size_bytes"], default_recv_bytes(p.message_bytes)) << "a result says what was asked for";
  EXPECT_EQ(j["recv_size_auto"], true);
  EXPECT_EQ(params_from_json(j).recv_bytes, 0u) << "and reads back as auto";
}

TEST(ParamTable, TheSweepPlanNamesEveryParameter) {
  SweepGrid g;
  g.reps = 1;
  g.axes["threads"] = {"1"};
  g.axes["message_bytes"] = {"1K"};
  g.base.verify = true;
  const auto j = to_json(make_plan(g, TopologyOptions{}, 1));
  for (const auto& row : test_parameters())
    EXPECT_TRUE(j.contains(row.sweep_option.empty() ? row.key : row.plan_key)) << row.key;
  const auto back = plan_from_json(j);
  EXPECT_TRUE(back.grid.base.verify);
  ASSERT_EQ(back.runs.size(), make_plan(g, TopologyOptions{}, 1).runs.size());
  EXPECT_TRUE(belongs(back.runs[0], back.runs[0].point_id, 1, back.runs[0].params));
  TestParams changed = back.runs[0].params;
  changed.verify = false;
  EXPECT_FALSE(belongs(back.runs[0], back.runs[0].point_id, 1, changed)) << "a run of other parameters";
}
