#pragma once
// A shared secret proves the client to the server (--secret-file on both): the server sends a
// fresh nonce in CHALLENGE, the client answers AUTH with HMAC-SHA256(secret, nonce || its
// header), the server compares in constant time. The secret itself never travels, and it is
// held only here: nothing prints, logs or serializes a Secret.
#include <array>
#include <cstdint>
#include <string>

#include "wire/protocol.h"

namespace copybench {

inline constexpr size_t kNonceBytes = 32;
inline constexpr size_t kMacBytes = 32;  // SHA-256
using Nonce = std::array<uint8_t, kNonceBytes>;
using Mac = std::array<uint8_t, kMacBytes>;

class Secret {
 public:
  Secret() = default;
  /// Reads FILE: its bytes, less one trailing newline (as `echo … > FILE` writes it). Throws
  /// Error for an unreadable or empty file, naming the file only.
  static Secret from_file(const std::string& path);
  /// For tests and the fuzz targets.
  static Secret from_bytes(std::string bytes);
  ~Secret();
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  bool empty() const { return bytes_.empty(); }
  Mac mac(const Nonce& nonce, const HeaderBytes& header) const;

 private:
  void wipe();
  std::string bytes_;
};

/// A nonce from the kernel's CSPRNG (getrandom); throws Error if it has none.
Nonce random_nonce();

/// 64 random bits from getrandom, never 0: test ids a stranger cannot guess.
uint64_t random_id();

/// Whether `mac` is what `secret` makes of nonce and header; the comparison takes the same time
/// wherever the first difference lies (CRYPTO_memcmp).
bool mac_matches(const Secret& secret, const Nonce& nonce, const HeaderBytes& header, const std::string& mac);

/// CHALLENGE's payload: the nonce. Throws ProtocolError unless it is exactly kNonceBytes.
Nonce parse_challenge(const std::string& payload);

}  // namespace copybench
