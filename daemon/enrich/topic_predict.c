/* Topic prediction: featurise a text against a loaded model and score every label. All working
 * memory lives in a per-thread scratch sized at creation, so prediction allocates nothing and
 * the model stays read-only (shared by threads). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ne/topic.h"
#include "ne/topic_train.h"
#include "topic_model.h"

/* Distinct known features counted per text; beyond this further new features are ignored. */
#define MAX_DISTINCT (1u << 17)
/* Keys are looked up in batches so the hash-table loads can be prefetched: the table is far
 * larger than cache and a miss per feature would otherwise dominate. */
#define BATCH 256
#define AHEAD 8

struct ne_topic_scratch {
        const struct ne_topic_model *m;
        uint32_t n_features, n_labels;
        uint16_t *cnt;     /* per feature row, zero between calls */
        uint32_t *touched; /* rows with cnt > 0 */
        uint32_t n_touched, cap_touched;
        float *acc; /* per label */
        float *prob;
        uint32_t keys[BATCH];
        uint32_t rows[BATCH];
        uint32_t n_keys;
};

int ne_topic_scratch_new(const struct ne_topic_model *m, struct ne_topic_scratch **ret)
{
        if (!m || !ret)
                return -EINVAL;
        struct ne_topic_scratch *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->n_features = m->n_features;
        s->n_labels = m->n_labels;
        s->cap_touched = m->n_features < MAX_DISTINCT ? m->n_features : MAX_DISTINCT;
        s->cnt = calloc(m->n_features ? m->n_features : 1, sizeof(*s->cnt));
        s->touched = malloc((s->cap_touched ? s->cap_touched : 1) * sizeof(*s->touched));
        s->acc = malloc(m->n_labels * sizeof(*s->acc));
        s->prob = malloc(m->n_labels * sizeof(*s->prob));
        if (!s->cnt || !s->touched || !s->acc || !s->prob) {
                ne_topic_scratch_free(s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

void ne_topic_scratch_free(struct ne_topic_scratch *s)
{
        if (!s)
                return;
        free(s->cnt);
        free(s->touched);
        free(s->acc);
        free(s->prob);
        free(s);
}

static void count_row(struct ne_topic_scratch *s, uint32_t row)
{
        uint16_t *c = &s->cnt[row];
        if (*c == 0) {
                if (s->n_touched == s->cap_touched)
                        return;
                s->touched[s->n_touched++] = row;
        }
        if (*c < UINT16_MAX)
                (*c)++;
}

static void flush_keys(struct ne_topic_scratch *s)
{
        const struct ne_topic_model *m = s->m;
        const size_t stride = (size_t)m->n_labels + 1;
        uint32_t n = 0;
        /* stage 1: keys to rows, hash-table loads prefetched a few keys ahead */
        for (uint32_t i = 0; i < s->n_keys; i++) {
                if (i + AHEAD < s->n_keys)
                        __builtin_prefetch(&m->slots[ne_topic_slot_of(m, s->keys[i + AHEAD])]);
                int64_t row = ne_topic_model_find(m, s->keys[i]);
                if (row >= 0)
                        s->rows[n++] = (uint32_t)row;
        }
        /* stage 2: count, with the counters and the model rows scoring will read prefetched */
        for (uint32_t i = 0; i < n; i++) {
                if (i + AHEAD < n) {
                        __builtin_prefetch(&s->cnt[s->rows[i + AHEAD]], 1);
                        __builtin_prefetch(m->rows + (size_t)s->rows[i + AHEAD] * stride);
                }
                count_row(s, s->rows[i]);
        }
        s->n_keys = 0;
}

static int add_key(uint32_t key, void *ud)
{
        struct ne_topic_scratch *s = ud;
        s->keys[s->n_keys++] = key;
        if (s->n_keys == BATCH)
                flush_keys(s);
        return 0;
}

/* Fills s->prob for every label. */
static void score_all(const struct ne_topic_model *m, struct ne_topic_scratch *s)
{
        const uint32_t nl = m->n_labels;
        float norm2 = 0.0f;
        memset(s->acc, 0, nl * sizeof(*s->acc));
        for (uint32_t t = 0; t < s->n_touched; t++) {
                if (t + AHEAD < s->n_touched)
                        __builtin_prefetch(m->rows + (size_t)s->touched[t + AHEAD] * (nl + 1));
                uint32_t row = s->touched[t];
                uint16_t c = s->cnt[row];
                s->cnt[row] = 0;
                const uint8_t *r = m->rows + (size_t)row * (nl + 1);
                float v = (c == 1 ? 1.0f : 1.0f + logf((float)c)) * m->idf[r[0]];
                norm2 += v * v;
                const int8_t *w = (const int8_t *)(r + 1);
                const float *dq = m->dq + 128;
                for (uint32_t l = 0; l < nl; l++, dq += 256)
                        s->acc[l] += v * dq[w[l]];
        }
        float inv = norm2 > 0.0f ? 1.0f / sqrtf(norm2) : 0.0f;
        for (uint32_t l = 0; l < nl; l++) {
                const struct ne_topic_label_params *lp = &m->lp[l];
                float f = lp->bias + inv * s->acc[l];
                s->prob[l] = 1.0f / (1.0f + expf(lp->platt_a * f + lp->platt_b));
        }
        s->n_touched = 0;
}

int ne_topic_predict(const struct ne_topic_model *m, struct ne_topic_scratch *s, const char *text,
                     size_t len, float threshold, struct ne_topic_score *ret, size_t max)
{
        if (!m || !s || (!text && len) || (!ret && max) || s->n_features != m->n_features ||
            s->n_labels != m->n_labels)
                return -EINVAL;
        if (len > NE_TOPIC_MAX_TEXT)
                len = NE_TOPIC_MAX_TEXT;
        s->m = m;
        s->n_touched = 0;
        s->n_keys = 0;
        if (len) {
                ne_topic_featurize(text, len, m->flags, m->seed, add_key, s);
                flush_keys(s);
        }
        score_all(m, s);

        /* insertion into the short best-first result list */
        size_t n = 0;
        for (uint32_t l = 0; l < m->n_labels; l++) {
                float p = s->prob[l];
                if (!(p >= threshold))
                        continue;
                size_t i = n < max ? n++ : max;
                while (i > 0 && ret[i - 1].score < p) {
                        if (i < max)
                                ret[i] = ret[i - 1];
                        i--;
                }
                if (i < max)
                        ret[i] = (struct ne_topic_score){.label = l, .score = p};
        }
        return (int)n;
}
