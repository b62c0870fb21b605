/*
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
 * six digits, the parameters every authenticator app supports. Pure functions without I/O:
 * members.c stores the secret and the last step used, so that a code works only once.
 * HMAC-SHA1 comes from OpenSSL's libcrypto (libsodium has no SHA-1).
 */
#include "members/members.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

int
members_totp_code(const unsigned char *key, size_t keylen, int64_t step)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    for (int i = 7; i >= 0; i--, step >>= 8)
        msg[i] = (unsigned char)(step & 0xff);
    if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) || maclen < 20)
        return -1;
    /* Dynamic truncation (RFC 4226 section 5.3). */
    int off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    return (int)(bin % 1000000);
}

int64_t
members_totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now,
                   int64_t last_step)
{
    /* People type "123 456" or "123-456"; keep the digits. */
    char digits[7];
    int n = 0;
    for (const char *p = code; p && *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (!isdigit((unsigned char)*p) || n == 6)
            return 0;
        digits[n++] = *p;
    }
    if (n != 6)
        return 0;
    digits[6] = '\0';
    int want = (int)strtol(digits, NULL, 10);
    int64_t step = now / MEMBERS_TOTP_PERIOD;
    /* One step either way: a phone clock a little off, or a code typed at the turn. */
    for (int64_t s = step - 1; s <= step + 1; s++)
        if (s > last_step && members_totp_code(key, keylen, s) == want)
            return s;
    return 0;
}

void
members_base32(const unsigned char *in, size_t n, char *out, size_t outn)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t k = 0;
    uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buffer = (buffer << 8) | in[i];
        bits += 8;
        while (bits >= 5 && k + 1 < outn) {
            out[k++] = alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && k + 1 < outn)
        out[k++] = alphabet[(buffer << (5 - bits)) & 31];
    out[k] = '\0';
}
