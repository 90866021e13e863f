#include "base/crypto.h"

#include <gtest/gtest.h>

using namespace orch::crypto;

TEST(Crypto, Sha256OfEmpty) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, HmacRfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacRekeysEveryCallIncludingEmptyAndLongKeys) {
  // The context is reused per thread: each call must use its own key, also an empty one (which
  // OpenSSL would take as "keep the last key" if passed as null) and one longer than a block.
  const std::string long_key(131, '\xaa');  // RFC 4231 case 6
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(to_hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(to_hex(hmac_sha256(long_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(to_hex(hmac_sha256(std::string_view(), "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}

TEST(Crypto, Base64RoundTripAndRejects) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::string out;
    ASSERT_TRUE(base64_decode(base64_encode(s), out));
    EXPECT_EQ(out, s);
    ASSERT_TRUE(base64url_decode(base64url_encode(s), out));
    EXPECT_EQ(out, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  std::string out;
  EXPECT_FALSE(base64_decode("Zm9v!", out));
  EXPECT_FALSE(base64url_decode("Zm8=", out));  // base64url here is unpadded
}

TEST(Crypto, SecretBoxSealsAndDetectsTampering) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.seal("secret", "aad");
  std::string plain;
  ASSERT_TRUE(box.open(sealed, plain, "aad"));
  EXPECT_EQ(plain, "secret");
  EXPECT_FALSE(box.open(sealed, plain, "other-aad"));
  sealed[14] ^= 1;
  EXPECT_FALSE(box.open(sealed, plain, "aad"));
  SecretBox other(std::string(32, 'x'));
  EXPECT_FALSE(other.open(box.seal("secret"), plain));
  EXPECT_NE(box.seal("secret"), box.seal("secret"));  // fresh nonce each time
}

TEST(Crypto, PasswordHashVerifies) {
  std::string h = password_hash("correct horse");
  EXPECT_TRUE(password_verify("correct horse", h));
  EXPECT_FALSE(password_verify("correct hors", h));
  EXPECT_FALSE(password_verify("x", "garbage"));
  EXPECT_NE(password_hash("a"), password_hash("a"));  // salted
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}
