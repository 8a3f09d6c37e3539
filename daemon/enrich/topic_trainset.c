/* Training set of the topic classifier: documents featurised into a feature vocabulary (key ->
 * id, document frequency) with per-document term counts, and the label registry. Filled by
 * train-topics one document at a time; topic_train.c turns it into a model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/array.h"
#include "ne/topic_train.h"
#include "topic_trainset.h"

void ne_topic_train_opts_default(struct ne_topic_train_opts *o)
{
        *o = (struct ne_topic_train_opts){
            .flags = NE_TOPIC_F_BIGRAMS,
            .seed = 1,
            .c = 3.0,
            .eps = 0.01,
            .max_iter = 200,
            .min_df = 1,
            .min_df_bigram = 2,
            .bigram_weight = 0.3,
            .calib_folds = 3,
            .threads = 2,
            .max_bytes = 16u << 20,
            .tag = "topics",
        };
}

int ne_topic_trainset_new(const struct ne_topic_train_opts *o, struct ne_topic_trainset **ret)
{
        struct ne_topic_trainset *ts = calloc(1, sizeof(*ts));
        if (!ts)
                return -ENOMEM;
        ts->o = *o;
        ts->vmask = (1u << 16) - 1;
        ts->vslot = calloc(ts->vmask + 1, sizeof(*ts->vslot));
        ts->doc_off = calloc(1, sizeof(*ts->doc_off));
        ts->lab_off = calloc(1, sizeof(*ts->lab_off));
        ts->cap_docs = 1;
        if (!ts->vslot || !ts->doc_off || !ts->lab_off) {
                ne_topic_trainset_free(ts);
                return -ENOMEM;
        }
        *ret = ts;
        return 0;
}

void ne_topic_trainset_free(struct ne_topic_trainset *ts)
{
        if (!ts)
                return;
        for (size_t l = 0; l < ts->n_labels; l++) {
                free(ts->codes[l]);
                free(ts->names[l]);
        }
        free(ts->codes);
        free(ts->names);
        free(ts->doc_off);
        free(ts->fid);
        free(ts->fcnt);
        free(ts->lab_off);
        free(ts->lab);
        free(ts->vkeys);
        free(ts->vdf);
        free(ts->vslot);
        free(ts->tmp);
        free(ts);
}

static int64_t find_label(const struct ne_topic_trainset *ts, const char *code)
{
        for (size_t l = 0; l < ts->n_labels; l++)
                if (strcmp(ts->codes[l], code) == 0)
                        return (int64_t)l;
        return -1;
}

static int64_t add_label(struct ne_topic_trainset *ts, const char *code)
{
        int64_t l = find_label(ts, code);
        if (l >= 0)
                return l;
        if (ts->n_labels >= NE_TOPIC_MAX_LABELS_TRAIN)
                return -E2BIG;
        if (ne_array_grow((void **)&ts->codes, &ts->cap_labels, ts->n_labels + 1, sizeof(char *)) < 0)
                return -ENOMEM;
        size_t cap = ts->cap_labels;
        /* names grows in step with codes */
        char **nn = realloc(ts->names, cap * sizeof(char *));
        if (!nn)
                return -ENOMEM;
        ts->names = nn;
        ts->codes[ts->n_labels] = strdup(code);
        ts->names[ts->n_labels] = NULL;
        if (!ts->codes[ts->n_labels])
                return -ENOMEM;
        return (int64_t)ts->n_labels++;
}

int ne_topic_trainset_name(struct ne_topic_trainset *ts, const char *code, const char *name)
{
        int64_t l = add_label(ts, code);
        if (l < 0)
                return (int)l;
        char *dup = strdup(name);
        if (!dup)
                return -ENOMEM;
        free(ts->names[l]);
        ts->names[l] = dup;
        return 0;
}

static int rehash(struct ne_topic_trainset *ts)
{
        uint32_t nmask = ts->vmask * 2 + 1;
        uint32_t *ns = calloc((size_t)nmask + 1, sizeof(*ns));
        if (!ns)
                return -ENOMEM;
        for (uint32_t id = 0; id < ts->n_vocab; id++) {
                uint32_t i = (ts->vkeys[id] * 0x9E3779B1u) & nmask;
                while (ns[i])
                        i = (i + 1) & nmask;
                ns[i] = id + 1;
        }
        free(ts->vslot);
        ts->vslot = ns;
        ts->vmask = nmask;
        return 0;
}

