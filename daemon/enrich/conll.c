/* CoNLL-2003 reader: turns the one-token-per-line format into a joined text buffer, ne_token
 * offsets, IOB2-normalised tags and document boundaries. It validates every line it keeps
 * and reports the first bad one by line number; it never logs and never guesses a tag. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/array.h"
#include "ne/conll.h"

struct builder {
        struct ne_conll_corpus *c;
        size_t text_cap, tok_cap, tag_cap, doc_cap;
        int prev_tag_type; /* type of the previous token's entity, -1 for O / sentence start */
        int sent_open;
};

static int parse_tag(const char *s, size_t len, int *ret_type, int *ret_begin)
{
        static const char *names[NE_ENT__COUNT] = {"PER", "ORG", "LOC", "MISC"};
        if (len == 1 && s[0] == 'O') {
                *ret_type = -1;
                *ret_begin = 0;
                return 0;
        }
        if (len < 3 || (s[0] != 'B' && s[0] != 'I') || s[1] != '-')
                return -EINVAL;
        for (int t = 0; t < NE_ENT__COUNT; t++) {
                if (strlen(names[t]) == len - 2 && memcmp(names[t], s + 2, len - 2) == 0) {
                        *ret_type = t;
                        *ret_begin = s[0] == 'B';
                        return 0;
                }
        }
        return -EINVAL;
}

static int start_doc(struct builder *b)
{
        struct ne_conll_corpus *c = b->c;
        /* A document with no tokens yet is reused rather than recorded empty. */
        if (c->doc_start[c->n_docs - 1] == c->n_toks)
                return 0;
        if (ne_array_grow((void **)&c->doc_start, &b->doc_cap, c->n_docs + 2, sizeof(size_t)) < 0)
                return -ENOMEM;
        c->doc_start[c->n_docs++] = c->n_toks;
        return 0;
}

static int add_token(struct builder *b, const char *tok, size_t tlen, int type, int begin)
{
        struct ne_conll_corpus *c = b->c;
        if (c->n_toks >= NE_CONLL_MAX_TOKENS)
                return -E2BIG;
        if (ne_array_grow((void **)&c->toks, &b->tok_cap, c->n_toks + 1, sizeof(*c->toks)) < 0 ||
            ne_array_grow((void **)&c->tags, &b->tag_cap, c->n_toks + 1, 1) < 0)
                return -ENOMEM;
        if (ne_array_grow((void **)&c->text, &b->text_cap, c->text_len + tlen + 2, 1) < 0)
                return -ENOMEM;
        uint32_t flags = 0;
        if (!b->sent_open) {
                if (c->text_len > 0)
                        c->text[c->text_len++] = '\n';
                flags = NE_TOK_SENT_START | NE_TOK_LINE_START;
                b->sent_open = 1;
                b->prev_tag_type = -1;
                c->n_sents++;
        } else {
                c->text[c->text_len++] = ' ';
        }
        struct ne_token *t = &c->toks[c->n_toks];
        t->start = (uint32_t)c->text_len;
        memcpy(c->text + c->text_len, tok, tlen);
        c->text_len += tlen;
        t->end = (uint32_t)c->text_len;
        t->cp_start = t->start; /* fixed up once the text is complete */
        t->cp_end = t->end;
        t->flags = flags;
        uint8_t tag = NE_CONLL_TAG_O;
        if (type >= 0)
                tag = (begin || b->prev_tag_type != type) ? NE_CONLL_TAG_B(type)
                                                          : NE_CONLL_TAG_I(type);
        c->tags[c->n_toks] = tag;
        b->prev_tag_type = type;
        c->n_toks++;
        return 0;
}

/* Code point offsets: the text is whatever bytes the file held, so count lead bytes. */
static void fill_cp_offsets(struct ne_conll_corpus *c)
{
        uint32_t cp = 0;
        size_t pos = 0;
        for (size_t i = 0; i < c->n_toks; i++) {
                struct ne_token *t = &c->toks[i];
                for (; pos < t->start; pos++)
                        cp += ((unsigned char)c->text[pos] & 0xC0) != 0x80;
                t->cp_start = cp;
                for (; pos < t->end; pos++)
                        cp += ((unsigned char)c->text[pos] & 0xC0) != 0x80;
                t->cp_end = cp;
        }
}

static void set_line(struct ne_diag *diag, int lineno)
{
        if (diag)
                diag->line = lineno;
}

