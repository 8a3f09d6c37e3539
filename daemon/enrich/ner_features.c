/* Feature extraction for the tagger, shared by training and tagging so the two can never
 * disagree: per-token inputs (word hashes, shape, capitalisation, Brown cluster, gazetteer
 * matches, document casing, prediction history) and the hashed feature keys of a token in its
 * sentence window. Never allocates; the caller sizes every buffer. */
#include <string.h>

#include "ner_impl.h"

enum tpl {
        T_BIAS = 1,
        T_W0,
        T_L0,
        T_LM1,
        T_LP1,
        T_LM2,
        T_LP2,
        T_LM1L0,
        T_L0LP1,
        T_S0,
        T_SM1,
        T_SP1,
        T_SM1S0,
        T_S0SP1,
        T_SM1S0SP1,
        T_PRE,
        T_SUF,
        T_CAP,
        T_CAPWIN,
        T_CLU,
        T_NOCLU,
        T_GAZ,
        T_DOCCASE,
        T_HIST,
        T_HISTCAP,
        T_LM1S0,
        T_S0LP1,
        T_W0CTX,
        T_HISTM1,
        T_HISTP1,
        T_CLU2,
};

static int is_upper(unsigned char c)
{
        return c >= 'A' && c <= 'Z';
}
static int is_lower(unsigned char c)
{
        return c >= 'a' && c <= 'z';
}
static int is_digit(unsigned char c)
{
        return c >= '0' && c <= '9';
}

uint8_t ner_cap_class(const unsigned char *s, size_t len)
{
        size_t up = 0, lo = 0, dg = 0, other = 0, lo_then_up = 0;
        for (size_t i = 0; i < len; i++) {
                if (is_upper(s[i])) {
                        up++;
                        if (lo)
                                lo_then_up = 1;
                } else if (is_lower(s[i])) {
                        lo++;
                } else if (is_digit(s[i])) {
                        dg++;
                } else {
                        other++;
                }
        }
        if (len == 0)
                return CAP_PUNCT;
        if (s[0] >= 0x80 && !up && !lo)
                return CAP_OTHER;
        if (dg)
                return dg == len ? CAP_DIGITS : CAP_HASDIGIT;
        if (!up && !lo)
                return CAP_PUNCT;
        if (is_lower(s[0]))
                return up ? CAP_MIXED : CAP_LOWER;
        if (up && !lo)
                return up == 1 ? CAP_ONE : CAP_ALL;
        if (is_upper(s[0]))
                return lo_then_up ? CAP_MIXED : CAP_INIT;
        return CAP_OTHER;
}

size_t ner_word_shape(const unsigned char *s, size_t len, char *buf, size_t cap)
{
        size_t n = 0;
        for (size_t i = 0; i < len && n < cap; i++) {
                char c;
                if (is_upper(s[i]))
                        c = 'X';
                else if (is_lower(s[i]))
                        c = 'x';
                else if (is_digit(s[i]))
                        c = 'd';
                else if (s[i] >= 0xC0)
                        c = 'u';
                else if (s[i] >= 0x80)
                        continue; /* continuation byte */
                else
                        c = (char)s[i];
                if (n > 0 && buf[n - 1] == c)
                        continue;
                buf[n++] = c;
        }
        return n;
}

static uint32_t shape_hash(const unsigned char *s, size_t len)
{
        char buf[16];
        size_t n = ner_word_shape(s, len, buf, sizeof(buf));
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)buf[i]) * 16777619u;
        return ner_fmix(h ^ 0x5eed);
}

static struct ner_docent *docmap_find(struct ner_docmap *dm, uint32_t key, bool insert)
{
        size_t i = key & dm->mask;
        for (;;) {
                if (dm->keys[i] == key)
                        return &dm->ents[i];
                if (dm->keys[i] == 0)
                        break;
                i = (i + 1) & dm->mask;
        }
        if (!insert)
                return NULL;
        dm->keys[i] = key;
        memset(&dm->ents[i], 0, sizeof(dm->ents[i]));
        return &dm->ents[i];
}

static const struct ner_docent *docmap_get(const struct ner_docmap *dm, uint32_t key)
{
        return docmap_find((struct ner_docmap *)dm, key, false);
}

