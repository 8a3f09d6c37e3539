/* Topic trainer: turns a training set into a model image. Features seen in fewer than min_df
 * documents are dropped, documents become sublinear-tf x idf vectors with unit L2 norm, and
 * each label gets a one-vs-rest linear SVM (topic_svm.c) whose decision values are mapped to
 * probabilities by Platt scaling fitted on out-of-fold decision values. If the model would
 * exceed its size budget, the least useful features are pruned and the model is trained again
 * on the rest. Labels train in parallel threads; each label's result depends only on its data
 * and the seed, so the output is identical whatever the thread count. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ne/topic_train.h"
#include "topic_model.h"
#include "topic_svm.h"
#include "topic_trainset.h"

struct train_job {
        const struct ne_topic_trainset *ts;
        struct ne_topic_csr x;
        size_t *off;
        uint32_t *col;
        float *val;
        uint32_t *fold; /* calibration fold per document */
        double *w;      /* n_labels x (n_cols + 1) */
        double *pa, *pb;
        bool calibrate;
        pthread_mutex_t mu;
        size_t next, done;
        int err;
        ne_topic_progress_fn progress;
        void *ud;
        const char *stage;
};

static void free_matrix(struct train_job *j)
{
        free(j->off);
        free(j->col);
        free(j->val);
        j->off = NULL;
        j->col = NULL;
        j->val = NULL;
}

/* Builds the document matrix over the columns colof[id] != UINT32_MAX, with idf[col]. */
static int build_matrix(struct train_job *j, const uint32_t *colof, uint32_t n_cols,
                        const float *idf)
{
        const struct ne_topic_trainset *ts = j->ts;
        size_t nnz = 0;
        for (size_t k = 0; k < ts->doc_off[ts->n_docs]; k++)
                nnz += colof[ts->fid[k]] != UINT32_MAX;
        j->off = malloc((ts->n_docs + 1) * sizeof(*j->off));
        j->col = malloc((nnz ? nnz : 1) * sizeof(*j->col));
        j->val = malloc((nnz ? nnz : 1) * sizeof(*j->val));
        if (!j->off || !j->col || !j->val)
                return -ENOMEM;
        size_t o = 0;
        for (size_t i = 0; i < ts->n_docs; i++) {
                j->off[i] = o;
                double norm2 = 0.0;
                for (size_t k = ts->doc_off[i]; k < ts->doc_off[i + 1]; k++) {
                        uint32_t c = colof[ts->fid[k]];
                        if (c == UINT32_MAX)
                                continue;
                        uint32_t tf = ts->fcnt[k] < UINT16_MAX ? ts->fcnt[k] : UINT16_MAX;
                        /* the same float arithmetic as topic_predict.c */
                        float v = (tf == 1 ? 1.0f : 1.0f + logf((float)tf)) * idf[c];
                        j->col[o] = c;
                        j->val[o++] = v;
                        norm2 += (double)v * v;
                }
                float inv = norm2 > 0 ? (float)(1.0 / sqrt(norm2)) : 0.0f;
                for (size_t k = j->off[i]; k < o; k++)
                        j->val[k] *= inv;
        }
        j->off[ts->n_docs] = o;
        j->x = (struct ne_topic_csr){ts->n_docs, n_cols, j->off, j->col, j->val};
        return 0;
}

static void train_label(struct train_job *j, size_t l, int8_t *y, uint32_t *idx, double *dec,
                        double *work)
{
        const struct ne_topic_trainset *ts = j->ts;
        const struct ne_topic_train_opts *o = &ts->o;
        const size_t n = ts->n_docs;
        double *w = j->w + l * ((size_t)j->x.n_cols + 1);
        uint64_t seed = ((uint64_t)o->seed << 32) ^ (l * 0x9E3779B97F4A7C15ULL);

        for (size_t i = 0; i < n; i++) {
                y[i] = -1;
                for (size_t k = ts->lab_off[i]; k < ts->lab_off[i + 1]; k++)
                        if (ts->lab[k] == l)
                                y[i] = 1;
        }
        if (j->calibrate && o->calib_folds >= 2) {
                for (int f = 0; f < o->calib_folds; f++) {
                        size_t m = 0;
                        for (size_t i = 0; i < n; i++)
                                if (j->fold[i] != (uint32_t)f)
                                        idx[m++] = (uint32_t)i;
                        ne_topic_svm_train(&j->x, y, idx, m, o->c, o->eps, o->max_iter,
                                           seed + (uint64_t)f + 1, w, work);
                        for (size_t i = 0; i < n; i++)
                                if (j->fold[i] == (uint32_t)f)
                                        dec[i] = ne_topic_svm_decision(&j->x, w, i);
                }
        }
        for (size_t i = 0; i < n; i++)
                idx[i] = (uint32_t)i;
        ne_topic_svm_train(&j->x, y, idx, n, o->c, o->eps, o->max_iter, seed, w, work);
        if (!j->calibrate)
                return;
        if (o->calib_folds < 2)
                for (size_t i = 0; i < n; i++)
                        dec[i] = ne_topic_svm_decision(&j->x, w, i);
        ne_topic_platt_fit(dec, y, n, &j->pa[l], &j->pb[l]);
}