static int is_space(char ch)
{
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static int parse_line(struct builder *b, const char *s, size_t len, int lineno,
                      struct ne_diag *diag)
{
        size_t a = 0, z = len;
        while (a < z && is_space(s[a]))
                a++;
        while (z > a && is_space(s[z - 1]))
                z--;
        if (a == z) {
                b->sent_open = 0;
                return 0;
        }
        size_t tok_end = a;
        while (tok_end < z && !is_space(s[tok_end]))
                tok_end++;
        if (tok_end - a == 10 && memcmp(s + a, "-DOCSTART-", 10) == 0) {
                b->sent_open = 0;
                return start_doc(b);
        }
        if (tok_end == z) {
                set_line(diag, lineno);
                return ne_diag_set(diag, -EINVAL, "line %d: no tag column", lineno);
        }
        size_t tag_start = z;
        while (tag_start > tok_end && !is_space(s[tag_start - 1]))
                tag_start--;
        int type, begin;
        if (parse_tag(s + tag_start, z - tag_start, &type, &begin) < 0) {
                set_line(diag, lineno);
                return ne_diag_set(diag, -EINVAL, "line %d: unknown tag '%.*s'", lineno,
                                   (int)(z - tag_start > 32 ? 32 : z - tag_start), s + tag_start);
        }
        if (tok_end - a > NE_CONLL_MAX_TOKEN) {
                set_line(diag, lineno);
                return ne_diag_set(diag, -EINVAL, "line %d: token longer than %d bytes", lineno,
                                   NE_CONLL_MAX_TOKEN);
        }
        int r = add_token(b, s + a, tok_end - a, type, begin);
        if (r == -E2BIG) {
                set_line(diag, lineno);
                return ne_diag_set(diag, -E2BIG, "line %d: more than %d tokens", lineno,
                                   NE_CONLL_MAX_TOKENS);
        }
        return r;
}

int ne_conll_parse(const char *data, size_t len, struct ne_conll_corpus **ret, struct ne_diag *diag)
{
        struct builder b = {0};
        int r = -ENOMEM;
        b.c = calloc(1, sizeof(*b.c));
        if (!b.c)
                return -ENOMEM;
        if (ne_array_grow((void **)&b.c->doc_start, &b.doc_cap, 2, sizeof(size_t)) < 0)
                goto err_free;
        b.c->doc_start[0] = 0;
        b.c->doc_start[1] = 0;
        b.c->n_docs = 1;
        size_t pos = 0;
        int lineno = 0;
        while (pos < len) {
                const char *nl = memchr(data + pos, '\n', len - pos);
                size_t end = nl ? (size_t)(nl - data) : len;
                lineno++;
                r = parse_line(&b, data + pos, end - pos, lineno, diag);
                if (r < 0)
                        goto err_free;
                pos = end + 1;
        }
        /* The last document ends at the last token; a trailing -DOCSTART- left it empty. */
        if (b.c->n_docs > 1 && b.c->doc_start[b.c->n_docs - 1] == b.c->n_toks)
                b.c->n_docs--;
        b.c->doc_start[b.c->n_docs] = b.c->n_toks;
        if (b.c->n_toks == 0)
                b.c->n_docs = 0;
        if (ne_array_grow((void **)&b.c->text, &b.text_cap, b.c->text_len + 1, 1) < 0) {
                r = -ENOMEM;
                goto err_free;
        }
        b.c->text[b.c->text_len] = '\0';
        fill_cp_offsets(b.c);
        *ret = b.c;
        return 0;
err_free:
        ne_conll_free(b.c);
        return r;
}

int ne_conll_read_file(const char *path, struct ne_conll_corpus **ret, struct ne_diag *diag)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return ne_diag_set(diag, -errno, "%s: %s", path, strerror(errno));
        char *data = NULL;
        size_t len = 0, cap = 0;
        int r = 0;
        for (;;) {
                if (ne_array_grow((void **)&data, &cap, len + 65536, 1) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                size_t n = fread(data + len, 1, cap - len, f);
                len += n;
                if (n == 0)
                        break;
        }
        if (ferror(f)) {
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
                goto out;
        }
        r = ne_conll_parse(data, len, ret, diag);
out:
        free(data);
        fclose(f);
        return r;
}

void ne_conll_free(struct ne_conll_corpus *corpus)
{
        if (!corpus)
                return;
        free(corpus->text);
        free(corpus->toks);
        free(corpus->tags);
        free(corpus->doc_start);
        free(corpus);
}

size_t ne_conll_spans(const struct ne_conll_corpus *corpus, size_t begin, size_t end,
                      struct ne_conll_span *ret_spans, size_t max)
{
        size_t n = 0;
        size_t i = begin;
        while (i < end) {
                uint8_t tag = corpus->tags[i];
                if (tag == NE_CONLL_TAG_O) {
                        i++;
                        continue;
                }
                int type = (tag - 1) / 2;
                size_t j = i + 1;
                while (j < end && corpus->tags[j] == NE_CONLL_TAG_I(type) &&
                       !(corpus->toks[j].flags & NE_TOK_SENT_START))
                        j++;
                if (n < max) {
                        ret_spans[n].tok_begin = (uint32_t)i;
                        ret_spans[n].tok_end = (uint32_t)j;
                        ret_spans[n].type = (enum ne_entity_type)type;
                }
                n++;
                i = j;
        }
        return n;
}