/* Vocabulary id of key, inserted if new; -ENOMEM or -E2BIG. */
static int64_t vocab_id(struct ne_topic_trainset *ts, uint32_t key)
{
        uint32_t i = (key * 0x9E3779B1u) & ts->vmask;
        while (ts->vslot[i]) {
                uint32_t id = ts->vslot[i] - 1;
                if (ts->vkeys[id] == key)
                        return id;
                i = (i + 1) & ts->vmask;
        }
        if (ts->n_vocab >= NE_TOPIC_MAX_VOCAB)
                return -E2BIG;
        size_t old_cap = ts->cap_vocab;
        if (ne_array_grow((void **)&ts->vkeys, &ts->cap_vocab, ts->n_vocab + 1, sizeof(uint32_t)) < 0)
                return -ENOMEM;
        if (ts->cap_vocab != old_cap) {
                uint32_t *nd = realloc(ts->vdf, ts->cap_vocab * sizeof(uint32_t));
                if (!nd) {
                        ts->cap_vocab = old_cap;
                        return -ENOMEM;
                }
                ts->vdf = nd;
        }
        uint32_t id = ts->n_vocab++;
        ts->vkeys[id] = key;
        ts->vdf[id] = 0;
        ts->vslot[i] = id + 1;
        if ((uint64_t)ts->n_vocab * 2 > ts->vmask && rehash(ts) < 0)
                return -ENOMEM;
        return id;
}

static int collect_key(uint32_t key, void *ud)
{
        struct ne_topic_trainset *ts = ud;
        if (ne_array_grow((void **)&ts->tmp, &ts->cap_tmp, ts->n_tmp + 1, sizeof(uint32_t)) < 0)
                return -ENOMEM;
        ts->tmp[ts->n_tmp++] = key;
        return 0;
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return (x > y) - (x < y);
}

int ne_topic_trainset_add(struct ne_topic_trainset *ts, const char *const *labels, size_t n,
                          const char *text, size_t len)
{
        int r;
        if (n == 0)
                return -EINVAL;
        if (len > NE_TOPIC_MAX_TEXT)
                len = NE_TOPIC_MAX_TEXT; /* as prediction does */
        if (ne_array_grow((void **)&ts->doc_off, &ts->cap_docs, ts->n_docs + 2, sizeof(size_t)) < 0)
                return -ENOMEM;
        size_t cap = ts->cap_docs;
        size_t *nl = realloc(ts->lab_off, cap * sizeof(size_t));
        if (!nl)
                return -ENOMEM;
        ts->lab_off = nl;
        if (ne_array_grow((void **)&ts->lab, &ts->cap_lab, ts->lab_off[ts->n_docs] + n, sizeof(uint32_t)))
                return -ENOMEM;

        ts->n_tmp = 0;
        r = ne_topic_featurize(text, len, ts->o.flags, ts->o.seed, collect_key, ts);
        if (r < 0)
                return r;
        qsort(ts->tmp, ts->n_tmp, sizeof(uint32_t), cmp_u32);
        size_t start = ts->doc_off[ts->n_docs], nnz = start;
        for (size_t i = 0; i < ts->n_tmp;) {
                size_t j = i;
                while (j < ts->n_tmp && ts->tmp[j] == ts->tmp[i])
                        j++;
                int64_t id = vocab_id(ts, ts->tmp[i]);
                if (id < 0)
                        return (int)id;
                size_t old_cap = ts->cap_nnz;
                if (ne_array_grow((void **)&ts->fid, &ts->cap_nnz, nnz + 1, sizeof(uint32_t)) < 0)
                        return -ENOMEM;
                if (ts->cap_nnz != old_cap) {
                        uint32_t *nc = realloc(ts->fcnt, ts->cap_nnz * sizeof(uint32_t));
                        if (!nc) {
                                ts->cap_nnz = old_cap; /* keep fid and fcnt in step */
                                return -ENOMEM;
                        }
                        ts->fcnt = nc;
                }
                ts->fid[nnz] = (uint32_t)id;
                ts->fcnt[nnz] = (uint32_t)(j - i);
                ts->vdf[id]++;
                nnz++;
                i = j;
        }
        size_t lo = ts->lab_off[ts->n_docs], nlab = 0;
        for (size_t k = 0; k < n; k++) {
                int64_t l = add_label(ts, labels[k]);
                if (l < 0)
                        return (int)l;
                bool dup = false;
                for (size_t q = 0; q < nlab; q++)
                        dup = dup || ts->lab[lo + q] == (uint32_t)l;
                if (!dup)
                        ts->lab[lo + nlab++] = (uint32_t)l;
        }
        ts->doc_off[ts->n_docs + 1] = nnz;
        ts->lab_off[ts->n_docs + 1] = lo + nlab;
        ts->n_docs++;
        return 0;
}

size_t ne_topic_trainset_n_docs(const struct ne_topic_trainset *ts)
{
        return ts->n_docs;
}

size_t ne_topic_trainset_n_labels(const struct ne_topic_trainset *ts)
{
        return ts->n_labels;
}

const char *ne_topic_trainset_label(const struct ne_topic_trainset *ts, size_t l)
{
        return l < ts->n_labels ? ts->codes[l] : NULL;
}
