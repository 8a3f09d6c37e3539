/* Document entities from tagger spans: strips possessives and edge punctuation from each
 * mention, folds it into a matching key (normalised, lowercased, periods dropped), groups the
 * mentions in text order into clusters, votes a type, and ranks the clusters by salience. All
 * working memory is allocated per call and freed before returning; the output is owned by the
 * caller's struct ne_enrichment. Must not log: errors go to struct ne_diag. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "charclass.h"
#include "ne/entities.h"
#include "ne/tokenize.h"
#include "ne/utf8.h"

struct mention {
        uint32_t in;     /* input index */
        uint32_t tb, te; /* token range after stripping */
        enum ne_entity_type type;
        float conf;
        size_t key; /* offset of the folded key in the arena */
        uint32_t key_len;
        uint32_t core_len; /* key without trailing company designators */
        uint32_t n_words;
        bool caps; /* has letters, all uppercase */
        uint32_t cluster;
};

struct cluster {
        uint32_t best;  /* mention with the fullest form */
        uint32_t first; /* first mention (mentions are in text order) */
        uint32_t last;
        uint32_t n;
        float votes[NE_ENT__COUNT];
        double miss; /* prod(1 - c_i) */
        bool in_title;
        float salience;
        float confidence;
        enum ne_entity_type type;
};

struct build {
        const struct ne_entity_input *in;
        struct mention *m;
        size_t n_m;
        char *arena;
        size_t arena_len;
        struct cluster *c;
        size_t n_c;
};

/* Tokens that are never part of a name at a span's edge (normalised forms). */
static bool is_edge_junk(const char *text, const struct ne_token *t)
{
        static const char *const junk[] = {"'s", "'S", "'", "\"", "(", ")",  "[",  "]", ",", ".",
                                           ":",  ";",  "-", "--", "`", "``", "''", "<", ">"};
        char buf[8];
        size_t n = ne_token_norm(text, t, buf, sizeof(buf));
        if (n >= sizeof(buf))
                return false;
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
                if (strcmp(buf, junk[i]) == 0)
                        return true;
        return false;
}

static size_t put_utf8(char *out, int32_t cp)
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

/* Lowercases s[0..n) in place and drops periods; returns the new length (never longer: the
 * lowercase forms ne_tokenize_lower gives are no longer in UTF-8 than their capitals). Sets
 * *has_upper / *has_lower when it meets an uppercase / lowercase letter. */
static size_t fold(char *s, size_t n, bool *has_upper, bool *has_lower)
{
        size_t r = 0, w = 0;
        while (r < n) {
                size_t at = r;
                int32_t cp = ne_utf8_next(s, n, &r);
                if (cp < 0) {
                        s[w++] = s[at]; /* cannot happen for tokenizer output; keep the byte */
                        continue;
                }
                if (cp == '.')
                        continue;
                enum cc c = cc_of(cp);
                *has_upper |= c == CC_UPPER;
                *has_lower |= c == CC_LOWER;
                w += put_utf8(s + w, ne_tokenize_lower(cp));
        }
        return w;
}

static bool is_designator(const char *w, size_t n)
{
        static const char *const des[] = {
            "corp", "corporation", "inc",      "incorporated", "co", "company", "cos",
            "ltd",  "limited",     "plc",      "llc",          "lp", "ag",      "sa",
            "nv",   "bv",          "gmbh",     "spa",          "ab", "asa",     "oyj",
            "se",   "group",       "holdings", "holding"};
        for (size_t i = 0; i < sizeof(des) / sizeof(des[0]); i++)
                if (strlen(des[i]) == n && memcmp(w, des[i], n) == 0)
                        return true;
        return false;
}

/* Builds the key of mention m into the arena: folded tokens joined by single spaces. */
static void make_key(struct build *b, struct mention *m)
{
        const struct ne_entity_input *in = &b->in[m->in];
        char *key = b->arena + b->arena_len;
        size_t len = 0;
        bool up = false, low = false;
        m->n_words = 0;
        for (uint32_t t = m->tb; t < m->te; t++) {
                const struct ne_token *tok = &in->toks[t];
                size_t room = tok->end - tok->start + 1;
                size_t n = ne_token_norm(in->text, tok, key + len, room);
                if (n >= room)
                        n = strlen(key + len); /* cannot happen: norm never grows a token */
                n = fold(key + len, n, &up, &low);
                if (n == 0)
                        continue;
                m->n_words++;
                len += n;
                key[len++] = ' ';
        }
        if (len > 0)
                len--; /* the last separator */
        m->key = b->arena_len;
        m->key_len = (uint32_t)len;
        m->caps = up && !low;
        b->arena_len += len + 1;
        /* the core drops trailing designators, keeping at least one word */
        size_t core = len;
        for (;;) {
                size_t sp = core;
                while (sp > 0 && key[sp - 1] != ' ')
                        sp--;
                if (sp == 0 || !is_designator(key + sp, core - sp))
                        break;
                core = sp - 1;
        }
        m->core_len = (uint32_t)core;
}

