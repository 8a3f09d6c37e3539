/* Training: a structured averaged perceptron (Collins 2002) over the hashed features of
 * ner_features.c, Viterbi-decoded per sentence in document order so that the prediction
 * history features see the model's own earlier decisions, as they will when tagging. The
 * averaged weights are pruned to the size budget, quantised to int8 per row and written
 * through the same serialiser and parser as a model file, so a trained model and a loaded one
 * are the same thing. Deterministic: documents are shuffled by a seeded generator and every
 * table is filled in input order. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ner_impl.h"

#define TRANS_N ((NER_N_TAGS + 1) * NER_N_TAGS)

struct trainer {
        const struct ne_conll_corpus *c;
        const struct ne_ner_train_opts *opts;
        struct ner_lex lex;
        struct ner_map feat; /* key -> row */
        float *w, *u;        /* rows * NER_N_TAGS */
        uint32_t *row_key;
        size_t n_rows, cap_rows;
        float tw[TRANS_N], tu[TRANS_N];
        double step;
        /* per-document scratch, sized for the largest document */
        struct ner_tokinfo *ti;
        uint32_t *sent_start;
        uint32_t *keys;
        uint16_t *nkeys;
        float *emit;
        uint8_t *bp, *pred, *gold;
        float trans_eff[TRANS_N];
        float work[2 * NER_N_TAGS];
        struct ner_docmap dm;
};

static uint64_t rng_next(uint64_t *s)
{
        uint64_t x = *s;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *s = x;
        return x * 0x2545F4914F6CDD1DULL;
}

static int trainer_alloc(struct trainer *tr, size_t max_doc)
{
        size_t n = max_doc + 1;
        tr->ti = malloc(n * sizeof(*tr->ti));
        tr->sent_start = malloc((n + 1) * sizeof(*tr->sent_start));
        tr->keys = malloc(n * NER_MAX_FEATS * sizeof(*tr->keys));
        tr->nkeys = malloc(n * sizeof(*tr->nkeys));
        tr->emit = malloc(n * NER_N_TAGS * sizeof(*tr->emit));
        tr->bp = malloc(n * NER_N_TAGS);
        tr->pred = malloc(n);
        tr->gold = malloc(n);
        if (!tr->ti || !tr->sent_start || !tr->keys || !tr->nkeys || !tr->emit || !tr->bp ||
            !tr->pred || !tr->gold)
                return -ENOMEM;
        return ner_docmap_reset(&tr->dm, max_doc);
}

static void trainer_free(struct trainer *tr)
{
        ner_lex_fini(&tr->lex);
        ner_map_fini(&tr->feat);
        free(tr->w);
        free(tr->u);
        free(tr->row_key);
        free(tr->ti);
        free(tr->sent_start);
        free(tr->keys);
        free(tr->nkeys);
        free(tr->emit);
        free(tr->bp);
        free(tr->pred);
        free(tr->gold);
        ner_docmap_fini(&tr->dm);
}

static int row_of(struct trainer *tr, uint32_t key, size_t *ret_row)
{
        bool found;
        uint32_t *v = ner_map_slot(&tr->feat, key, &found);
        if (!v)
                return -ENOMEM;
        if (!found) {
                if (tr->n_rows == tr->cap_rows) {
                        size_t cap = tr->cap_rows ? tr->cap_rows * 2 : 65536;
                        float *w = realloc(tr->w, cap * NER_N_TAGS * sizeof(float));
                        if (w)
                                tr->w = w;
                        float *u = realloc(tr->u, cap * NER_N_TAGS * sizeof(float));
                        if (u)
                                tr->u = u;
                        uint32_t *rk = realloc(tr->row_key, cap * sizeof(uint32_t));
                        if (rk)
                                tr->row_key = rk;
                        if (!w || !u || !rk)
                                return -ENOMEM;
                        tr->cap_rows = cap;
                }
                memset(tr->w + tr->n_rows * NER_N_TAGS, 0, NER_N_TAGS * sizeof(float));
                memset(tr->u + tr->n_rows * NER_N_TAGS, 0, NER_N_TAGS * sizeof(float));
                tr->row_key[tr->n_rows] = key;
                *v = (uint32_t)tr->n_rows++;
        }
        *ret_row = *v;
        return 0;
}

