/* Training-data augmentation for Title Case headlines. CoNLL-2003 writes headlines in capitals
 * ("GERMANY BEAT JAPAN IN OPENER"), while much news text writes them in Title Case ("Germany
 * Beat Japan In Opener"), where every word looks like a name. For each training document
 * with all-caps lines this adds a copy whose all-caps lines are title-cased, labels unchanged,
 * so the model learns what a title-case line looks like. Acronyms stay in capitals: a word is
 * title-cased only when its title-case form is in the Brown cluster vocabulary (or, without
 * clusters, when it has 4 letters or more). Training only; the result is a new corpus. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ner_impl.h"

struct sbuf {
        char *p;
        size_t len, cap;
};

static int put(struct sbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 1 << 16;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *p = realloc(b->p, cap);
                if (!p)
                        return -ENOMEM;
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        return 0;
}

static int put_str(struct sbuf *b, const char *s)
{
        return put(b, s, strlen(s));
}

static bool sentence_is_caps(const struct ne_conll_corpus *c, size_t b, size_t e)
{
        bool upper = false;
        for (size_t i = b; i < e; i++) {
                for (uint32_t k = c->toks[i].start; k < c->toks[i].end; k++) {
                        char ch = c->text[k];
                        if (ch >= 'a' && ch <= 'z')
                                return false;
                        upper |= ch >= 'A' && ch <= 'Z';
                }
        }
        return upper;
}

/* Writes token i, title-cased when it is an all-caps word whose title form is known. */
static int put_token(struct sbuf *b, const struct ner_lex *lex, const char *s, size_t len,
                     bool title)
{
        char w[NE_CONLL_MAX_TOKEN];
        if (!title || len < 2 || len > sizeof(w))
                return put(b, s, len);
        size_t letters = 0;
        for (size_t k = 0; k < len; k++) {
                if (s[k] >= '0' && s[k] <= '9')
                        return put(b, s, len);
                letters += s[k] >= 'A' && s[k] <= 'Z';
        }
        memcpy(w, s, len);
        for (size_t k = 1; k < len; k++)
                if (w[k] >= 'A' && w[k] <= 'Z')
                        w[k] = (char)(w[k] + 32);
        bool known;
        if (lex->clusters.n) {
                struct ner_word_hashes wh;
                uint32_t v;
                ner_hash_word(w, len, &wh);
                known = ner_map_get(&lex->clusters, wh.exact, &v);
        } else {
                known = letters >= 4;
        }
        return put(b, known ? w : s, len);
}

static const char *tag_name(uint8_t tag)
{
        static const char *names[] = {"O",     "B-PER", "I-PER",  "B-ORG", "I-ORG",
                                      "B-LOC", "I-LOC", "B-MISC", "I-MISC"};
        return tag < sizeof(names) / sizeof(names[0]) ? names[tag] : "O";
}

static int put_doc(struct sbuf *b, const struct ner_lex *lex, const struct ne_conll_corpus *c,
                   size_t d, bool title)
{
        int r = put_str(b, "-DOCSTART- O\n");
        size_t db = c->doc_start[d], de = c->doc_start[d + 1];
        size_t sb = db;
        while (r == 0 && sb < de) {
                size_t se = sb + 1;
                while (se < de && !(c->toks[se].flags & NE_TOK_SENT_START))
                        se++;
                bool caps = title && sentence_is_caps(c, sb, se);
                r = put_str(b, "\n");
                for (size_t i = sb; r == 0 && i < se; i++) {
                        r = put_token(b, lex, c->text + c->toks[i].start,
                                      c->toks[i].end - c->toks[i].start, caps);
                        if (r == 0)
                                r = put_str(b, " ");
                        if (r == 0)
                                r = put_str(b, tag_name(c->tags[i]));
                        if (r == 0)
                                r = put_str(b, "\n");
                }
                sb = se;
        }
        return r;
}

int ner_augment_title_case(const struct ne_conll_corpus *c, const struct ner_lex *lex,
                           struct ne_conll_corpus **ret, size_t *ret_added)
{
        struct sbuf b = {0};
        size_t added = 0;
        int r = 0;
        for (size_t d = 0; r == 0 && d < c->n_docs; d++)
                r = put_doc(&b, lex, c, d, false);
        for (size_t d = 0; r == 0 && d < c->n_docs; d++) {
                size_t db = c->doc_start[d], de = c->doc_start[d + 1], sb = db;
                bool any = false;
                while (sb < de && !any) {
                        size_t se = sb + 1;
                        while (se < de && !(c->toks[se].flags & NE_TOK_SENT_START))
                                se++;
                        any = sentence_is_caps(c, sb, se);
                        sb = se;
                }
                if (any) {
                        r = put_doc(&b, lex, c, d, true);
                        added++;
                }
        }
        if (r == 0)
                r = ne_conll_parse(b.p ? b.p : "", b.len, ret, NULL);
        free(b.p);
        if (r == 0 && ret_added)
                *ret_added = added;
        return r;
}