static const char *key_of(const struct build *b, const struct mention *m)
{
        return b->arena + m->key;
}

static bool same(const char *a, size_t na, const char *c, size_t nc)
{
        return na == nc && memcmp(a, c, na) == 0;
}

/* The words of s (ns bytes) are the last words of l (nl bytes). */
static bool word_suffix(const char *s, size_t ns, const char *l, size_t nl)
{
        return ns > 0 && ns < nl && l[nl - ns - 1] == ' ' && memcmp(l + nl - ns, s, ns) == 0;
}

static bool is_stopword(const char *w, size_t n)
{
        static const char *const stop[] = {"of",  "the", "and", "for", "de", "du",
                                           "des", "la",  "le",  "&",   "on", "in"};
        for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
                if (strlen(stop[i]) == n && memcmp(w, stop[i], n) == 0)
                        return true;
        return false;
}

/* The single word s spells the initials of the words of l ("eu", "european union"). */
static bool is_acronym_of(const char *s, size_t ns, const char *l, size_t nl)
{
        size_t k = 0, words = 0;
        for (size_t i = 0; i < nl;) {
                size_t j = i;
                while (j < nl && l[j] != ' ')
                        j++;
                if (!is_stopword(l + i, j - i)) {
                        if (k >= ns || l[i] != s[k] || (unsigned char)l[i] >= 0x80)
                                return false;
                        k++;
                        words++;
                }
                i = j + 1;
        }
        return words >= 2 && k == ns;
}

/* Strong match: same words, or same words once designators are dropped. */
static bool strong_match(const struct build *b, const struct mention *m, const struct mention *e)
{
        const char *mk = key_of(b, m), *ek = key_of(b, e);
        return same(mk, m->key_len, ek, e->key_len) || same(mk, m->core_len, ek, e->core_len);
}

/* Weak match of a mention typed `type` (its cluster's vote, which is steadier than the one
 * mention's tag: a headline's "Nadella" may be tagged LOC) against another cluster: a surname
 * against a full name (either order), an acronym against a name. */
static bool weak_match(const struct build *b, const struct mention *m, enum ne_entity_type type,
                       const struct cluster *c)
{
        const struct mention *e = &b->m[c->best];
        const char *mk = key_of(b, m), *ek = key_of(b, e);
        if (c->type == NE_ENT_PER && type == NE_ENT_PER)
                return word_suffix(mk, m->key_len, ek, e->key_len) ||
                       word_suffix(ek, e->key_len, mk, m->key_len);
        if (m->n_words == 1 && m->caps && m->key_len >= 2 && c->type != NE_ENT_PER)
                return is_acronym_of(mk, m->key_len, ek, e->core_len);
        return false;
}

/* m's form is fuller than the current best's. */
static bool fuller(const struct build *b, const struct mention *m, const struct mention *best)
{
        if (m->n_words != best->n_words)
                return m->n_words > best->n_words;
        if (m->caps != best->caps)
                return !m->caps;
        const struct ne_entity_input *mi = &b->in[m->in], *bi = &b->in[best->in];
        uint32_t ml = mi->toks[m->te - 1].end - mi->toks[m->tb].start;
        uint32_t bl = bi->toks[best->te - 1].end - bi->toks[best->tb].start;
        return ml > bl;
}

static void vote(struct cluster *c)
{
        enum ne_entity_type t = c->type;
        for (int k = 0; k < NE_ENT__COUNT; k++)
                if (c->votes[k] > c->votes[t])
                        t = (enum ne_entity_type)k;
        c->type = t;
}

