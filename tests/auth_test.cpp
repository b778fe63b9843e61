// The shared secret's handshake (wire/auth): the HMAC that answers a CHALLENGE binds the secret,
// the nonce and the header; nonces and test ids are random; a CHALLENGE must be 32 bytes.
#include <gtest/gtest.h>

#include <string>

#include "params/params.h"
#include "wire/auth.h"
#include "wire/protocol.h"

using namespace copybench;

TEST(Auth, TheMacBindsSecretNonceAndHeader) {
  TestParams p;
  const auto header = encode_header(header_for(p, ConnectionKind::control, 0, 0));
  const auto secret = Secret::from_bytes("one secret"), other = Secret::from_bytes("another secret");
  Nonce nonce{};
  nonce[0] = 7;
  const Mac mac = secret.mac(nonce, header);
  const std::string answer(mac.begin(), mac.end());
  EXPECT_TRUE(mac_matches(secret, nonce, header, answer));
  EXPECT_FALSE(mac_matches(other, nonce, header, answer));
  Nonce fresh = nonce;
  fresh[31] ^= 1;
  EXPECT_FALSE(mac_matches(secret, fresh, header, answer)) << "a replayed answer to another nonce";
  auto changed = header;
  changed[12] ^= 1;  // a parameter changed after the answer was made
  EXPECT_FALSE(mac_matches(secret, nonce, changed, answer));
  EXPECT_FALSE(mac_matches(secret, nonce, header, answer.substr(0, 31)));
  EXPECT_FALSE(mac_matches(secret, nonce, header, answer + "x"));
  EXPECT_NE(random_nonce(), random_nonce());
  EXPECT_NE(random_id(), 0u);
  EXPECT_THROW(parse_challenge(std::string(31, 'n')), ProtocolError);
  EXPECT_EQ(parse_challenge(std::string(32, 'n'))[31], 'n');
}
