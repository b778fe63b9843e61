#pragma once
// JSON helpers shared by every layer that reads or writes JSON: checked integers, optionals
// as null, absent-or-null keys.
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/error.h"

namespace copybench {

/// `j` as T. An integer T takes only a JSON integer in its range, else Error: nlohmann's get
/// would static_cast a floating-point value, which is undefined out of range, and a RESULT
/// frame holds whatever the peer sent.
template <typename T>
T json_as(const nlohmann::json& j) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (j.is_number_unsigned() && std::in_range<T>(j.get<uint64_t>())) return static_cast<T>(j.get<uint64_t>());
    if (j.is_number_integer() && !j.is_number_unsigned() && std::in_range<T>(j.get<int64_t>()))
      return static_cast<T>(j.get<int64_t>());
    throw Error(fmt::format("expected an integer from {} to {}, found {} {:.40}", std::numeric_limits<T>::min(),
                            std::numeric_limits<T>::max(), j.type_name(), j.dump()));
  } else {
    return j.get<T>();
  }
}

/// An optional as JSON: its value, or null.
template <typename T>
nlohmann::json json_opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// A reason or other text that is absent when empty: null then.
inline nlohmann::json json_text(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

/// j[key] as T (json_as), nullopt when missing or null.
template <typename T>
std::optional<T> json_get_opt(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return json_as<T>(j.at(key));
}

}  // namespace copybench
