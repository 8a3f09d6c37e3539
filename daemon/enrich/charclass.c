/* Character classification and simple case mapping for the tokenizer. This is not a Unicode
 * database: it knows the punctuation, quotes, dashes and spaces that news text uses, the cased
 * scripts (Latin, Greek, Cyrillic) well enough to tell a capitalised word, and the CJK blocks
 * that have no spaces; everything else non-ASCII counts as a letter, so unknown scripts form
 * words rather than crash or split into bytes. */
#include "charclass.h"

#include "ne/tokenize.h"
#include "ne/utf8.h"

/* clang-format off */
#define S CC_SPACE
#define P CC_PUNCT
#define U CC_UPPER
#define L CC_LOWER
#define D CC_DIGIT
const uint8_t cc_ascii[128] = {
        CC_BAD, S, S, S, S, S, S, S, S, S, CC_NL, S, S, S, S, S, /* \t \v \f \r are spaces */
        S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
        S, P, P, P, P, P, P, CC_APOS, P, P, P, P, P, P, P, P, /* ' is an apostrophe */
        D, D, D, D, D, D, D, D, D, D, P, P, P, P, P, P,
        P, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
        U, U, U, U, U, U, U, U, U, U, U, P, P, P, P, P,
        P, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
        L, L, L, L, L, L, L, L, L, L, L, P, P, P, P, S, /* DEL is a control */
};
#undef S
#undef P
#undef U
#undef L
#undef D
/* clang-format on */

/* Latin-1 Supplement, U+0080..U+00FF. */
static enum cc latin1(int32_t cp)
{
        if (cp < 0xA0)
                return CC_SPACE; /* C1 controls */
        switch (cp) {
        case 0xA0:
                return CC_SPACE;
        case 0xAB:
                return CC_QOPEN;
        case 0xBB:
                return CC_QCLOSE;
        case 0xAD:
                return CC_MARK; /* soft hyphen */
        case 0xAA:
        case 0xBA:
                return CC_LETTER; /* ordinal indicators */
        case 0xB5:
                return CC_LOWER;
        case 0xD7:
        case 0xF7:
        case 0xA2:
        case 0xA3:
        case 0xA4:
        case 0xA5:
                return CC_SYM; /* times, divide, cent, pound, currency, yen */
        default:
                break;
        }
        if (cp < 0xC0)
                return CC_PUNCT;
        return cp < 0xDF ? CC_UPPER : CC_LOWER;
}

/* General Punctuation, U+2000..U+206F. */
static enum cc genpunct(int32_t cp)
{
        if (cp <= 0x200B || cp == 0x202F || cp == 0x205F)
                return CC_SPACE;
        switch (cp) {
        case 0x200C:
        case 0x200D:
        case 0x2060:
                return CC_MARK; /* joiners stay inside words and emoji sequences */
        case 0x2010:
        case 0x2011:
                return CC_HYPHEN;
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2015:
                return CC_DASH;
        case 0x2018:
        case 0x201A:
        case 0x201B:
        case 0x201C:
        case 0x201E:
        case 0x201F:
        case 0x2039:
                return CC_QOPEN;
        case 0x2019:
                return CC_APOS;
        case 0x201D:
        case 0x203A:
                return CC_QCLOSE;
        case 0x2026:
                return CC_ELLIPSIS;
        case 0x2028:
                return CC_NL;
        case 0x2029:
                return CC_PARA;
        default:
                return CC_PUNCT;
        }
}