/* BILOU gold tags of the sentence [b, e) from the corpus' IOB2 tags. */
static void gold_bilou(const struct ne_conll_corpus *c, size_t b, size_t e, uint8_t *out)
{
        for (size_t i = b; i < e; i++) {
                uint8_t t = c->tags[i];
                if (t == NE_CONLL_TAG_O) {
                        out[i - b] = NER_TAG_O;
                        continue;
                }
                int type = (t - 1) / 2;
                bool begin = t == NE_CONLL_TAG_B(type);
                bool cont = i + 1 < e && c->tags[i + 1] == NE_CONLL_TAG_I(type);
                int pos = begin ? (cont ? NER_POS_B : NER_POS_U) : (cont ? NER_POS_I : NER_POS_L);
                out[i - b] = (uint8_t)NER_TAG(type, pos);
        }
}

static void train_emit(const struct trainer *tr, const uint32_t *keys, size_t n, float *ret)
{
        for (int t = 0; t < NER_N_TAGS; t++)
                ret[t] = 0;
        for (size_t k = 0; k < n; k++) {
                uint32_t row;
                if (!ner_map_get(&tr->feat, keys[k], &row))
                        continue;
                const float *w = tr->w + (size_t)row * NER_N_TAGS;
                for (int t = 0; t < NER_N_TAGS; t++)
                        ret[t] += w[t];
        }
}

static void trans_update(struct trainer *tr, int prev, int cur, float d)
{
        size_t i = (size_t)prev * NER_N_TAGS + (size_t)cur;
        tr->tw[i] += d;
        tr->tu[i] += (float)(tr->step * d);
}

static int update_token(struct trainer *tr, const uint32_t *keys, size_t n, int gold, int pred)
{
        float s = (float)tr->step;
        for (size_t k = 0; k < n; k++) {
                size_t row;
                if (row_of(tr, keys[k], &row) < 0)
                        return -ENOMEM;
                float *w = tr->w + row * NER_N_TAGS, *u = tr->u + row * NER_N_TAGS;
                w[gold] += 1;
                u[gold] += s;
                w[pred] -= 1;
                u[pred] -= s;
        }
        return 0;
}

/* One pass over a document: decode each sentence, update on mistakes, record history. */
static int train_doc(struct trainer *tr, size_t d, size_t *errors)
{
        const struct ne_conll_corpus *c = tr->c;
        size_t db = c->doc_start[d], n = c->doc_start[d + 1] - db;
        const struct ne_token *toks = c->toks + db;
        if (ner_docmap_reset(&tr->dm, n) < 0)
                return -ENOMEM;
        size_t n_sents =
            ner_prepare_doc(&tr->lex, c->text, toks, n, tr->ti, &tr->dm, tr->sent_start);
        for (size_t t = 0; t < TRANS_N; t++) {
                int prev = (int)(t / NER_N_TAGS), cur = (int)(t % NER_N_TAGS);
                tr->trans_eff[t] = ner_transition_ok(prev, cur) ? tr->tw[t] : -1e30f;
        }
        for (size_t si = 0; si < n_sents; si++) {
                size_t b = tr->sent_start[si], e = tr->sent_start[si + 1];
                ner_hist_fill(&tr->dm, tr->ti, b, e);
                for (size_t i = b; i < e; i++) {
                        uint32_t *k = tr->keys + i * NER_MAX_FEATS;
                        tr->nkeys[i] =
                            (uint16_t)ner_features(&tr->lex, c->text, toks, tr->ti, b, e, i, k);
                        train_emit(tr, k, tr->nkeys[i], tr->emit + (i - b) * NER_N_TAGS);
                }
                ner_viterbi(tr->emit, tr->trans_eff, e - b, tr->work, tr->bp, tr->pred);
                gold_bilou(c, db + b, db + e, tr->gold);
                for (size_t i = b; i < e; i++) {
                        int g = tr->gold[i - b], p = tr->pred[i - b];
                        int gp = i == b ? NER_N_TAGS : tr->gold[i - b - 1];
                        int pp = i == b ? NER_N_TAGS : tr->pred[i - b - 1];
                        if (g != p) {
                                (*errors)++;
                                if (update_token(tr, tr->keys + i * NER_MAX_FEATS, tr->nkeys[i], g,
                                                 p) < 0)
                                        return -ENOMEM;
                        }
                        if (g != p || gp != pp) {
                                trans_update(tr, gp, g, 1);
                                trans_update(tr, pp, p, -1);
                        }
                }
                for (size_t t = 0; t < TRANS_N; t++)
                        if (tr->trans_eff[t] > -1e29f)
                                tr->trans_eff[t] = tr->tw[t];
                ner_hist_record(&tr->dm, tr->ti, tr->pred, b, e);
                tr->step += 1;
        }
        return 0;
}