/* Marks gazetteer matches starting at each token of [b, e): bits 4 * list + position. */
static void match_gazetteers(const struct ner_lex *lex, struct ner_tokinfo *ti, size_t b, size_t e)
{
        if (!lex->gaz.n)
                return;
        /* The table is megabytes: fetch the one- and two-token phrases a few positions
         * ahead so that the misses overlap. */
        const size_t ahead = 6;
        for (size_t i = b; i < e; i++) {
                if (i + ahead < e) {
                        uint32_t h1 = ner_phrase_step(NER_PHRASE_SEED, ti[i + ahead].hl);
                        __builtin_prefetch(&lex->gaz.slots[ner_phrase_key(h1, 1) & lex->gaz.mask]);
                        if (i + ahead + 1 < e) {
                                uint32_t h2 = ner_phrase_step(h1, ti[i + ahead + 1].hl);
                                __builtin_prefetch(
                                    &lex->gaz.slots[ner_phrase_key(h2, 2) & lex->gaz.mask]);
                        }
                }
                uint32_t h = NER_PHRASE_SEED;
                for (size_t len = 1; len <= NER_GAZ_MAX_LEN && i + len <= e; len++) {
                        h = ner_phrase_step(h, ti[i + len - 1].hl);
                        uint32_t val;
                        if (!ner_map_get(&lex->gaz, ner_phrase_key(h, len), &val))
                                break;
                        uint32_t lists = val & ~(uint32_t)NER_GAZ_PREFIX;
                        for (unsigned l = 0; lists; l++, lists >>= 1) {
                                if (!(lists & 1))
                                        continue;
                                uint64_t base = (uint64_t)1 << (4 * l);
                                if (len == 1) {
                                        ti[i].gaz |= base << NER_POS_U;
                                        continue;
                                }
                                ti[i].gaz |= base << NER_POS_B;
                                for (size_t k = i + 1; k + 1 < i + len; k++)
                                        ti[k].gaz |= base << NER_POS_I;
                                ti[i + len - 1].gaz |= base << NER_POS_L;
                        }
                        if (!(val & NER_GAZ_PREFIX))
                                break;
                }
        }
}

size_t ner_prepare_doc(const struct ner_lex *lex, const char *text, const struct ne_token *toks,
                       size_t n, struct ner_tokinfo *ti, struct ner_docmap *dm,
                       uint32_t *sent_start)
{
        size_t n_sents = 0;
        for (size_t i = 0; i < n; i++) {
                const unsigned char *s = (const unsigned char *)text + toks[i].start;
                size_t len = toks[i].end - toks[i].start;
                struct ner_word_hashes wh;
                ner_hash_word((const char *)s, len, &wh);
                struct ner_tokinfo *t = &ti[i];
                t->hw = wh.exact;
                t->hl = wh.lower;
                t->hs = shape_hash(s, len);
                t->capc = ner_cap_class(s, len);
                t->gaz = 0;
                t->ctx = 0;
                t->doccase = 0;
                t->hist = 0;
                t->path = -1;
                t->path2 = -1;
                if (i == 0 || (toks[i].flags & NE_TOK_SENT_START)) {
                        sent_start[n_sents++] = (uint32_t)i;
                        t->ctx |= NER_CTX_SENT_START;
                }
        }
        /* The cluster and gazetteer tables are megabytes: fetch a few tokens ahead so the
         * misses overlap instead of queueing. */
        const size_t ahead = 8;
        for (size_t i = 0; i < n; i++) {
                if (i + ahead < n && lex->clusters.slots)
                        __builtin_prefetch(
                            &lex->clusters.slots[ti[i + ahead].hw & lex->clusters.mask]);
                struct ner_tokinfo *t = &ti[i];
                uint32_t p;
                if (ner_map_get(&lex->clusters, t->hw, &p))
                        t->path = (int32_t)p;
                else if (t->capc != CAP_LOWER) {
                        const unsigned char *s = (const unsigned char *)text + toks[i].start;
                        struct ner_word_hashes wh;
                        ner_hash_word((const char *)s, toks[i].end - toks[i].start, &wh);
                        if ((t->capc == CAP_ALL && ner_map_get(&lex->clusters, wh.title, &p)) ||
                            ner_map_get(&lex->clusters, wh.lower, &p))
                                t->path = (int32_t)p;
                }
                if (ner_map_get(&lex->clusters, ner_cluster2_key(t->hw), &p))
                        t->path2 = (int32_t)p;
        }
        sent_start[n_sents] = (uint32_t)n;
        for (size_t si = 0; si < n_sents; si++) {
                size_t b = sent_start[si], e = sent_start[si + 1];
                int has_lower = 0, has_alpha = 0, n_alpha = 0, long_lower = 0;
                for (size_t i = b; i < e; i++) {
                        uint8_t c = ti[i].capc;
                        has_lower |= c == CAP_LOWER || c == CAP_INIT || c == CAP_MIXED;
                        has_alpha |= c == CAP_ALL || c == CAP_ONE;
                        n_alpha += c == CAP_LOWER || c == CAP_INIT || c == CAP_MIXED ||
                                   c == CAP_ALL || c == CAP_ONE;
                        long_lower |= c == CAP_LOWER && toks[i].end - toks[i].start >= 4;
                }
                uint8_t ctx = 0;
                if (has_alpha && !has_lower)
                        ctx = NER_CTX_CAPS_SENT;
                /* Running text almost always has a lowercase word of four letters or more
                 * ("beat", "said"); a Title Case headline has none. */
                else if (n_alpha >= 4 && !long_lower)
                        ctx = NER_CTX_TITLE_SENT;
                for (size_t i = b; i < e; i++)
                        ti[i].ctx |= ctx;
                match_gazetteers(lex, ti, b, e);
        }
        /* Casing in running text (not sentence-initial, not in a caps line) says whether a
         * word is a name: "BERLIN" in a headline is "Berlin" in the body. */
        for (size_t i = 0; i < n; i++) {
                if (ti[i].ctx)
                        continue;
                uint8_t bit;
                switch (ti[i].capc) {
                case CAP_LOWER:
                        bit = 1;
                        break;
                case CAP_INIT:
                case CAP_MIXED:
                        bit = 2;
                        break;
                case CAP_ALL:
                case CAP_ONE:
                        bit = 4;
                        break;
                default:
                        continue;
                }
                docmap_find(dm, ti[i].hl, true)->casebits |= bit;
        }
        for (size_t i = 0; i < n; i++) {
                const struct ner_docent *d = docmap_get(dm, ti[i].hl);
                ti[i].doccase = d ? d->casebits : 0;
        }
        return n_sents;
}