static enum cc classify(int32_t cp)
{
        if (cp < 0x100)
                return latin1(cp);
        if (cp < 0x180) {
                /* Latin Extended-A pairs upper/lower, with the parity flipping twice */
                if (cp == 0x130 || cp == 0x178)
                        return CC_UPPER;
                if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F)
                        return CC_LOWER;
                int odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
                return ((cp & 1) != 0) == odd_upper ? CC_UPPER : CC_LOWER;
        }
        if (cp >= 0x300 && cp <= 0x36F)
                return CC_MARK;
        if (cp >= 0x370 && cp <= 0x3FF) {
                if ((cp >= 0x391 && cp <= 0x3A9) || cp == 0x386 || (cp >= 0x388 && cp <= 0x38F))
                        return CC_UPPER;
                if (cp >= 0x3AC && cp <= 0x3CE)
                        return CC_LOWER;
                return cp == 0x37E || cp == 0x387 ? CC_PUNCT : CC_LETTER;
        }
        if (cp >= 0x400 && cp <= 0x45F)
                return cp < 0x430 ? CC_UPPER : CC_LOWER;
        if (cp == 0x55D || cp == 0x589 || cp == 0x5BE || cp == 0x5C0 || cp == 0x5C3 ||
            cp == 0x60C || cp == 0x61B || cp == 0x61F || cp == 0x6D4 || cp == 0x964 ||
            cp == 0x965 || cp == 0xE2F)
                return CC_PUNCT; /* Armenian, Hebrew, Arabic, Devanagari, Thai punctuation */
        if ((cp >= 0x591 && cp <= 0x5BD) || (cp >= 0x610 && cp <= 0x61A) ||
            (cp >= 0x64B && cp <= 0x65F) || (cp >= 0x900 && cp <= 0x903) ||
            (cp >= 0x93A && cp <= 0x94F) ||
            (cp >= 0xE31 && cp <= 0xE3A && cp != 0xE32 && cp != 0xE33))
                return CC_MARK;
        if (cp >= 0x1E00 && cp <= 0x1EFF)
                return (cp & 1) ? CC_LOWER : CC_UPPER; /* Latin Extended Additional (Vietnamese) */
        if (cp >= 0x2000 && cp <= 0x206F)
                return genpunct(cp);
        if (cp >= 0x2070 && cp <= 0x2BFF)
                return CC_SYM; /* super/subscripts, currency, letterlike, arrows, math, dingbats */
        if (cp >= 0x2E00 && cp <= 0x2E7F)
                return CC_PUNCT;
        if (cp == 0x3000)
                return CC_SPACE;
        if (cp >= 0x3001 && cp <= 0x303F)
                return CC_PUNCT;
        if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
            (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF))
                return CC_CJK;
        if (cp >= 0xE000 && cp <= 0xF8FF)
                return CC_SYM; /* private use */
        if (cp >= 0xFE00 && cp <= 0xFE0F)
                return CC_MARK; /* variation selectors */
        if (cp == 0xFEFF)
                return CC_SPACE; /* BOM / zero-width no-break space */
        if (cp >= 0xFF01 && cp <= 0xFF65) {
                /* fullwidth forms mirror ASCII 0x21..0x7E */
                int32_t a = cp - 0xFF01 + 0x21;
                if (a <= 0x7E)
                        return (enum cc)cc_ascii[a];
                return CC_PUNCT;
        }
        if (cp >= 0xFFF0 && cp <= 0xFFFF)
                return CC_SYM; /* specials, U+FFFD */
        if (cp >= 0x1F3FB && cp <= 0x1F3FF)
                return CC_MARK; /* emoji skin tone modifiers */
        if (cp >= 0x1F000 && cp <= 0x1FAFF)
                return CC_SYM; /* emoji, pictographs */
        if (cp >= 0xE0000 && cp <= 0xE007F)
                return CC_MARK; /* tag characters (flag sequences) */
        return CC_LETTER;
}

enum cc cc_at(const unsigned char *s, size_t len, size_t pos, size_t *ret_n, int32_t *ret_cp)
{
        if (s[pos] < 0x80) {
                *ret_n = 1;
                *ret_cp = s[pos];
                return (enum cc)cc_ascii[s[pos]];
        }
        size_t q = pos;
        int32_t cp = ne_utf8_next((const char *)s, len, &q);
        *ret_n = q - pos;
        *ret_cp = cp;
        if (cp < 0)
                return CC_BAD;
        return classify(cp);
}

enum cc cc_of(int32_t cp)
{
        if (cp < 0)
                return CC_BAD;
        return cp < 0x80 ? (enum cc)cc_ascii[cp] : classify(cp);
}

bool ne_tokenize_is_upper(int32_t cp)
{
        if (cp < 0x80)
                return cp >= 'A' && cp <= 'Z';
        if (cp < 0)
                return false;
        return classify(cp) == CC_UPPER;
}

int32_t ne_tokenize_lower(int32_t cp)
{
        if (cp < 0x80)
                return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        if (!ne_tokenize_is_upper(cp))
                return cp;
        if (cp < 0x100)
                return cp + 0x20;
        if (cp == 0x130)
                return 'i';
        if (cp == 0x178)
                return 0xFF;
        if (cp < 0x180 || (cp >= 0x1E00 && cp <= 0x1EFF))
                return cp + 1;
        if (cp == 0x386)
                return 0x3AC;
        if (cp >= 0x388 && cp <= 0x38A)
                return cp + 37;
        if (cp == 0x38C)
                return 0x3CC;
        if (cp == 0x38E || cp == 0x38F)
                return cp + 63;
        if (cp >= 0x391 && cp <= 0x3A9)
                return cp + 32;
        if (cp >= 0x400 && cp <= 0x40F)
                return cp + 80;
        if (cp >= 0x410 && cp <= 0x42F)
                return cp + 32;
        if (cp >= 0xFF21 && cp <= 0xFF3A)
                return cp + 32;
        return cp;
}