static void *worker(void *arg)
{
        struct train_job *j = arg;
        const size_t n = j->ts->n_docs;
        int8_t *y = malloc(n ? n : 1);
        uint32_t *idx = malloc((n ? n : 1) * sizeof(*idx));
        double *dec = malloc((n ? n : 1) * sizeof(*dec));
        double *work = malloc((n ? 3 * n : 1) * sizeof(*work));
        bool ok = y && idx && dec && work;

        pthread_mutex_lock(&j->mu);
        if (!ok && !j->err)
                j->err = -ENOMEM;
        while (!j->err && j->next < j->ts->n_labels) {
                size_t l = j->next++;
                pthread_mutex_unlock(&j->mu);
                train_label(j, l, y, idx, dec, work);
                pthread_mutex_lock(&j->mu);
                j->done++;
                if (j->progress)
                        j->progress(j->stage, j->done, j->ts->n_labels, j->ud);
        }
        pthread_mutex_unlock(&j->mu);
        free(y);
        free(idx);
        free(dec);
        free(work);
        return NULL;
}

static int run_labels(struct train_job *j, int threads)
{
        pthread_t tid[16];
        int started = 0;
        if (threads < 1)
                threads = 1;
        if (threads > 16)
                threads = 16;
        j->next = j->done = 0;
        j->err = 0;
        for (int t = 1; t < threads; t++) {
                if (pthread_create(&tid[started], NULL, worker, j) != 0)
                        break; /* fewer threads; same result */
                started++;
        }
        worker(j);
        for (int t = 0; t < started; t++)
                pthread_join(tid[t], NULL);
        return j->err;
}

struct key_id {
        uint32_t key, id;
};

static int cmp_key_id(const void *a, const void *b)
{
        uint32_t x = ((const struct key_id *)a)->key, y = ((const struct key_id *)b)->key;
        return (x > y) - (x < y);
}

struct imp {
        float v;
        uint32_t key, id;
};

static int cmp_imp(const void *a, const void *b)
{
        const struct imp *x = a, *y = b;
        if (x->v != y->v)
                return x->v < y->v ? 1 : -1;
        return (x->key > y->key) - (x->key < y->key);
}

static size_t strings_len(const struct ne_topic_trainset *ts)
{
        size_t n = strlen(ts->o.tag) + 1;
        for (size_t l = 0; l < ts->n_labels; l++)
                n += strlen(ts->codes[l]) + 1 + strlen(ts->names[l] ? ts->names[l] : ts->codes[l]) +
                     1;
        return n;
}

static void put_f32(uint8_t *p, float f)
{
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        ne_topic_put_u32(p, u);
}

/* Writes the image: cols[c] is the vocabulary id of column c (keys ascending). */
static int write_image(const struct train_job *j, const uint32_t *cols, const uint8_t *idfq,
                       float idf_min, float idf_step, void **ret_image, size_t *ret_size)
{
        const struct ne_topic_trainset *ts = j->ts;
        const size_t nl = ts->n_labels, nc = j->x.n_cols, sl = strings_len(ts);
        size_t size = NE_TOPIC_HEADER_SIZE + 16 * nl + sl + nc * (5 + nl) + 4;
        uint8_t *img = malloc(size);
        if (!img)
                return -ENOMEM;
        memcpy(img, NE_TOPIC_MAGIC, 8);
        ne_topic_put_u32(img + 8, ts->o.flags);
        ne_topic_put_u32(img + 12, ts->o.seed);
        ne_topic_put_u32(img + 16, (uint32_t)nl);
        ne_topic_put_u32(img + 20, (uint32_t)nc);
        put_f32(img + 24, idf_min);
        put_f32(img + 28, idf_step);
        ne_topic_put_u32(img + 32, (uint32_t)sl);
        ne_topic_put_u32(img + 36, 0);
        uint8_t *p = img + NE_TOPIC_HEADER_SIZE;
        uint8_t *rows = img + NE_TOPIC_HEADER_SIZE + 16 * nl + sl + 4 * nc;
        for (size_t l = 0; l < nl; l++) {
                const double *w = j->w + l * (nc + 1);
                double maxabs = 0.0;
                for (size_t c = 0; c < nc; c++)
                        maxabs = fmax(maxabs, fabs(w[c]));
                double scale = maxabs > 0 ? maxabs : 1.0;
                for (size_t c = 0; c < nc; c++) {
                        /* square-root companding: small weights, the many, keep resolution */
                        double u = sqrt(fabs(w[c]) / scale) * 127.0;
                        long q = lrint(w[c] < 0 ? -u : u);
                        int8_t b = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
                        memcpy(rows + c * (nl + 1) + 1 + l, &b, 1);
                }
                put_f32(p, (float)w[nc]);
                put_f32(p + 4, (float)scale);
                put_f32(p + 8, (float)j->pa[l]);
                put_f32(p + 12, (float)j->pb[l]);
                p += 16;
        }
        size_t tl = strlen(ts->o.tag) + 1;
        memcpy(p, ts->o.tag, tl);
        p += tl;
        for (size_t l = 0; l < nl; l++) {
                const char *name = ts->names[l] ? ts->names[l] : ts->codes[l];
                size_t a = strlen(ts->codes[l]) + 1, b = strlen(name) + 1;
                memcpy(p, ts->codes[l], a);
                memcpy(p + a, name, b);
                p += a + b;
        }
        for (size_t c = 0; c < nc; c++)
                ne_topic_put_u32(p + 4 * c, ts->vkeys[cols[c]]);
        for (size_t c = 0; c < nc; c++)
                rows[c * (nl + 1)] = idfq[c];
        ne_topic_put_u32(img + size - 4, (uint32_t)crc32(0L, img, (uInt)(size - 4)));
        *ret_image = img;
        *ret_size = size;
        return 0;
}

