#include "wire/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>
#include <cerrno>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace copybench {
namespace {

void fill_random(void* out, size_t len) {
  auto* p = static_cast<uint8_t*>(out);
  while (len > 0) {
    ssize_t n = ::getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("getrandom", errno);
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace

Secret Secret::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("--secret-file {}: cannot be read", path));
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw Error(fmt::format("--secret-file {}: cannot be read", path));
  if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  if (bytes.empty()) throw Error(fmt::format("--secret-file {}: the file is empty", path));
  return from_bytes(std::move(bytes));
}

Secret Secret::from_bytes(std::string bytes) {
  Secret s;
  s.bytes_ = std::move(bytes);
  return s;
}

Secret::~Secret() { wipe(); }
Secret::Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.wipe();
  }
  return *this;
}

void Secret::wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

Mac Secret::mac(const Nonce& nonce, const HeaderBytes& header) const {
  std::array<uint8_t, kNonceBytes + kHeaderBytes> message{};
  std::copy(nonce.begin(), nonce.end(), message.begin());
  std::copy(header.begin(), header.end(), message.begin() + kNonceBytes);
  Mac out{};
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), bytes_.data(), static_cast<int>(bytes_.size()), message.data(), message.size(), out.data(),
            &len) ||
      len != kMacBytes)
    throw Error("HMAC-SHA256 failed (libcrypto)");
  return out;
}

Nonce random_nonce() {
  Nonce n{};
  fill_random(n.data(), n.size());
  return n;
}

uint64_t random_id() {
  uint64_t id = 0;
  while (id == 0) fill_random(&id, sizeof id);
  return id;
}

bool mac_matches(const Secret& secret, const Nonce& nonce, const HeaderBytes& header, const std::string& mac) {
  if (mac.size() != kMacBytes) return false;  // the length is no secret
  const Mac want = secret.mac(nonce, header);
  return CRYPTO_memcmp(want.data(), mac.data(), kMacBytes) == 0;
}

Nonce parse_challenge(const std::string& payload) {
  if (payload.size() != kNonceBytes)
    throw ProtocolError(fmt::format("CHALLENGE of {} bytes, not {}", payload.size(), kNonceBytes));
  Nonce n{};
  std::copy(payload.begin(), payload.end(), n.begin());
  return n;
}

}  // namespace copybench