void ner_hist_fill(const struct ner_docmap *dm, struct ner_tokinfo *ti, size_t b, size_t e)
{
        for (size_t i = b; i < e; i++) {
                ti[i].hist = 0;
                if (ti[i].capc == CAP_LOWER || ti[i].capc == CAP_PUNCT)
                        continue;
                const struct ner_docent *d = docmap_get(dm, ti[i].hl);
                if (!d)
                        continue;
                unsigned best = NE_ENT__COUNT, kinds = 0;
                for (unsigned t = 0; t <= NE_ENT__COUNT; t++) {
                        if (!d->cnt[t])
                                continue;
                        kinds++;
                        if (best == NE_ENT__COUNT || d->cnt[t] > d->cnt[best])
                                best = t;
                }
                if (kinds)
                        ti[i].hist = (uint8_t)(1 + best + (kinds > 1 ? 8 : 0));
        }
}

void ner_hist_record(struct ner_docmap *dm, const struct ner_tokinfo *ti, const uint8_t *tags,
                     size_t b, size_t e)
{
        for (size_t i = b; i < e; i++) {
                if (ti[i].capc == CAP_LOWER || ti[i].capc == CAP_PUNCT)
                        continue;
                /* dm holds at most one entry per token, and is sized 2n: never full */
                struct ner_docent *d = docmap_find(dm, ti[i].hl, true);
                unsigned t =
                    tags[i - b] == NER_TAG_O ? NE_ENT__COUNT : (unsigned)ner_tag_type(tags[i - b]);
                if (d->cnt[t] < UINT16_MAX)
                        d->cnt[t]++;
        }
}

static uint32_t affix_hash(const unsigned char *s, size_t len, int lower)
{
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = s[i];
                if (lower && is_upper(c))
                        c = (unsigned char)(c + 32);
                h = (h ^ c) * 16777619u;
        }
        return h;
}

#define BOUND(j) (0xb0b0b0b0u + (uint32_t)(j))