/* Chooses the columns: kept vocabulary ids (df >= min_df, and in keep if given), sorted by key.
 * Returns the count; cols and colof are filled. */
static uint32_t choose_columns(const struct ne_topic_trainset *ts, const uint8_t *keep,
                               struct key_id *tmp, uint32_t *cols, uint32_t *colof)
{
        uint32_t n = 0;
        for (uint32_t id = 0; id < ts->n_vocab; id++) {
                colof[id] = UINT32_MAX;
                uint32_t min_df = ts->vkeys[id] & 1 ? ts->o.min_df_bigram : ts->o.min_df;
                if (ts->vdf[id] >= min_df && (!keep || keep[id]))
                        tmp[n++] = (struct key_id){ts->vkeys[id], id};
        }
        qsort(tmp, n, sizeof(*tmp), cmp_key_id);
        for (uint32_t c = 0; c < n; c++) {
                cols[c] = tmp[c].id;
                colof[tmp[c].id] = c;
        }
        return n;
}

/* idf per column, quantised to a byte; idf[] gets the dequantised values training uses. */
static void make_idf(const struct ne_topic_trainset *ts, const uint32_t *cols, uint32_t n,
                     uint8_t *idfq, float *idf, float *ret_min, float *ret_step)
{
        float lo = INFINITY, hi = -INFINITY;
        for (uint32_t c = 0; c < n; c++) {
                idf[c] = (float)(log((1.0 + ts->n_docs) / (1.0 + ts->vdf[cols[c]])) + 1.0);
                if (ts->vkeys[cols[c]] & 1)
                        idf[c] *= (float)ts->o.bigram_weight;
                lo = fminf(lo, idf[c]);
                hi = fmaxf(hi, idf[c]);
        }
        if (n == 0)
                lo = hi = 1.0f;
        float step = hi > lo ? (hi - lo) / 255.0f : 1.0f;
        for (uint32_t c = 0; c < n; c++) {
                long q = lrintf((idf[c] - lo) / step);
                idfq[c] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
                idf[c] = lo + (float)idfq[c] * step;
        }
        *ret_min = lo;
        *ret_step = step;
}

/* Marks in keep the max_cols columns with the largest weight relative to each label's largest,
 * from a first, uncalibrated training run over all columns. */
static int select_features(struct train_job *j, const uint32_t *cols, uint32_t n, size_t max_cols,
                           uint8_t *keep)
{
        const size_t nl = j->ts->n_labels;
        struct imp *im = malloc((n ? n : 1) * sizeof(*im));
        double *maxabs = calloc(nl, sizeof(*maxabs));
        if (!im || !maxabs) {
                free(im);
                free(maxabs);
                return -ENOMEM;
        }
        for (size_t l = 0; l < nl; l++)
                for (uint32_t c = 0; c < n; c++)
                        maxabs[l] = fmax(maxabs[l], fabs(j->w[l * ((size_t)n + 1) + c]));
        for (uint32_t c = 0; c < n; c++) {
                double v = 0;
                for (size_t l = 0; l < nl; l++)
                        if (maxabs[l] > 0)
                                v = fmax(v, fabs(j->w[l * ((size_t)n + 1) + c]) / maxabs[l]);
                im[c] = (struct imp){(float)v, j->ts->vkeys[cols[c]], cols[c]};
        }
        qsort(im, n, sizeof(*im), cmp_imp);
        memset(keep, 0, j->ts->n_vocab);
        for (size_t c = 0; c < max_cols && c < n; c++)
                keep[im[c].id] = 1;
        free(im);
        free(maxabs);
        return 0;
}