static void join(struct build *b, uint32_t mi, uint32_t ci)
{
        struct mention *m = &b->m[mi];
        struct cluster *c = &b->c[ci];
        m->cluster = ci;
        c->n++;
        /* mentions are grouped fullest form first, not in text order */
        if (mi < c->first)
                c->first = mi;
        if (mi > c->last)
                c->last = mi;
        c->votes[m->type] += m->conf + 1e-6f; /* zero-confidence mentions still vote */
        c->miss *= 1.0 - (double)m->conf;
        if (b->in[m->in].field == NE_FIELD_TITLE)
                c->in_title = true;
        if (fuller(b, m, &b->m[c->best]))
                c->best = mi;
        vote(c);
}

/* Longer mentions first, then text order: a full name must found its entity before a short
 * form can join it, even when the short form comes first (a headline's "Nadella" before the
 * body's "Satya Nadella"). The order is packed into one integer (fewer words sort later) so
 * that qsort needs no global state: worker threads build entities concurrently. */
static uint64_t order_key(const struct mention *m, uint32_t i)
{
        return ((uint64_t)(UINT32_MAX - m->n_words) << 32) | i;
}

static int cmp_u64(const void *pa, const void *pb)
{
        uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
        return a < b ? -1 : a > b;
}

/* Among the other clusters that cluster `ci` weakly matches, the one whose first mention is
 * the nearest before ci's, else the nearest after it: the nearest "Smith" wins. Returns
 * b->n_c when none matches. */
static size_t nearest_weak(const struct build *b, size_t ci)
{
        const struct cluster *src = &b->c[ci];
        const struct mention *m = &b->m[src->best];
        size_t best = b->n_c;
        for (size_t k = 0; k < b->n_c; k++) {
                if (k == ci || b->c[k].n == 0 || b->m[b->c[k].best].n_words <= m->n_words ||
                    !weak_match(b, m, src->type, &b->c[k]))
                        continue;
                if (best == b->n_c) {
                        best = k;
                        continue;
                }
                uint32_t fk = b->c[k].first, fb = b->c[best].first, mi = src->first;
                bool k_before = fk < mi, b_before = fb < mi;
                if (k_before != b_before ? k_before : (k_before ? fk > fb : fk < fb))
                        best = k;
        }
        return best;
}

static void new_cluster(struct build *b, uint32_t i)
{
        b->c[b->n_c] = (struct cluster){
                .best = i, .first = i, .last = i, .miss = 1.0, .type = b->m[i].type};
        b->n_c++;
}

/* Moves every mention of cluster src into dst and leaves src empty. */
static void merge_into(struct build *b, size_t src, size_t dst)
{
        for (uint32_t i = 0; i < b->n_m; i++)
                if (b->m[i].cluster == src)
                        join(b, i, (uint32_t)dst);
        b->c[src].n = 0;
}

/* Drops empty clusters and renumbers the mentions' cluster indexes. */
static void compact(struct build *b)
{
        size_t kept = 0;
        for (size_t k = 0; k < b->n_c; k++) {
                if (b->c[k].n == 0)
                        continue;
                for (uint32_t i = 0; i < b->n_m; i++)
                        if (b->m[i].cluster == k)
                                b->m[i].cluster = (uint32_t)kept;
                b->c[kept++] = b->c[k];
        }
        b->n_c = kept;
}

/* Two passes. First identical names (and names that differ only by a company designator) form
 * clusters, fullest forms first so "Microsoft Corp." founds the cluster "Microsoft" joins.
 * Then each cluster of short names joins the nearest cluster of fuller names it weakly
 * matches, whatever the text order (a headline's "Nadella" before the body's "Satya
 * Nadella"), judged by its voted type. */
static int group(struct build *b)
{
        uint64_t *order = malloc(b->n_m * sizeof(*order));
        if (!order)
                return -ENOMEM;
        for (uint32_t i = 0; i < b->n_m; i++)
                order[i] = order_key(&b->m[i], i);
        qsort(order, b->n_m, sizeof(*order), cmp_u64);
        for (size_t o = 0; o < b->n_m; o++) {
                uint32_t i = (uint32_t)order[o];
                size_t found = b->n_c;
                for (size_t k = 0; k < b->n_c && found == b->n_c; k++)
                        if (strong_match(b, &b->m[i], &b->m[b->c[k].best]))
                                found = k;
                if (found == b->n_c)
                        new_cluster(b, i);
                join(b, i, (uint32_t)found);
        }
        free(order);
        /* shortest clusters last in creation order, so walk backwards */
        for (size_t k = b->n_c; k-- > 0;) {
                size_t dst = nearest_weak(b, k);
                if (dst != b->n_c)
                        merge_into(b, k, dst);
        }
        compact(b);
        return 0;
}

