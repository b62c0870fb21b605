/*
 * Small helpers shared by every layer: time, randomness and tokens (libsodium), UTF-8 checks,
 * string predicates.
 */
#ifndef NOABER_BASE_UTIL_H
#define NOABER_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch, UTC. Tests may pin it with noaber_time_set(). */
int64_t noaber_now(void);
void noaber_time_set(int64_t t); /* 0 = the real clock again */
/* Monotonic milliseconds, for durations. */
int64_t noaber_mono_ms(void);

/* Must be called once at start (sodium_init); returns 0 on success. */
int noaber_crypto_init(void);
/* N random bytes. */
void noaber_random(void *buf, size_t n);
/* A uniformly random integer in [0, upper). */
uint32_t noaber_random_uniform(uint32_t upper);
/* Writes 2*N hex characters of N random bytes, NUL-terminated, to OUT (size >= 2*N+1). */
void noaber_random_hex(char *out, size_t n);
/* Hex of bytes. OUT must hold 2*n+1. */
void noaber_hex(char *out, const unsigned char *in, size_t n);
/* SHA-256 of S as 64 hex characters in OUT[65]. Used to store tokens, never the tokens themselves.
 */
void noaber_sha256_hex(char out[65], const char *s, size_t n);
/* Constant-time comparison of two NUL-terminated strings. */
int noaber_streq_ct(const char *a, const char *b);

/* 1 if S (length N) is valid UTF-8 without overlong forms, surrogates or NUL bytes. */
int noaber_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t noaber_utf8_len(const char *s);
/* Trims ASCII white space at both ends, in place; returns S. */
char *noaber_trim(char *s);
/* Lower-cases ASCII letters in place; returns S. */
char *noaber_ascii_lower(char *s);
int noaber_starts_with(const char *s, const char *prefix);

#endif
