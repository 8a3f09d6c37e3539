/* Alert matching: decides which loaded rules an enriched article satisfies, and names each
 * (rule, article) pair with a deterministic alert id. Pure and thread-safe over read-only rules:
 * every call keeps its scratch memory to itself. The rules file parser is alerts_rules.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/alerts.h"
#include "ne/utf8.h"

/* ---- text folding ----------------------------------------------------------------------- */

/* Simple lower-casing for the scripts news in Europe is mostly written in. */
static int32_t lower_cp(int32_t c)
{
        if (c < 0x80)
                return c >= 'A' && c <= 'Z' ? c + 32 : c;
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
                return c + 32;
        if (c == 0x130)
                return 'i';
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
                return c | 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
                return (c & 1) ? c + 1 : c;
        if (c == 0x178)
                return 0xFF;
        if (c == 0x386)
                return 0x3AC;
        if (c >= 0x388 && c <= 0x38A)
                return c + 37;
        if (c == 0x38C)
                return 0x3CC;
        if (c == 0x38E || c == 0x38F)
                return c + 63;
        if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
                return c + 32;
        if (c == 0x3C2) /* final sigma folds with sigma */
                return 0x3C3;
        if (c >= 0x400 && c <= 0x40F)
                return c + 80;
        if (c >= 0x410 && c <= 0x42F)
                return c + 32;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
            (c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
                return c | 1;
        if (c >= 0xFF21 && c <= 0xFF3A)
                return c + 32;
        return c;
}

static bool is_space_cp(int32_t c)
{
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
               (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
               c == 0x205F || c == 0x3000;
}

/* Letters, digits, marks and '_' make words; white space, punctuation and symbols separate
 * them. Outside ASCII the separators are listed by block, everything else counts as a letter:
 * wrong for a few symbols, right for every script's letters without a Unicode table. */
static bool is_word_cp(int32_t c)
{
        if (c < 0x80)
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_';
        if (c <= 0xBF)
                return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA;
        if (c == 0xD7 || c == 0xF7)
                return false;
        if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) ||
            (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
            (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
            (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || c == 0xFFFD ||
            (c >= 0x1F000 && c <= 0x1FAFF))
                return false;
        return !is_space_cp(c);
}

static int append_cp(struct ne_buf *out, int32_t c)
{
        char b[4];
        size_t n;
        if (c < 0x80) {
                b[0] = (char)c;
                n = 1;
        } else if (c < 0x800) {
                b[0] = (char)(0xC0 | (c >> 6));
                b[1] = (char)(0x80 | (c & 0x3F));
                n = 2;
        } else if (c < 0x10000) {
                b[0] = (char)(0xE0 | (c >> 12));
                b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                b[2] = (char)(0x80 | (c & 0x3F));
                n = 3;
        } else {
                b[0] = (char)(0xF0 | (c >> 18));
                b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
                b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
                b[3] = (char)(0x80 | (c & 0x3F));
                n = 4;
        }
        return ne_buf_append(out, b, n);
}

int ne_alert_fold(const char *s, size_t len, bool trim, struct ne_buf *out)
{
        size_t pos = 0, start = out->len;
        bool pending_space = false;
        int r = ne_buf_reserve(out, len + 1);
        if (r < 0)
                return r;
        while (pos < len) {
                int32_t c = ne_utf8_next(s, len, &pos);
                if (c < 0 || c == 0)
                        c = 0xFFFD;
                if (is_space_cp(c)) {
                        pending_space = true;
                        continue;
                }
                if (pending_space && (!trim || out->len > start)) {
                        r = ne_buf_append(out, " ", 1);
                        if (r < 0)
                                return r;
                }
                pending_space = false;
                r = append_cp(out, lower_cp(c));
                if (r < 0)
                        return r;
        }
        if (pending_space && !trim)
                return ne_buf_append(out, " ", 1);
        return ne_buf_append(out, "", 0); /* terminates even an empty result */
}

/* ---- keyword search --------------------------------------------------------------------- */

static int32_t cp_before(const char *s, size_t at)
{
        size_t i = at;
        while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && at - i < 3)
                i--;
        if (i == 0)
                return -1;
        i--;
        size_t pos = i;
        return ne_utf8_next(s, at, &pos);
}

static int32_t cp_at(const char *s, size_t len, size_t at)
{
        size_t pos = at;
        return at < len ? ne_utf8_next(s, len, &pos) : -1;
}

/* Is folded keyword kw a whole word of folded text? A keyword edge that is itself not a
 * word character ("C++") needs no boundary on that side. */
static bool contains_word(const char *text, size_t len, const char *kw)
{
        size_t kl = strlen(kw);
        if (kl == 0 || kl > len)
                return false;
        bool need_before = is_word_cp(cp_at(kw, kl, 0));
        bool need_after = is_word_cp(cp_before(kw, kl));
        for (size_t i = 0; i + kl <= len; i++) {
                const char *hit = memchr(text + i, kw[0], len - kl - i + 1);
                if (!hit)
                        return false;
                i = (size_t)(hit - text);
                if (memcmp(hit, kw, kl) != 0)
                        continue;
                if (need_before && i > 0 && is_word_cp(cp_before(text, i)))
                        continue;
                if (need_after && i + kl < len && is_word_cp(cp_at(text, len, i + kl)))
                        continue;
                return true;
        }
        return false;
}

/* ---- word set --------------------------------------------------------------------------- */

/* The distinct words of an article's folded title and body, built once per article, so that
 * a keyword whose first word the article lacks is rejected by one lookup instead of a scan of
 * the body: with thousands of keyword rules the scans dominated. Sound because a whole-word
 * match of a keyword starting with a word character puts the keyword's first word in the text
 * as a complete word. */
struct word_set {
        struct word {
                const char *p; /* into the folded text, which outlives the set */
                size_t len;
        } * slots;
        size_t mask; /* capacity - 1, capacity a power of two */
        size_t n;
};

static uint64_t hash_bytes(const char *p, size_t len)
{
        uint64_t h = 0xcbf29ce484222325u;
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
        return h;
}

static bool word_set_has(const struct word_set *ws, const char *p, size_t len)
{
        for (size_t i = hash_bytes(p, len) & ws->mask;; i = (i + 1) & ws->mask) {
                const struct word *w = &ws->slots[i];
                if (!w->p)
                        return false;
                if (w->len == len && memcmp(w->p, p, len) == 0)
                        return true;
        }
}

static int word_set_grow(struct word_set *ws)
{
        size_t cap = ws->slots ? 2 * (ws->mask + 1) : 256;
        struct word *slots = calloc(cap, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; ws->slots && i <= ws->mask; i++) {
                const struct word *w = &ws->slots[i];
                if (!w->p)
                        continue;
                size_t k = hash_bytes(w->p, w->len) & (cap - 1);
                while (slots[k].p)
                        k = (k + 1) & (cap - 1);
                slots[k] = *w;
        }
        free(ws->slots);
        ws->slots = slots;
        ws->mask = cap - 1;
        return 0;
}

static int word_set_add(struct word_set *ws, const char *p, size_t len)
{
        if (!ws->slots || 2 * (ws->n + 1) > ws->mask + 1) {
                int r = word_set_grow(ws);
                if (r < 0)
                        return r;
        }
        size_t i = hash_bytes(p, len) & ws->mask;
        for (; ws->slots[i].p; i = (i + 1) & ws->mask)
                if (ws->slots[i].len == len && memcmp(ws->slots[i].p, p, len) == 0)
                        return 0;
        ws->slots[i] = (struct word){p, len};
        ws->n++;
        return 0;
}

/* Length in bytes of the run of word characters that starts s[0..len). */
static size_t word_run(const char *s, size_t len)
{
        size_t pos = 0;
        while (pos < len) {
                size_t at = pos;
                if (!is_word_cp(ne_utf8_next(s, len, &pos)))
                        return at;
        }
        return pos;
}

static int word_set_add_text(struct word_set *ws, const char *s, size_t len)
{
        size_t pos = 0;
        while (pos < len) {
                size_t n = word_run(s + pos, len - pos);
                if (n) {
                        int r = word_set_add(ws, s + pos, n);
                        if (r < 0)
                                return r;
                        pos += n;
                } else {
                        ne_utf8_next(s, len, &pos);
                }
        }
        return 0;
}

/* False only when the keyword surely does not occur as a whole word. */
static bool may_contain(const struct word_set *ws, const char *kw)
{
        size_t kl = strlen(kw), n = word_run(kw, kl);
        return n == 0 || word_set_has(ws, kw, n);
}

/* ---- alert ids -------------------------------------------------------------------------- */

/* 128-bit FNV-1a over four 32-bit limbs, least significant first, so no compiler extension
 * is needed. prime = 2^88 + 0x13B. */
static void fnv128_step(uint32_t h[4], unsigned char byte)
{
        uint64_t carry = 0;
        uint32_t m[4];
        h[0] ^= byte;
        for (int i = 0; i < 4; i++) {
                uint64_t v = (uint64_t)h[i] * 0x13B + carry;
                m[i] = (uint32_t)v;
                carry = v >> 32;
        }
        /* + h << 88: limb i moves to limb i + 2 and 24 bits up; bits past 128 drop */
        uint64_t s2 = (uint64_t)m[2] + ((uint64_t)h[0] << 24 & 0xFFFFFFFFu);
        uint64_t s3 = (uint64_t)m[3] + (uint32_t)((uint64_t)h[1] << 24 | h[0] >> 8) + (s2 >> 32);
        h[0] = m[0];
        h[1] = m[1];
        h[2] = (uint32_t)s2;
        h[3] = (uint32_t)s3;
}

void ne_alert_id(const char *rule_id, const char *article_id, char out[NE_ALERT_ID_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        /* offset basis 6c62272e07bb014262b821756295c58d */
        uint32_t h[4] = {0x6295c58d, 0x62b82175, 0x07bb0142, 0x6c62272e};
        for (const char *p = rule_id; *p; p++)
                fnv128_step(h, (unsigned char)*p);
        fnv128_step(h, 0);
        for (const char *p = article_id; *p; p++)
                fnv128_step(h, (unsigned char)*p);
        for (int i = 0; i < 4; i++) {
                uint32_t limb = h[3 - i];
                for (int k = 0; k < 8; k++)
                        out[i * 8 + k] = hex[(limb >> (28 - 4 * k)) & 0xF];
        }
        out[NE_ALERT_ID_LEN] = '\0';
}

/* ---- matching --------------------------------------------------------------------------- */

/* Per-call scratch: folded text, computed once per article and only when a rule needs it. */
struct scratch {
        struct ne_buf names; /* folded entity names, NUL-separated */
        size_t *name_off;    /* offset of each entity's folded name in names */
        struct ne_buf title;
        struct ne_buf body;
        struct word_set words; /* of title and body */
        bool text_folded;
        bool *ent_hit;
        bool *top_hit;
        bool kw_hit[NE_ALERT_MAX_CONDITIONS];
};

static int fold_names(struct scratch *sc, const struct ne_enrichment *enr)
{
        sc->name_off = calloc(enr->n_entities ? enr->n_entities : 1, sizeof(size_t));
        sc->ent_hit = calloc(enr->n_entities ? enr->n_entities : 1, sizeof(bool));
        sc->top_hit = calloc(enr->n_topics ? enr->n_topics : 1, sizeof(bool));
        if (!sc->name_off || !sc->ent_hit || !sc->top_hit)
                return -ENOMEM;
        for (size_t i = 0; i < enr->n_entities; i++) {
                const char *name = enr->entities[i].name ? enr->entities[i].name : "";
                sc->name_off[i] = sc->names.len;
                int r = ne_alert_fold(name, strlen(name), true, &sc->names);
                if (r < 0 || (r = ne_buf_append(&sc->names, "", 1)) < 0)
                        return r;
        }
        return 0;
}

static int fold_text(struct scratch *sc, const struct ne_article *art)
{
        if (sc->text_folded)
                return 0;
        const char *title = art->title ? art->title : "";
        int r = ne_alert_fold(title, strlen(title), false, &sc->title);
        if (r >= 0 && art->body)
                r = ne_alert_fold(art->body, art->body_len, false, &sc->body);
        if (r >= 0 && !art->body)
                r = ne_alert_fold("", 0, false, &sc->body);
        if (r >= 0)
                r = word_set_add_text(&sc->words, sc->title.data, sc->title.len);
        if (r >= 0)
                r = word_set_add_text(&sc->words, sc->body.data, sc->body.len);
        sc->text_folded = r >= 0;
        return r;
}

/* Counts the rule's conditions that hold, marking what met them; stops early when an "all"
 * rule has failed. Returns the count, or -ENOMEM. */
static int eval_rule(const struct ne_alert_rule *rule, const struct ne_article *art,
                     const struct ne_enrichment *enr, struct scratch *sc, size_t *ret_total)
{
        size_t total = rule->n_entities + rule->n_topics + rule->n_keywords;
        bool all = rule->match == NE_ALERT_MATCH_ALL;
        int held = 0;
        *ret_total = total;
        memset(sc->ent_hit, 0, (enr->n_entities ? enr->n_entities : 1) * sizeof(bool));
        memset(sc->top_hit, 0, (enr->n_topics ? enr->n_topics : 1) * sizeof(bool));
        memset(sc->kw_hit, 0, sizeof(sc->kw_hit));
        for (size_t c = 0; c < rule->n_entities; c++) {
                const struct ne_alert_entity_cond *ec = &rule->entities[c];
                bool ok = false;
                for (size_t i = 0; i < enr->n_entities; i++) {
                        if (ec->type >= 0 && (int)enr->entities[i].type != ec->type)
                                continue;
                        if (strcmp(sc->names.data + sc->name_off[i], ec->folded) == 0)
                                ok = sc->ent_hit[i] = true;
                }
                held += ok;
                if (all && !ok)
                        return held;
        }
        for (size_t c = 0; c < rule->n_topics; c++) {
                const struct ne_alert_topic_cond *tc = &rule->topics[c];
                bool ok = false;
                for (size_t i = 0; i < enr->n_topics; i++)
                        if (enr->topics[i].code && strcmp(enr->topics[i].code, tc->code) == 0 &&
                            enr->topics[i].score >= tc->min_score)
                                ok = sc->top_hit[i] = true;
                held += ok;
                if (all && !ok)
                        return held;
        }
        if (rule->n_keywords) {
                int r = fold_text(sc, art);
                if (r < 0)
                        return r;
        }
        for (size_t c = 0; c < rule->n_keywords; c++) {
                const char *kw = rule->keywords[c].folded;
                bool ok = may_contain(&sc->words, kw) &&
                          (contains_word(sc->title.data, sc->title.len, kw) ||
                           contains_word(sc->body.data, sc->body.len, kw));
                sc->kw_hit[c] = ok;
                held += ok;
                if (all && !ok)
                        return held;
        }
        return held;
}

static size_t *collect_hits(const bool *hit, size_t n, size_t *ret_n)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += hit[i];
        *ret_n = k;
        if (k == 0)
                return NULL;
        size_t *v = malloc(k * sizeof(*v));
        if (!v)
                return NULL;
        k = 0;
        for (size_t i = 0; i < n; i++)
                if (hit[i])
                        v[k++] = i;
        return v;
}

static int fill_match(struct ne_alert_match *m, const struct ne_alert_rule *rule,
                      const struct ne_article *art, const struct ne_enrichment *enr,
                      const struct scratch *sc)
{
        memset(m, 0, sizeof(*m));
        m->rule = rule;
        m->entities = collect_hits(sc->ent_hit, enr->n_entities, &m->n_entities);
        m->topics = collect_hits(sc->top_hit, enr->n_topics, &m->n_topics);
        m->keywords = collect_hits(sc->kw_hit, rule->n_keywords, &m->n_keywords);
        if ((m->n_entities && !m->entities) || (m->n_topics && !m->topics) ||
            (m->n_keywords && !m->keywords))
                return -ENOMEM;
        ne_alert_id(rule->id, art->id ? art->id : "", m->alert_id);
        return 0;
}

void ne_alert_matches_free(struct ne_alert_match *matches, size_t n)
{
        if (!matches)
                return;
        for (size_t i = 0; i < n; i++) {
                free(matches[i].entities);
                free(matches[i].topics);
                free(matches[i].keywords);
        }
        free(matches);
}

int ne_alert_rules_match(const struct ne_alert_rules *r, const struct ne_article *art,
                         const struct ne_enrichment *enr, struct ne_alert_match **ret,
                         size_t *ret_n)
{
        static const struct ne_enrichment empty;
        struct scratch sc = {0};
        struct ne_alert_match *out = NULL;
        size_t n = 0, cap = 0;
        int err;

        if (!enr)
                enr = &empty;
        err = fold_names(&sc, enr);
        if (err < 0)
                goto err_free;
        for (size_t i = 0; i < r->n_rules; i++) {
                const struct ne_alert_rule *rule = &r->rules[i];
                size_t total;
                int held = eval_rule(rule, art, enr, &sc, &total);
                if (held < 0) {
                        err = held;
                        goto err_free;
                }
                bool hit = rule->match == NE_ALERT_MATCH_ALL ? (size_t)held == total : held > 0;
                if (!hit)
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? 2 * cap : 4;
                        struct ne_alert_match *v = realloc(out, ncap * sizeof(*v));
                        if (!v) {
                                err = -ENOMEM;
                                goto err_free;
                        }
                        out = v;
                        cap = ncap;
                }
                err = fill_match(&out[n], rule, art, enr, &sc);
                n++;
                if (err < 0)
                        goto err_free;
        }
        ne_buf_release(&sc.names);
        ne_buf_release(&sc.title);
        ne_buf_release(&sc.body);
        free(sc.name_off);
        free(sc.ent_hit);
        free(sc.top_hit);
        free(sc.words.slots);
        *ret = out;
        *ret_n = n;
        return 0;
err_free:
        ne_alert_matches_free(out, n);
        ne_buf_release(&sc.names);
        ne_buf_release(&sc.title);
        ne_buf_release(&sc.body);
        free(sc.name_off);
        free(sc.ent_hit);
        free(sc.top_hit);
        free(sc.words.slots);
        return err;
}