static void score(struct build *b)
{
        uint32_t max_n = 1;
        for (size_t k = 0; k < b->n_c; k++)
                if (b->c[k].n > max_n)
                        max_n = b->c[k].n;
        for (size_t k = 0; k < b->n_c; k++) {
                struct cluster *c = &b->c[k];
                float total = 0;
                for (int t = 0; t < NE_ENT__COUNT; t++)
                        total += c->votes[t];
                float share = total > 0 ? c->votes[c->type] / total : 1.0f;
                c->confidence = (float)(1.0 - c->miss) * share;
                const struct mention *f = &b->m[c->first];
                const struct ne_entity_input *in = &b->in[f->in];
                float early =
                    in->field == NE_FIELD_TITLE ? 1.0f : 1.0f - (float)f->tb / (float)in->n_toks;
                c->salience = 0.35f * (c->in_title ? 1.0f : 0.0f) +
                              0.35f * (float)c->n / (float)max_n + 0.2f * early +
                              0.1f * c->confidence;
                if (c->salience > 1.0f)
                        c->salience = 1.0f;
        }
}

static int cmp_mention(const void *pa, const void *pb)
{
        const struct mention *a = pa, *b = pb;
        if (a->in != b->in)
                return a->in < b->in ? -1 : 1;
        if (a->tb != b->tb)
                return a->tb < b->tb ? -1 : 1;
        return (a->te > b->te) - (a->te < b->te);
}

static int cmp_cluster(const void *pa, const void *pb)
{
        const struct cluster *a = pa, *b = pb;
        if (a->salience != b->salience)
                return a->salience > b->salience ? -1 : 1;
        return (a->first > b->first) - (a->first < b->first);
}

/* Collects, validates and strips the spans into b->m. */
static int collect(struct build *b, size_t n_inputs, size_t *ret_arena, struct ne_diag *diag)
{
        size_t arena = 0;
        for (size_t i = 0; i < n_inputs; i++) {
                const struct ne_entity_input *in = &b->in[i];
                if (in->n_spans > 0 && (!in->spans || !in->toks || !in->text))
                        return ne_diag_set(diag, -EINVAL, "input %zu: spans without text", i);
                for (size_t s = 0; s < in->n_spans; s++) {
                        const struct ne_span *sp = &in->spans[s];
                        if (sp->tok_begin >= sp->tok_end || sp->tok_end > in->n_toks)
                                return ne_diag_set(diag, -EINVAL,
                                                   "input %zu span %zu: tokens [%u,%u) outside "
                                                   "[0,%zu)",
                                                   i, s, sp->tok_begin, sp->tok_end, in->n_toks);
                        if ((unsigned)sp->type >= NE_ENT__COUNT)
                                return ne_diag_set(diag, -EINVAL, "input %zu span %zu: type %d", i,
                                                   s, (int)sp->type);
                        if (b->n_m == NE_ENTITIES_MAX_SPANS)
                                continue;
                        uint32_t tb = sp->tok_begin, te = sp->tok_end;
                        while (tb < te && is_edge_junk(in->text, &in->toks[tb]))
                                tb++;
                        while (te > tb && is_edge_junk(in->text, &in->toks[te - 1]))
                                te--;
                        if (tb == te)
                                continue;
                        float conf = sp->confidence;
                        conf = conf > 0.0f ? (conf < 1.0f ? conf : 1.0f) : 0.0f; /* NaN -> 0 */
                        b->m[b->n_m++] = (struct mention){
                            .in = (uint32_t)i, .tb = tb, .te = te, .type = sp->type, .conf = conf};
                        arena += in->toks[te - 1].end - in->toks[tb].start + (te - tb) + 1;
                }
        }
        *ret_arena = arena;
        return 0;
}

/* The canonical name: the best mention's tokens, single spaces where the text has a gap. */
static char *make_name(const struct build *b, const struct mention *m)
{
        const struct ne_entity_input *in = &b->in[m->in];
        size_t cap = in->toks[m->te - 1].end - in->toks[m->tb].start + 1;
        char *name = malloc(cap);
        if (!name)
                return NULL;
        size_t len = 0;
        for (uint32_t t = m->tb; t < m->te; t++) {
                const struct ne_token *tok = &in->toks[t];
                if (t > m->tb && tok->start > in->toks[t - 1].end)
                        name[len++] = ' ';
                memcpy(name + len, in->text + tok->start, tok->end - tok->start);
                len += tok->end - tok->start;
        }
        name[len] = '\0';
        return name;
}

