/* UTF-8 validation, the one place that decides what valid UTF-8 is: overlong forms,
 * surrogates and code points above U+10FFFF are invalid (so text round-trips through JSON). */
#ifndef AIM_UTF8_H
#define AIM_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, reading at most n bytes (n >= 1); 0 when
 * it is invalid or cut short. */
size_t aim__utf8_seq(const unsigned char *s, size_t n);

/* 1 when the n bytes at s are valid UTF-8 (NUL bytes count as characters). */
int aim__utf8_valid(const char *s, size_t n);

/* The length of the longest prefix of the n bytes at s that is at most max bytes and does
 * not end inside a code point (an invalid byte counts as one): where text may be cut. */
size_t aim__utf8_prefix(const char *s, size_t n, size_t max);

/* s into out (size bytes with the NUL): whole when it fits, else cut on a code point's
 * boundary and ended with "..." so that the reader sees it was shortened. 1 when shortened. */
int aim__utf8_shorten(char *out, size_t size, const char *s);

#endif