static int cmp_float_desc(const void *a, const void *b)
{
        float x = *(const float *)a, y = *(const float *)b;
        return (x < y) - (x > y);
}

/* Averages, prunes to the byte budget and quantises; returns a model built from the image. */
static int build_model(struct trainer *tr, struct ne_ner_model **ret, struct ne_diag *diag)
{
        size_t n = tr->n_rows;
        int r = -ENOMEM;
        float *avg = malloc((n ? n : 1) * NER_N_TAGS * sizeof(float));
        float *maxabs = malloc((n ? n : 1) * sizeof(float));
        float *sorted = malloc((n ? n : 1) * sizeof(float));
        uint32_t *keys = malloc((n ? n : 1) * sizeof(uint32_t));
        float *scales = malloc((n ? n : 1) * sizeof(float));
        int8_t *q = malloc((n ? n : 1) * NER_N_TAGS);
        uint8_t *img = NULL;
        float trans[TRANS_N];
        if (!avg || !maxabs || !sorted || !keys || !scales || !q)
                goto out;
        double c = tr->step > 0 ? tr->step : 1;
        for (size_t i = 0; i < n; i++) {
                float m = 0;
                for (int t = 0; t < NER_N_TAGS; t++) {
                        size_t k = i * NER_N_TAGS + (size_t)t;
                        avg[k] = (float)(tr->w[k] - tr->u[k] / c);
                        if (fabsf(avg[k]) > m)
                                m = fabsf(avg[k]);
                }
                maxabs[i] = m;
                sorted[i] = m;
        }
        for (size_t t = 0; t < TRANS_N; t++)
                trans[t] = (float)(tr->tw[t] - tr->tu[t] / c);
        size_t budget = tr->opts->max_model_bytes ? tr->opts->max_model_bytes : 16u << 20;
        size_t fixed = 4096 + TRANS_N * 4 + ner_model_lex_bytes(&tr->lex);
        size_t max_feats = budget > fixed ? (budget - fixed) / NER_FEAT_BYTES : 0;
        float thresh = 0;
        if (n > max_feats) {
                qsort(sorted, n, sizeof(float), cmp_float_desc);
                thresh = max_feats ? sorted[max_feats - 1] : INFINITY;
        }
        size_t kept = 0;
        for (size_t i = 0; i < n && kept < max_feats; i++) {
                /* A row below half a quantisation step of its own scale is all zeros. */
                if (maxabs[i] <= 0 || maxabs[i] < thresh)
                        continue;
                float sc = maxabs[i] / 127.0f;
                for (int t = 0; t < NER_N_TAGS; t++)
                        q[kept * NER_N_TAGS + (size_t)t] =
                            (int8_t)lrintf(avg[i * NER_N_TAGS + (size_t)t] / sc);
                keys[kept] = tr->row_key[i];
                scales[kept] = sc;
                kept++;
        }
        struct ner_model_parts parts = {
            .lex = &tr->lex,
            .n_feats = kept,
            .keys = keys,
            .scales = scales,
            .q = q,
            .trans = trans,
            .conf_scale = NER_CONF_SCALE,
        };
        size_t len;
        r = ner_model_serialize(&parts, &img, &len);
        if (r < 0)
                goto out;
        r = ner_model_parse(img, len, true, ret, diag);
        if (r == 0) {
                img = NULL; /* owned by the model now */
                if (tr->opts->stats) {
                        tr->opts->stats->features_seen = n;
                        tr->opts->stats->features_kept = kept;
                        tr->opts->stats->model_bytes = len;
                }
        }
out:
        free(avg);
        free(maxabs);
        free(sorted);
        free(keys);
        free(scales);
        free(q);
        free(img);
        return r;
}