static int emit_entities(struct build *b, size_t n_out, struct ne_entity **ret)
{
        struct ne_entity *ents = calloc(n_out ? n_out : 1, sizeof(*ents));
        uint32_t *slot = malloc(b->n_c * sizeof(*slot));
        if (!ents || !slot)
                goto err_free;
        /* clusters were sorted: a cluster's first mention still holds its index from before */
        for (size_t k = 0; k < b->n_c; k++)
                slot[b->m[b->c[k].first].cluster] = (uint32_t)k;
        for (size_t k = 0; k < n_out; k++) {
                struct cluster *c = &b->c[k];
                struct ne_entity *e = &ents[k];
                e->type = c->type;
                e->confidence = c->confidence;
                e->salience = c->salience;
                e->name = make_name(b, &b->m[c->best]);
                e->mentions = calloc(c->n, sizeof(*e->mentions));
                if (!e->name || !e->mentions)
                        goto err_free;
        }
        for (size_t i = 0; i < b->n_m; i++) {
                const struct mention *m = &b->m[i];
                uint32_t k = slot[m->cluster];
                if (k >= n_out)
                        continue;
                const struct ne_entity_input *in = &b->in[m->in];
                const struct ne_token *tb = &in->toks[m->tb], *te = &in->toks[m->te - 1];
                struct ne_entity *e = &ents[k];
                e->mentions[e->n_mentions++] = (struct ne_mention){.field = in->field,
                                                                   .start = tb->start,
                                                                   .end = te->end,
                                                                   .cp_start = tb->cp_start,
                                                                   .cp_end = te->cp_end,
                                                                   .confidence = m->conf};
        }
        free(slot);
        *ret = ents;
        return 0;
err_free:
        if (ents)
                for (size_t k = 0; k < n_out; k++) {
                        free(ents[k].name);
                        free(ents[k].mentions);
                }
        free(ents);
        free(slot);
        return -ENOMEM;
}

int ne_entities_build(const struct ne_entity_input *inputs, size_t n_inputs, size_t max_entities,
                      struct ne_enrichment *enr, struct ne_diag *diag)
{
        if (!enr || (!inputs && n_inputs > 0))
                return ne_diag_set(diag, -EINVAL, "NULL argument");
        if (enr->entities || enr->n_entities)
                return ne_diag_set(diag, -EINVAL, "enrichment already has entities");
        size_t total = 0;
        for (size_t i = 0; i < n_inputs; i++)
                total += inputs[i].n_spans;
        if (total > NE_ENTITIES_MAX_SPANS)
                total = NE_ENTITIES_MAX_SPANS;
        if (total == 0 || max_entities == 0)
                return 0;

        int r = -ENOMEM;
        size_t arena = 0;
        struct build b = {.in = inputs};
        b.m = malloc(total * sizeof(*b.m));
        b.c = malloc(total * sizeof(*b.c));
        if (!b.m || !b.c)
                goto out;
        r = collect(&b, n_inputs, &arena, diag);
        if (r < 0 || b.n_m == 0)
                goto out;
        r = -ENOMEM;
        b.arena = malloc(arena);
        if (!b.arena)
                goto out;
        qsort(b.m, b.n_m, sizeof(*b.m), cmp_mention);
        size_t kept = 0;
        for (size_t i = 0; i < b.n_m; i++) {
                make_key(&b, &b.m[i]);
                if (b.m[i].key_len > 0) /* a span of punctuation only names nothing */
                        b.m[kept++] = b.m[i];
        }
        b.n_m = kept;
        r = 0;
        if (b.n_m == 0)
                goto out;
        r = group(&b);
        if (r < 0)
                goto out;
        score(&b);
        qsort(b.c, b.n_c, sizeof(*b.c), cmp_cluster);
        size_t n_out = b.n_c < max_entities ? b.n_c : max_entities;
        struct ne_entity *ents;
        r = emit_entities(&b, n_out, &ents);
        if (r < 0)
                goto out;
        enr->entities = ents;
        enr->n_entities = n_out;
out:
        free(b.arena);
        free(b.m);
        free(b.c);
        return r;
}
