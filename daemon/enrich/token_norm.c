/* The normalised form of a token for the tagger: the punctuation variants of real news text
 * (curly quotes, guillemets, Unicode dashes and ellipses) mapped onto the ASCII forms CoNLL-2003
 * was written with, so "Germany’s" tags like "Germany 's". Copies into a caller buffer. */
#include <string.h>

#include "ne/tokenize.h"
#include "ne/utf8.h"

struct out {
        char *buf;
        size_t cap;
        size_t len;     /* full normalised length */
        size_t written; /* bytes in buf */
        bool full;
};

static void put(struct out *o, const char *p, size_t k)
{
        if (!o->full && o->cap > 0 && o->written + k <= o->cap - 1) {
                memcpy(o->buf + o->written, p, k);
                o->written += k;
        } else {
                o->full = true; /* stop at a character boundary, keep counting */
        }
        o->len += k;
}

/* The ASCII replacement of cp, or NULL to copy it; "" drops it. */
static const char *replacement(int32_t cp)
{
        switch (cp) {
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x201B:
        case 0x2032:
        case 0x2039:
        case 0x203A:
                return "'";
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x201F:
        case 0x2033:
        case 0xAB:
        case 0xBB:
                return "\"";
        case 0x2014:
        case 0x2015:
                return "--";
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2212:
                return "-";
        case 0x2026:
                return "...";
        case 0xAD:
        case 0x200C:
        case 0x200D:
        case 0x2060:
        case 0xFEFF:
                return "";
        default:
                return NULL;
        }
}

size_t ne_token_norm(const char *text, const struct ne_token *tok, char *out, size_t cap)
{
        struct out o = {.buf = out, .cap = cap};
        const char *s = text + tok->start;
        size_t n = tok->end - tok->start;
        if ((n == 2 && memcmp(s, "``", 2) == 0) || (n == 2 && memcmp(s, "''", 2) == 0)) {
                put(&o, "\"", 1);
                goto done;
        }
        for (size_t i = 0; i < n;) {
                if ((unsigned char)s[i] < 0x80) {
                        put(&o, s + i, 1);
                        i++;
                        continue;
                }
                size_t at = i;
                int32_t cp = ne_utf8_next(s, n, &i);
                const char *rep = cp < 0 ? NULL : replacement(cp);
                if (rep)
                        put(&o, rep, strlen(rep));
                else
                        put(&o, s + at, i - at);
        }
done:
        if (cap > 0)
                out[o.written] = '\0';
        return o.len;
}
