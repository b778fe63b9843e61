// fleet.json read and checked: the contract with the playbook that runs the pairs' sweeps.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "report/fleet.h"

namespace copybench::report {
namespace {

using nlohmann::json;

// A host name names a folder (pairs/CLIENT--SERVER): nothing that could leave it or need quoting.
bool safe_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string text_of(const json& object, const char* key, bool required) {
  if (!object.contains(key) || object.at(key).is_null()) {
    if (required) throw Error(fmt::format("no \"{}\"", key));
    return "";
  }
  if (!object.at(key).is_string()) throw Error(fmt::format("\"{}\" is not a string", key));
  return object.at(key).get<std::string>();
}

std::vector<FleetHost> hosts_of(const json& doc) {
  if (!doc.contains("hosts") || !doc.at("hosts").is_array()) throw Error("no \"hosts\" array");
  std::vector<FleetHost> hosts;
  for (const auto& h : doc.at("hosts")) {
    if (!h.is_object()) throw Error("a host is not an object");
    FleetHost host{text_of(h, "name", true), text_of(h, "address", false)};
    if (!safe_name(host.name))
      throw Error(fmt::format("host name \"{}\" is not letters, digits, '.', '_' and '-'", host.name));
    for (const auto& other : hosts)
      if (other.name == host.name) throw Error(fmt::format("host \"{}\" is listed twice", host.name));
    hosts.push_back(std::move(host));
  }
  return hosts;
}

std::vector<FleetPair> pairs_of(const json& doc, const std::vector<FleetHost>& hosts) {
  if (!doc.contains("pairs") || !doc.at("pairs").is_array()) throw Error("no \"pairs\" array");
  auto known = [&](const std::string& name) {
    return std::any_of(hosts.begin(), hosts.end(), [&](const FleetHost& h) { return h.name == name; });
  };
  std::vector<FleetPair> pairs;
  for (const auto& p : doc.at("pairs")) {
    if (!p.is_object()) throw Error("a pair is not an object");
    const auto status = text_of(p, "status", true);
    if (status != "ok" && status != "failed")
      throw Error(fmt::format("a pair's status is \"{}\", not \"ok\" or \"failed\"", status));
    FleetPair pair{text_of(p, "client", true), text_of(p, "server", true),
                   status == "ok" ? PairStatus::ok : PairStatus::failed, text_of(p, "error", false)};
    for (const auto& name : {pair.client, pair.server})
      if (!known(name))
        throw Error(fmt::format("pair {}--{} names \"{}\", not one of the hosts", pair.client, pair.server, name));
    std::replace(pair.error.begin(), pair.error.end(), '\n', ' ');
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace

FleetSpec parse_fleet_spec(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: not valid JSON ({})", source, e.what()));
  }
  try {
    if (!doc.is_object() || text_of(doc, "kind", false) != kFleetKind)
      throw Error(fmt::format("not a fleet's: its \"kind\" is not \"{}\"", kFleetKind));
    FleetSpec spec;
    spec.pattern = text_of(doc, "pattern", false);
    spec.hosts = hosts_of(doc);
    spec.pairs = pairs_of(doc, spec.hosts);
    return spec;
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", source, e.what()));
  }
}

FleetSpec read_fleet_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot be read", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_fleet_spec(text.str(), path);
}

std::string pair_folder(const FleetPair& pair) { return fmt::format("pairs/{}--{}", pair.client, pair.server); }

const char* pair_status_name(PairStatus status) { return status == PairStatus::ok ? "ok" : "failed"; }

}  // namespace copybench::report
