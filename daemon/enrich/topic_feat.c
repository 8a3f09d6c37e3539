/* Tokenizer and n-gram hashing of the topic classifier: text in, 32-bit feature keys out.
 * Training and prediction both featurise through this file, so a model always sees features
 * made the way it was trained. Hash values are part of the model file format: changing them
 * invalidates every model (the unit tests pin them). No allocation, no state. */
#include <string.h>

#include "ne/topic_train.h"
#include "ne/utf8.h"

/* Punctuation, symbols and spaces outside ASCII that must split words, so that “quoted” or
 * em—dashed words tokenise as they do with ASCII punctuation. */
static bool is_separator_cp(int32_t cp)
{
        return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
               (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
               (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
               (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0xFEFF || (cp >= 0xE000 && cp <= 0xF8FF) ||
               (cp >= 0x1F000 && cp <= 0x1FAFF);
}

/* Simple lower-casing of the scripts news in European languages mostly uses. */
static int32_t lower_cp(int32_t cp)
{
        if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
                return cp + 0x20;
        if (cp >= 0x100 && cp <= 0x137 && !(cp & 1))
                return cp + 1;
        if (cp >= 0x139 && cp <= 0x148 && (cp & 1))
                return cp + 1;
        if (cp >= 0x14A && cp <= 0x177 && !(cp & 1))
                return cp + 1;
        if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
                return cp + 0x20;
        if (cp >= 0x410 && cp <= 0x42F)
                return cp + 0x20;
        if (cp >= 0x400 && cp <= 0x40F)
                return cp + 0x50;
        return cp;
}

static size_t put_utf8(char *out, int32_t cp)
{
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

static int emit(char *tok, size_t len, size_t nchars, ne_topic_token_fn fn, void *ud)
{
        if (nchars < 2)
                return 0;
        return fn(tok, len, ud);
}

int ne_topic_tokenize(const char *text, size_t len, uint32_t flags, ne_topic_token_fn fn, void *ud)
{
        /* room for one more 4-byte sequence past the cut so appends need no bound check */
        char tok[NE_TOPIC_MAX_TOKEN + 4];
        size_t tlen = 0, nchars = 0, pos = 0;
        int r;

        while (pos < len) {
                unsigned char c = (unsigned char)text[pos];
                if (c < 0x80) {
                        pos++;
                        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            (c >= 'A' && c <= 'Z')) {
                                if (c >= 'A' && c <= 'Z')
                                        c = (unsigned char)(c + 32);
                                else if (c >= '0' && c <= '9' && (flags & NE_TOPIC_F_DIGITS))
                                        c = '0';
                                if (tlen < NE_TOPIC_MAX_TOKEN)
                                        tok[tlen++] = (char)c;
                                nchars++;
                                continue;
                        }
                } else {
                        int32_t cp = ne_utf8_next(text, len, &pos);
                        if (cp >= 0 && !is_separator_cp(cp)) {
                                if (tlen < NE_TOPIC_MAX_TOKEN)
                                        tlen += put_utf8(tok + tlen, lower_cp(cp));
                                nchars++;
                                continue;
                        }
                }
                /* a separator ends the current token */
                if (nchars) {
                        r = emit(tok, tlen, nchars, fn, ud);
                        if (r)
                                return r;
                        tlen = nchars = 0;
                }
        }
        if (nchars)
                return emit(tok, tlen, nchars, fn, ud);
        return 0;
}

static uint64_t fmix64(uint64_t k)
{
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53ULL;
        k ^= k >> 33;
        return k;
}

static uint64_t load_le(const unsigned char *p, size_t n)
{
        /* byte by byte so the value is the same on any endianness; compilers make it one load */
        uint64_t w = 0;
        for (size_t i = 0; i < n; i++)
                w |= (uint64_t)p[i] << (8 * i);
        return w;
}

uint64_t ne_topic_hash_token(const char *tok, size_t len, uint32_t seed)
{
        /* eight bytes per multiply: most words fit in one or two rounds */
        const unsigned char *p = (const unsigned char *)tok;
        uint64_t h = ((uint64_t)seed * 0x9E3779B97F4A7C15ULL) ^ (len * 0xff51afd7ed558ccdULL);
        while (len >= 8) {
                h = (h ^ load_le(p, 8)) * 0x87c37b91114253d5ULL;
                h ^= h >> 31;
                p += 8;
                len -= 8;
        }
        if (len)
                h = (h ^ load_le(p, len)) * 0x87c37b91114253d5ULL;
        return fmix64(h);
}

/* The lowest bit tells unigram (0) from bigram (1) keys, so the trainer can treat the two
 * kinds differently without storing a kind per feature. */
uint32_t ne_topic_key_unigram(uint64_t h)
{
        return (uint32_t)(h >> 32) & ~1u; /* h is already well mixed */
}

uint32_t ne_topic_key_bigram(uint64_t prev, uint64_t cur)
{
        return (uint32_t)(fmix64(prev * 0x9E3779B97F4A7C15ULL + cur + 0x3333333333333333ULL) >>
                          32) |
               1u;
}

struct feat_state {
        uint32_t flags;
        uint32_t seed;
        uint64_t prev;
        bool have_prev;
        ne_topic_key_fn fn;
        void *ud;
};

static int feat_token(const char *tok, size_t len, void *ud)
{
        struct feat_state *st = ud;
        uint64_t h = ne_topic_hash_token(tok, len, st->seed);
        int r = st->fn(ne_topic_key_unigram(h), st->ud);
        if (r)
                return r;
        if (st->flags & NE_TOPIC_F_BIGRAMS) {
                if (st->have_prev) {
                        r = st->fn(ne_topic_key_bigram(st->prev, h), st->ud);
                        if (r)
                                return r;
                }
                st->prev = h;
                st->have_prev = true;
        }
        return 0;
}

static bool is_space(unsigned char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ascii_punct(unsigned char c)
{
        return c > ' ' && c < 0x7F && !(c >= '0' && c <= '9') &&
               !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Compound words: a whitespace-delimited chunk with punctuation inside ("e-mail", "u.s.",
 * "c++", an address or a host name) becomes one more unigram, besides its alphanumeric parts,
 * keyed apart from ordinary tokens by a second hash seed. */
static int compound_keys(const char *text, size_t len, uint32_t seed, ne_topic_key_fn fn, void *ud)
{
        char buf[NE_TOPIC_MAX_TOKEN];
        size_t i = 0;
        while (i < len) {
                while (i < len && is_space((unsigned char)text[i]))
                        i++;
                size_t start = i;
                while (i < len && !is_space((unsigned char)text[i]))
                        i++;
                size_t a = start, b = i;
                while (a < b && is_ascii_punct((unsigned char)text[a]))
                        a++;
                while (b > a && is_ascii_punct((unsigned char)text[b - 1]))
                        b--;
                if (b - a < 3)
                        continue;
                bool inner = false;
                size_t n = 0;
                for (size_t k = a; k < b; k++) {
                        unsigned char c = (unsigned char)text[k];
                        inner = inner || is_ascii_punct(c);
                        if (n < sizeof(buf))
                                buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
                }
                if (!inner)
                        continue;
                int r = fn(ne_topic_key_unigram(ne_topic_hash_token(buf, n, ~seed)), ud);
                if (r)
                        return r;
        }
        return 0;
}

int ne_topic_featurize(const char *text, size_t len, uint32_t flags, uint32_t seed,
                       ne_topic_key_fn fn, void *ud)
{
        struct feat_state st = {.flags = flags, .seed = seed, .fn = fn, .ud = ud};
        int r = ne_topic_tokenize(text, len, flags, feat_token, &st);
        if (r == 0 && (flags & NE_TOPIC_F_COMPOUND))
                r = compound_keys(text, len, seed, fn, ud);
        return r;
}
