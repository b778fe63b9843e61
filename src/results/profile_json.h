#pragma once
// JSON of a side's --profile figures, both ways (the sender's travel to the client in RESULT).
#include <nlohmann/json.hpp>

#include "results/profile.h"

namespace copybench {

/// Every count and share, the derived per-message and per-KiB figures, and a reason beside
/// every null.
nlohmann::json to_json(const ProfileFigures& profile);

/// The inverse (derived figures are recomputed, not read). Throws on a document of another
/// shape (Error or nlohmann::json::exception).
ProfileFigures profile_from_json(const nlohmann::json& j);

/// Why the receive copies' bytes are not summed (the one event with a length field).
extern const char* const kCopyBytesReason;

}  // namespace copybench
