/* UTF-8 primitives shared by the codecs (validation) and the tokenizer (decoding). Pure
 * functions over caller-owned bytes; no allocation. */
#ifndef NE_UTF8_H
#define NE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns true when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
 * and holds no NUL byte. On false, *ret_bad_offset (if non-NULL) is the first bad byte. */
bool ne_utf8_is_valid(const char *s, size_t len, size_t *ret_bad_offset);

/* Decodes the code point at s[*pos] (len bytes in all) and advances *pos past it. Returns the
 * code point, or -1 for an ill-formed sequence, after which *pos has advanced by one byte. */
int32_t ne_utf8_next(const char *s, size_t len, size_t *pos);

/* Encodes code point cp (0..0x10FFFF, not a surrogate) into out[0..4) and returns how many
 * bytes it took (1 to 4). */
size_t ne_utf8_put(char *out, int32_t cp);

/* Number of code points in a valid UTF-8 string (counts lead bytes). */
size_t ne_utf8_count(const char *s, size_t len);

#endif