static void assign_folds(struct train_job *j)
{
        const size_t n = j->ts->n_docs;
        const int folds = j->ts->o.calib_folds >= 2 ? j->ts->o.calib_folds : 1;
        uint64_t s = j->ts->o.seed * 0x2545F4914F6CDD1DULL + 7;
        /* a seeded shuffle of 0..n-1, then round-robin folds */
        for (size_t i = 0; i < n; i++)
                j->fold[i] = (uint32_t)i;
        for (size_t i = n; i > 1; i--) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                size_t k = (size_t)(s % i);
                uint32_t t = j->fold[i - 1];
                j->fold[i - 1] = j->fold[k];
                j->fold[k] = t;
        }
        /* fold[] now holds a permutation; turn position into fold number */
        uint32_t *pos = j->fold;
        for (size_t i = 0; i < n; i++)
                pos[i] = (uint32_t)(pos[i] % (uint32_t)folds);
}

int ne_topic_train(struct ne_topic_trainset *ts, ne_topic_progress_fn progress, void *ud,
                   void **ret_image, size_t *ret_size, struct ne_diag *diag)
{
        struct train_job j = {.ts = ts, .progress = progress, .ud = ud};
        const size_t nl = ts->n_labels;
        struct key_id *tmp = NULL;
        uint32_t *cols = NULL, *colof = NULL;
        uint8_t *idfq = NULL, *keep = NULL;
        float *idf = NULL, idf_min, idf_step;
        int r;

        if (ts->n_docs == 0 || nl == 0)
                return ne_diag_set(diag, -EINVAL, "no labelled documents to train on");
        if (!(ts->o.c > 0) || !(ts->o.eps > 0) || ts->o.max_iter < 1 || !ts->o.tag)
                return ne_diag_set(diag, -EINVAL, "bad training options");
        pthread_mutex_init(&j.mu, NULL);
        size_t nv = ts->n_vocab ? ts->n_vocab : 1;
        tmp = malloc(nv * sizeof(*tmp));
        cols = malloc(nv * sizeof(*cols));
        colof = malloc(nv * sizeof(*colof));
        idfq = malloc(nv);
        idf = malloc(nv * sizeof(*idf));
        j.fold = malloc(ts->n_docs * sizeof(*j.fold));
        j.pa = calloc(nl, sizeof(*j.pa));
        j.pb = calloc(nl, sizeof(*j.pb));
        r = -ENOMEM;
        if (!tmp || !cols || !colof || !idfq || !idf || !j.fold || !j.pa || !j.pb)
                goto out;
        assign_folds(&j);

        uint32_t n = choose_columns(ts, NULL, tmp, cols, colof);
        size_t fixed = NE_TOPIC_HEADER_SIZE + 16 * nl + strings_len(ts) + 4;
        size_t max_cols = ts->o.max_bytes > fixed ? (ts->o.max_bytes - fixed) / (5 + nl) : 0;
        if (n > max_cols) {
                /* over budget: rank features with a quick uncalibrated run, keep the best */
                make_idf(ts, cols, n, idfq, idf, &idf_min, &idf_step);
                j.w = malloc(nl * ((size_t)n + 1) * sizeof(*j.w));
                keep = malloc(nv);
                if (!j.w || !keep || build_matrix(&j, colof, n, idf) < 0)
                        goto out;
                j.stage = "rank features";
                if ((r = run_labels(&j, ts->o.threads)) < 0 ||
                    (r = select_features(&j, cols, n, max_cols, keep)) < 0)
                        goto out;
                r = -ENOMEM;
                free_matrix(&j);
                free(j.w);
                j.w = NULL;
                n = choose_columns(ts, keep, tmp, cols, colof);
        }
        make_idf(ts, cols, n, idfq, idf, &idf_min, &idf_step);
        j.w = malloc(nl * ((size_t)n + 1) * sizeof(*j.w));
        if (!j.w || build_matrix(&j, colof, n, idf) < 0)
                goto out;
        j.calibrate = true;
        j.stage = "train";
        if ((r = run_labels(&j, ts->o.threads)) < 0)
                goto out;
        r = write_image(&j, cols, idfq, idf_min, idf_step, ret_image, ret_size);
out:
        if (r == -ENOMEM)
                ne_diag_set(diag, r, "out of memory while training");
        free_matrix(&j);
        free(j.w);
        free(j.fold);
        free(j.pa);
        free(j.pb);
        free(tmp);
        free(cols);
        free(colof);
        free(idfq);
        free(idf);
        free(keep);
        pthread_mutex_destroy(&j.mu);
        return r;
}