static void report(const struct trainer *tr, unsigned epoch, unsigned epochs, size_t done,
                   size_t total, size_t errors, size_t toks, double f1)
{
        if (!tr->opts->progress)
                return;
        struct ne_ner_train_progress p = {
            .epoch = epoch,
            .epochs = epochs,
            .docs_done = done,
            .docs_total = total,
            .train_err = toks ? (double)errors / (double)toks : 0,
            .dev_f1 = f1,
        };
        tr->opts->progress(&p, tr->opts->progress_ctx);
}

int ne_ner_train(const struct ne_conll_corpus *train, const struct ne_ner_train_opts *opts,
                 struct ne_ner_model **ret, struct ne_diag *diag)
{
        struct trainer tr = {.c = train, .opts = opts};
        unsigned epochs = opts->epochs ? opts->epochs : 10;
        size_t *order = NULL;
        struct ne_conll_corpus *aug = NULL;
        size_t added = 0;
        int r;
        if (opts->lexicon_dir) {
                struct ner_lex_stats ls;
                r = ner_lex_compile(opts->lexicon_dir, &tr.lex, &ls, diag);
                if (r < 0)
                        goto out;
                if (opts->stats) {
                        opts->stats->lexicon_files = ls.files;
                        opts->stats->cluster_words = ls.cluster_words;
                        for (int l = 0; l < NER_N_LISTS; l++)
                                opts->stats->gazetteer_entries += ls.gaz_entries[l];
                        opts->stats->gazetteer_phrases = tr.lex.gaz.n;
                }
        }
        r = ner_augment_title_case(train, &tr.lex, &aug, &added);
        if (r < 0)
                goto out;
        if (opts->stats)
                opts->stats->augmented_docs = added;
        train = aug;
        tr.c = train;
        size_t max_doc = 1;
        for (size_t d = 0; d < train->n_docs; d++) {
                size_t len = train->doc_start[d + 1] - train->doc_start[d];
                if (len > max_doc)
                        max_doc = len;
        }
        r = -ENOMEM;
        order = malloc((train->n_docs ? train->n_docs : 1) * sizeof(*order));
        if (!order || trainer_alloc(&tr, max_doc) < 0 || ner_map_init(&tr.feat, 1 << 20) < 0)
                goto out;
        for (size_t d = 0; d < train->n_docs; d++)
                order[d] = d;
        uint64_t rng = opts->seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
        tr.step = 1;
        for (unsigned ep = 1; ep <= epochs; ep++) {
                for (size_t d = train->n_docs; d > 1; d--) {
                        size_t j = (size_t)(rng_next(&rng) % d);
                        size_t t = order[d - 1];
                        order[d - 1] = order[j];
                        order[j] = t;
                }
                size_t errors = 0, toks = 0;
                for (size_t k = 0; k < train->n_docs; k++) {
                        size_t d = order[k];
                        r = train_doc(&tr, d, &errors);
                        if (r < 0)
                                goto out;
                        toks += train->doc_start[d + 1] - train->doc_start[d];
                        if (k % 50 == 49)
                                report(&tr, ep, epochs, k + 1, train->n_docs, errors, toks, -1);
                }
                double f1 = -1;
                if (opts->dev && ep < epochs) {
                        struct ne_ner_model *m = NULL;
                        r = build_model(&tr, &m, diag);
                        if (r < 0)
                                goto out;
                        struct ne_ner_eval ev = {0};
                        r = ne_ner_evaluate(m, opts->dev, &ev);
                        ne_ner_model_free(m);
                        if (r < 0)
                                goto out;
                        ne_ner_eval_prf(&ev, -1, NULL, NULL, &f1);
                }
                report(&tr, ep, epochs, train->n_docs, train->n_docs, errors, toks, f1);
        }
        r = build_model(&tr, ret, diag);
out:
        free(order);
        trainer_free(&tr);
        ne_conll_free(aug);
        return r;
}
