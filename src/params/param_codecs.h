#pragma once
// What each field type of TestParams brings to its row of the parameter table: option text,
// JSON and wire forms both ways (Codec<T>), and row(), which fills whatever a row did not
// declare from its field's type. Only param_table.cpp includes this.
#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json.h"
#include "core/units.h"
#include "params/param_table.h"

namespace copybench::param_codecs {

using nlohmann::json;

template <typename T>
struct Codec;

template <>
struct Codec<std::string> {  // a name; the row's parse canonicalises it through its registry
  static std::string text(const std::string& v) { return v; }
  static std::string parse(const std::string&, const std::string& t) { return t; }
  static json to_json(const std::string& v) { return v; }
  static std::string from_json(const json& j) { return j.get<std::string>(); }
};

template <>
struct Codec<uint64_t> {  // a size in bytes
  static std::string text(uint64_t v) { return size_text(v); }
  static uint64_t parse(const std::string&, const std::string& t) { return parse_size(t); }
  static json to_json(uint64_t v) { return v; }
  static uint64_t from_json(const json& j) { return json_as<uint64_t>(j); }
  static uint64_t to_wire(uint64_t v) { return v; }
  static uint64_t from_wire(uint64_t w) { return w; }
};

template <>
struct Codec<int> {  // a count
  static std::string text(int v) { return std::to_string(v); }
  static int parse(const std::string& option, const std::string& t) {
    int v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc::result_out_of_range) throw UsageError(fmt::format("{} {} is out of range", option, t));
    if (ec != std::errc() || end != t.data() + t.size() || t.empty())
      throw UsageError(fmt::format("invalid number '{}' for {}", t, option));
    return v;
  }
  static json to_json(int v) { return v; }
  static int from_json(const json& j) { return json_as<int>(j); }
  static uint64_t to_wire(int v) { return v < 0 ? 0 : static_cast<uint64_t>(v); }
  static int from_wire(uint64_t w) { return static_cast<int>(std::min<uint64_t>(w, INT32_MAX)); }
};

template <>
struct Codec<int64_t> {  // a duration in ns: typed "500ms", in JSON seconds, on the wire whole ms
  static std::string text(int64_t ns) { return duration_ms_text(ns); }
  static int64_t parse(const std::string&, const std::string& t) { return parse_duration_ns(t); }
  static json to_json(int64_t ns) { return ns / 1e9; }
  static int64_t from_json(const json& j) { return static_cast<int64_t>(std::llround(j.get<double>() * 1e9)); }
  static uint64_t to_wire(int64_t ns) { return ns < 0 ? 0 : static_cast<uint64_t>(ns / 1'000'000); }
  static int64_t from_wire(uint64_t ms) { return static_cast<int64_t>(ms) * 1'000'000; }
};

template <>
struct Codec<bool> {
  static std::string text(bool v) { return v ? "true" : "false"; }
  static bool parse(const std::string& option, const std::string& t) {
    if (t == "true") return true;
    if (t == "false") return false;
    throw UsageError(fmt::format("{} takes true or false, not '{}'", option, t));
  }
  static json to_json(bool v) { return v; }
  static bool from_json(const json& j) { return j.get<bool>(); }
  static uint64_t to_wire(bool v) { return v ? 1 : 0; }
  static bool from_wire(uint64_t w) { return w != 0; }
};

// The enums: named values, one byte or a few flag bits on the wire.
template <typename E>
struct EnumNames;

template <>
struct EnumNames<TestMode> {
  static constexpr const char* what = "test mode";
  static constexpr TestMode values[] = {TestMode::stream, TestMode::rr};
  static const char* name(TestMode m) { return mode_name(m); }
  static TestMode parse(const std::string& t) { return parse_mode(t); }
};

template <>
struct EnumNames<PinMode> {
  static constexpr const char* what = "pin mode";
  static constexpr PinMode values[] = {PinMode::none, PinMode::same, PinMode::split};
  static const char* name(PinMode m) { return pin_name(m); }
  static PinMode parse(const std::string& t) { return parse_pin(t); }
};

template <>
struct EnumNames<Direction> {
  static constexpr const char* what = "direction";
  static constexpr Direction values[] = {Direction::forward, Direction::reverse, Direction::bidir};
  static const char* name(Direction d) { return direction_name(d); }
  static Direction parse(const std::string& t) { return parse_direction(t); }
};

template <>
struct EnumNames<Pacing> {
  static constexpr const char* what = "pacing";
  static constexpr Pacing values[] = {Pacing::user, Pacing::kernel};
  static const char* name(Pacing m) { return pacing_name(m); }
  static Pacing parse(const std::string& t) { return parse_pacing(t); }
};

template <typename E>
requires std::is_enum_v<E>
struct Codec<E> {
  using Names = EnumNames<E>;
  static std::string text(E v) { return Names::name(v); }
  static E parse(const std::string&, const std::string& t) { return Names::parse(t); }
  static json to_json(E v) { return Names::name(v); }
  static E from_json(const json& j) { return Names::parse(j.get<std::string>()); }
  static uint64_t to_wire(E v) { return static_cast<uint64_t>(v); }
  static E from_wire(uint64_t w) {
    for (E v : Names::values)
      if (static_cast<uint64_t>(v) == w) return v;
    throw Error(fmt::format("unknown {} {}", Names::what, w));
  }
};

template <typename T>
concept WireCodec = requires(T v, uint64_t w) {
  Codec<T>::to_wire(v);
  Codec<T>::from_wire(w);
};

// A row for field `member`: what the row declared, the rest from the field's type.
template <typename T>
Param row(T TestParams::*member, Param p) {
  using C = Codec<T>;
  if (!p.text) p.text = [member](const TestParams& t) { return C::text(t.*member); };
  if (!p.parse)
    p.parse = [member, option = p.long_option()](TestParams& t, const std::string& text) {
      t.*member = C::parse(option, text);
    };
  if (!p.to_json) p.to_json = [member](const TestParams& t) { return C::to_json(t.*member); };
  if (!p.to_plan_json) p.to_plan_json = p.to_json;
  if (!p.from_json) p.from_json = [member](TestParams& t, const json& j) { t.*member = C::from_json(j); };
  if constexpr (WireCodec<T>) {
    if (p.wire.slot != WireSlot::none) {
      if (!p.to_wire) p.to_wire = [member](const TestParams& t) { return C::to_wire(t.*member); };
      if (!p.from_wire) p.from_wire = [member](TestParams& t, uint64_t w) { t.*member = C::from_wire(w); };
    }
  }
  if (!p.same) p.same = [member](const TestParams& a, const TestParams& b) { return a.*member == b.*member; };
  if (!p.is_default) p.is_default = [member](const TestParams& t) { return t.*member == TestParams{}.*member; };
  if (!p.reset) p.reset = [member](TestParams& t) { t.*member = TestParams{}.*member; };
  if (!p.check) p.check = [](const TestParams&) {};
  if (!p.applies) p.applies = [](const TestParams&) { return true; };
  return p;
}

}  // namespace copybench::param_codecs
