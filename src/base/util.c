/*
 * Time, randomness, tokens and text checks (see util.h).
 */
#include "base/util.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

static int64_t pinned_time;

int64_t
noaber_now(void)
{
    return pinned_time ? pinned_time : (int64_t)time(NULL);
}

void
noaber_time_set(int64_t t)
{
    pinned_time = t;
}

int64_t
noaber_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
noaber_crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void
noaber_random(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

uint32_t
noaber_random_uniform(uint32_t upper)
{
    return randombytes_uniform(upper);
}

void
noaber_hex(char *out, const unsigned char *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

void
noaber_random_hex(char *out, size_t n)
{
    unsigned char raw[64];
    if (n > sizeof raw)
        n = sizeof raw;
    randombytes_buf(raw, n);
    noaber_hex(out, raw, n);
}

void
noaber_sha256_hex(char out[65], const char *s, size_t n)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, n);
    noaber_hex(out, h, sizeof h);
}

int
noaber_streq_ct(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

int
noaber_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    while (s < end) {
        unsigned c = *s;
        size_t len;
        unsigned min;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - s) < len)
            return 0;
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        s += len;
    }
    return 1;
}

size_t
noaber_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

char *
noaber_trim(char *s)
{
    char *start = s;
    while (*start && isspace((unsigned char)*start))
        start++;
    size_t n = strlen(start);
    while (n && isspace((unsigned char)start[n - 1]))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

char *
noaber_ascii_lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

int
noaber_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
