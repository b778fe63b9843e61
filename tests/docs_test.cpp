// docs/ARCHITECTURE.md states the protocol version, the results' schema version and the flag
// bits of the header: each is checked here against the code, so the document cannot drift.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "params/param_table.h"
#include "results/result.h"
#include "wire/protocol.h"

namespace copybench {
namespace {

std::string architecture() {
  std::ifstream in(std::string(COPYBENCH_SOURCE_DIR) + "/docs/ARCHITECTURE.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The one number that `pattern`'s first group matches in the document; -1 when it is absent.
long stated(const std::string& doc, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(doc, m, std::regex(pattern)) ? std::stol(m[1].str()) : -1;
}

TEST(Docs, ArchitectureStatesTheProtocolAndSchemaVersionsOfTheCode) {
  const std::string doc = architecture();
  ASSERT_FALSE(doc.empty()) << "docs/ARCHITECTURE.md not found under " << COPYBENCH_SOURCE_DIR;
  EXPECT_EQ(stated(doc, R"(protocol version is\s+\*\*(\d+)\*\*)"), kProtocolVersion);
  EXPECT_EQ(stated(doc, R"(`schema_version` is\s+\*\*(\d+)\*\*)"), RunResult::kSchemaVersion);
}

TEST(Docs, ArchitectureListsEveryFlagBitOfTheParameterTable) {
  // "| 8–9 | `pin` |": the bits of each parameter, as the document gives them.
  std::map<std::string, std::pair<uint32_t, uint32_t>> documented;  // key -> (shift, width)
  const std::string doc = architecture();
  const std::regex row(R"(\n\| (\d+)(?:–(\d+))? \| `(\w+)`)");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) {
    const uint32_t low = std::stoul((*it)[1].str());
    const uint32_t high = (*it)[2].matched ? std::stoul((*it)[2].str()) : low;
    documented[(*it)[3].str()] = {low, high - low + 1};
  }
  std::map<std::string, std::pair<uint32_t, uint32_t>> table;
  for (const auto& p : test_parameters())
    if (p.wire.slot == WireSlot::flags) table[p.key] = {p.wire.shift, p.wire.width};
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(documented, table);
}

}  // namespace
}  // namespace copybench
