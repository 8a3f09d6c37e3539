/* UTF-8 validation and decoding by the Unicode Standard's table 3-7 of well-formed byte
 * sequences, so overlongs and surrogates are rejected wherever input is checked. */
#include "ne/utf8.h"

int32_t ne_utf8_next(const char *str, size_t len, size_t *pos)
{
        const unsigned char *s = (const unsigned char *)str;
        size_t i = *pos;
        unsigned char c = s[i];
        if (c < 0x80) {
                *pos = i + 1;
                return c;
        }
        int n;
        int32_t cp;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                cp = c & 0x0F;
                if (c == 0xE0)
                        lo = 0xA0; /* overlong */
                else if (c == 0xED)
                        hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                cp = c & 0x07;
                if (c == 0xF0)
                        lo = 0x90; /* overlong */
                else if (c == 0xF4)
                        hi = 0x8F; /* above U+10FFFF */
        } else {
                *pos = i + 1;
                return -1;
        }
        for (int k = 1; k <= n; k++) {
                if (i + (size_t)k >= len) {
                        *pos = i + 1;
                        return -1;
                }
                unsigned char b = s[i + (size_t)k];
                if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
                        *pos = i + 1;
                        return -1;
                }
                cp = (cp << 6) | (b & 0x3F);
        }
        *pos = i + 1 + (size_t)n;
        return cp;
}

bool ne_utf8_is_valid(const char *s, size_t len, size_t *ret_bad_offset)
{
        size_t pos = 0;
        while (pos < len) {
                /* ASCII fast path: most news text is mostly ASCII */
                if ((unsigned char)s[pos] < 0x80) {
                        if (s[pos] == '\0')
                                goto bad;
                        pos++;
                        continue;
                }
                size_t at = pos;
                if (ne_utf8_next(s, len, &pos) < 0) {
                        pos = at;
                        goto bad;
                }
        }
        return true;
bad:
        if (ret_bad_offset)
                *ret_bad_offset = pos;
        return false;
}

size_t ne_utf8_count(const char *s, size_t len)
{
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                n += ((unsigned char)s[i] & 0xC0) != 0x80;
        return n;
}

size_t ne_utf8_put(char *out, int32_t cp)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}
