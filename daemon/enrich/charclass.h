/* Character classes for the tokenizer (internal to daemon/enrich). A class says how a code point
 * behaves in tokenization: word character, space, a quote that opens or closes, a dash, a
 * symbol that stands alone. ASCII goes through a table; other code points through ranges. */
#ifndef NE_ENRICH_CHARCLASS_H
#define NE_ENRICH_CHARCLASS_H

#include <stddef.h>
#include <stdint.h>

enum cc {
        CC_BAD = 0, /* ill-formed UTF-8 or NUL */
        CC_SPACE,   /* blanks, controls, NBSP, zero-width space, BOM */
        CC_NL,      /* \n, U+2028 */
        CC_PARA,    /* U+2029: counts as a blank line */
        CC_UPPER,
        CC_LOWER,
        CC_LETTER, /* uncased letters and anything unclassified (Arabic, Thai, ...) */
        CC_DIGIT,
        CC_MARK,     /* combining marks, ZWJ, soft hyphen: only inside a token */
        CC_CJK,      /* ideographs and kana: one token each */
        CC_SYM,      /* currency, emoji, math, arrows: one token each */
        CC_PUNCT,    /* other punctuation: one token each */
        CC_APOS,     /* ' and U+2019 (apostrophe or closing single quote) */
        CC_QOPEN,    /* opening quotes: U+201C U+2018 U+201E U+00AB ... */
        CC_QCLOSE,   /* closing quotes: U+201D U+00BB U+203A */
        CC_HYPHEN,   /* U+2010 U+2011 (ASCII '-' is CC_PUNCT, handled by byte) */
        CC_DASH,     /* U+2012..U+2015 */
        CC_ELLIPSIS, /* U+2026 */
};

/* Class of the character at s[pos] (pos < len); *ret_n is its length in bytes (1 for an
 * ill-formed byte, with CC_BAD). */
enum cc cc_at(const unsigned char *s, size_t len, size_t pos, size_t *ret_n, int32_t *ret_cp);

/* Class of a code point (>= 0). */
enum cc cc_of(int32_t cp);

/* Class of one ASCII byte (< 0x80). */
extern const uint8_t cc_ascii[128];

static inline int cc_is_word(enum cc c)
{
        return c == CC_UPPER || c == CC_LOWER || c == CC_LETTER || c == CC_DIGIT;
}

static inline int cc_is_alpha(enum cc c)
{
        return c == CC_UPPER || c == CC_LOWER || c == CC_LETTER;
}

#endif