size_t ner_features(const struct ner_lex *lex, const char *text, const struct ne_token *toks,
                    const struct ner_tokinfo *ti, size_t b, size_t e, size_t i, uint32_t *keys)
{
        size_t n = 0;
        const struct ner_tokinfo *t = &ti[i];
        uint32_t lm1 = i > b ? ti[i - 1].hl : BOUND(1);
        uint32_t lm2 = i > b + 1 ? ti[i - 2].hl : BOUND(2);
        uint32_t lp1 = i + 1 < e ? ti[i + 1].hl : BOUND(3);
        uint32_t lp2 = i + 2 < e ? ti[i + 2].hl : BOUND(4);
        uint32_t sm1 = i > b ? ti[i - 1].hs : BOUND(1);
        uint32_t sp1 = i + 1 < e ? ti[i + 1].hs : BOUND(3);
        uint32_t cm1 = i > b ? ti[i - 1].capc : 15;
        uint32_t cp1 = i + 1 < e ? ti[i + 1].capc : 15;

        keys[n++] = ner_key(T_BIAS, 0, 0);
        keys[n++] = ner_key(T_W0, t->hw, 0);
        keys[n++] = ner_key(T_L0, t->hl, 0);
        keys[n++] = ner_key(T_LM1, lm1, 0);
        keys[n++] = ner_key(T_LP1, lp1, 0);
        keys[n++] = ner_key(T_LM2, lm2, 0);
        keys[n++] = ner_key(T_LP2, lp2, 0);
        keys[n++] = ner_key(T_LM1L0, lm1, t->hl);
        keys[n++] = ner_key(T_L0LP1, t->hl, lp1);
        keys[n++] = ner_key(T_S0, t->hs, 0);
        keys[n++] = ner_key(T_SM1, sm1, 0);
        keys[n++] = ner_key(T_SP1, sp1, 0);
        keys[n++] = ner_key(T_SM1S0, sm1, t->hs);
        keys[n++] = ner_key(T_S0SP1, t->hs, sp1);
        keys[n++] = ner_key(T_SM1S0SP1, ner_mix(sm1, t->hs), sp1);
        keys[n++] = ner_key(T_LM1S0, lm1, t->hs);
        keys[n++] = ner_key(T_S0LP1, t->hs, lp1);
        keys[n++] = ner_key(T_CAP, t->capc, t->ctx);
        keys[n++] = ner_key(T_CAPWIN, cm1 | (uint32_t)t->capc << 4 | cp1 << 8, t->ctx);
        keys[n++] = ner_key(T_W0CTX, t->hw, t->ctx);

        const unsigned char *s = (const unsigned char *)text + toks[i].start;
        size_t len = toks[i].end - toks[i].start;
        for (size_t k = 1; k <= 4 && k < len; k++) {
                keys[n++] = ner_key(T_PRE, (uint32_t)k, affix_hash(s, k, 0));
                keys[n++] = ner_key(T_SUF, (uint32_t)k, affix_hash(s + len - k, k, 1));
        }

        static const uint8_t plens[4] = {4, 6, 10, 20};
        for (int off = -1; off <= 1; off++) {
                size_t j = i + (size_t)(ptrdiff_t)off;
                if ((off < 0 && i == b) || (off > 0 && i + 1 >= e))
                        continue;
                int32_t p = ti[j].path;
                if (p < 0) {
                        keys[n++] = ner_key(T_NOCLU, (uint32_t)(off + 1), 0);
                        continue;
                }
                uint32_t bits = lex->path_bits[p], plen = lex->path_len[p];
                for (unsigned k = 0; k < 4; k++) {
                        uint32_t l = plens[k] < plen ? plens[k] : plen;
                        uint32_t v = (bits >> (plen - l)) | l << 24;
                        keys[n++] = ner_key(T_CLU, v, (uint32_t)((off + 1) * 4 + (int)k));
                }
        }

        if (t->path2 >= 0) {
                uint32_t bits = lex->path_bits[t->path2], plen = lex->path_len[t->path2];
                for (unsigned k = 0; k < 4; k++) {
                        uint32_t l = plens[k] < plen ? plens[k] : plen;
                        uint32_t v = (bits >> (plen - l)) | l << 24;
                        keys[n++] = ner_key(T_CLU2, v, k);
                }
        }

        for (int off = -1; off <= 1; off++) {
                if ((off < 0 && i == b) || (off > 0 && i + 1 >= e))
                        continue;
                uint64_t g = ti[i + (size_t)(ptrdiff_t)off].gaz;
                for (unsigned c = 0; g && c < 24; c++, g &= g - 1)
                        keys[n++] =
                            ner_key(T_GAZ, (uint32_t)__builtin_ctzll(g), (uint32_t)(off + 1));
        }

        keys[n++] = ner_key(T_DOCCASE, t->doccase | (uint32_t)t->capc << 4, t->ctx);
        keys[n++] = ner_key(T_HIST, t->hist, 0);
        keys[n++] = ner_key(T_HISTCAP, t->hist, t->capc | (uint32_t)t->ctx << 4);
        keys[n++] = ner_key(T_HISTM1, i > b ? ti[i - 1].hist : 0xff, t->hist);
        keys[n++] = ner_key(T_HISTP1, i + 1 < e ? ti[i + 1].hist : 0xff, t->hist);
        return n;
}
