/* Unit tests for topic training, the model file and prediction: a tiny synthetic set is learnt
 * perfectly, a saved and reloaded model scores identically, multi-label documents get both
 * labels, training is deterministic, prediction honours threshold and max, and damaged model
 * files are rejected with an error. Fixtures: tests/fixtures/topic/tiny*.tsv. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ne/topic.h"
#include "ne/topic_corpus.h"
#include "ne/topic_train.h"

static const char *fixture(const char *name)
{
        static char path[1024];
        const char *dir = getenv("NE_FIXTURES");
        if (dir)
                snprintf(path, sizeof(path), "%s/topic/%s", dir, name);
        else
                snprintf(path, sizeof(path), "%s/tests/fixtures/topic/%s", NE_SOURCE_DIR, name);
        return path;
}

#define MAX_DOCS 64

struct docs {
        char *text[MAX_DOCS];
        size_t len[MAX_DOCS];
        char gold[MAX_DOCS][4][32];
        size_t n_gold[MAX_DOCS];
        size_t n;
        struct ne_topic_trainset *ts;
};

static int keep_doc(const char *const *labels, size_t n, const char *text, size_t len, size_t line,
                    void *ud)
{
        struct docs *d = ud;
        (void)line;
        cr_assert(d->n < MAX_DOCS);
        d->text[d->n] = strndup(text, len);
        d->len[d->n] = len;
        d->n_gold[d->n] = n < 4 ? n : 4;
        for (size_t i = 0; i < d->n_gold[d->n]; i++)
                snprintf(d->gold[d->n][i], 32, "%s", labels[i]);
        d->n++;
        if (d->ts)
                return ne_topic_trainset_add(d->ts, labels, n, text, len);
        return 0;
}

static void free_docs(struct docs *d)
{
        for (size_t i = 0; i < d->n; i++)
                free(d->text[i]);
}

/* Trains on tiny.tsv through the label map; returns the image. */
static void train_tiny_budget(struct docs *d, uint32_t seed, int threads, size_t max_bytes,
                              void **image, size_t *size)
{
        struct ne_topic_train_opts o;
        struct ne_topic_dict *map, *names;
        ne_topic_train_opts_default(&o);
        o.max_bytes = max_bytes;
        o.seed = seed;
        o.threads = threads;
        o.tag = "tiny";
        o.calib_folds = 3;
        cr_assert_eq(ne_topic_dict_load(fixture("tiny_map.tsv"), 1, 2, 3, &map, NULL), 0);
        cr_assert_eq(ne_topic_dict_load(fixture("tiny_labels.tsv"), 0, 0, 1, &names, NULL), 0);
        cr_assert_eq(ne_topic_trainset_new(&o, &d->ts), 0);
        struct ne_topic_corpus_opts co = {.map = map};
        cr_assert_eq(ne_topic_corpus_read(fixture("tiny.tsv"), &co, keep_doc, NULL, d, NULL), 0);
        cr_assert_eq(ne_topic_trainset_n_docs(d->ts), 33);
        cr_assert_eq(ne_topic_trainset_n_labels(d->ts), 3);
        for (size_t l = 0; l < 3; l++) {
                const char *code = ne_topic_trainset_label(d->ts, l), *name = NULL;
                cr_assert_not_null(ne_topic_dict_get(names, code, &name));
                cr_assert_eq(ne_topic_trainset_name(d->ts, code, name), 0);
        }
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_topic_train(d->ts, NULL, NULL, image, size, &diag), 0, "%s", diag.msg);
        ne_topic_trainset_free(d->ts);
        d->ts = NULL;
        ne_topic_dict_free(map);
        ne_topic_dict_free(names);
}

static void train_tiny(struct docs *d, uint32_t seed, int threads, void **image, size_t *size)
{
        train_tiny_budget(d, seed, threads, 16u << 20, image, size);
}

static bool has_gold(const struct docs *d, size_t i, const char *code)
{
        for (size_t g = 0; g < d->n_gold[i]; g++)
                if (strcmp(d->gold[i][g], code) == 0)
                        return true;
        return false;
}

Test(topic_model, learns_tiny_set_and_multilabel)
{
        struct docs d = {.n = 0};
        void *image;
        size_t size;
        struct ne_topic_model *m;
        struct ne_topic_scratch *s;
        train_tiny(&d, 1, 2, &image, &size);
        cr_assert_eq(ne_topic_model_from_buf(image, size, &m, NULL), 0);
        cr_assert_eq(ne_topic_scratch_new(m, &s), 0);
        cr_assert_eq(ne_topic_model_n_labels(m), 3);
        cr_assert(strncmp(ne_topic_model_version(m), "tiny+", 5) == 0);
        const char *code, *label;
        ne_topic_model_label(m, 0, &code, &label);
        cr_assert_str_eq(code, "medtop:15000000");
        cr_assert_str_eq(label, "sport");

        size_t multi = 0;
        for (size_t i = 0; i < d.n; i++) {
                struct ne_topic_score res[3];
                int n = ne_topic_predict(m, s, d.text[i], d.len[i], 0.5f, res, 3);
                cr_assert(n >= 1, "doc %zu got no label at 0.5", i);
                for (int k = 1; k < n; k++)
                        cr_assert(res[k - 1].score >= res[k].score, "best first");
                /* every predicted label is gold and every gold label predicted: 100% */
                cr_assert_eq((size_t)n, d.n_gold[i], "doc %zu: %d labels, %zu gold", i, n,
                             d.n_gold[i]);
                for (int k = 0; k < n; k++) {
                        ne_topic_model_label(m, res[k].label, &code, NULL);
                        cr_assert(has_gold(&d, i, code), "doc %zu: %s not gold", i, code);
                        cr_assert(res[k].score >= 0.5f && res[k].score <= 1.0f);
                }
                multi += n > 1;
        }
        cr_assert_eq(multi, 9, "the nine two-topic documents get two labels");
        ne_topic_scratch_free(s);
        ne_topic_model_free(m);
        free(image);
        free_docs(&d);
}

Test(topic_model, save_load_identity_and_determinism)
{
        struct docs d = {.n = 0}, d2 = {.n = 0};
        void *image, *image2;
        size_t size, size2;
        char path[] = "/tmp/ne-topic-model-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        close(fd);
        train_tiny(&d, 7, 1, &image, &size);
        train_tiny(&d2, 7, 2, &image2, &size2);
        cr_assert_eq(size, size2);
        cr_assert_eq(memcmp(image, image2, size), 0, "same seed, any thread count: same bytes");

        struct ne_topic_model *a, *b;
        struct ne_topic_scratch *sa, *sb;
        cr_assert_eq(ne_topic_image_save(image, size, path, NULL), 0);
        cr_assert_eq(ne_topic_model_from_buf(image, size, &a, NULL), 0);
        cr_assert_eq(ne_topic_model_load(path, &b, NULL), 0);
        cr_assert_str_eq(ne_topic_model_version(a), ne_topic_model_version(b));
        cr_assert_eq(ne_topic_scratch_new(a, &sa), 0);
        cr_assert_eq(ne_topic_scratch_new(b, &sb), 0);
        for (size_t i = 0; i < d.n; i++) {
                struct ne_topic_score ra[3], rb[3];
                int na = ne_topic_predict(a, sa, d.text[i], d.len[i], 0.0f, ra, 3);
                int nb = ne_topic_predict(b, sb, d.text[i], d.len[i], 0.0f, rb, 3);
                cr_assert_eq(na, 3);
                cr_assert_eq(na, nb);
                for (int k = 0; k < na; k++) {
                        cr_assert_eq(ra[k].label, rb[k].label);
                        cr_assert_eq(ra[k].score, rb[k].score, "identical scores");
                }
        }
        /* max and threshold bound the output; empty text is fine */
        struct ne_topic_score one[1];
        cr_assert_eq(ne_topic_predict(a, sa, d.text[0], d.len[0], 0.0f, one, 1), 1);
        cr_assert_eq(ne_topic_predict(a, sa, d.text[0], d.len[0], 1.01f, one, 1), 0);
        cr_assert_eq(ne_topic_predict(a, sa, "", 0, 0.0f, one, 1), 1);
        cr_assert_eq(ne_topic_predict(a, sa, NULL, 5, 0.0f, one, 1), -EINVAL);
        ne_topic_scratch_free(sa);
        ne_topic_scratch_free(sb);
        ne_topic_model_free(a);
        ne_topic_model_free(b);
        unlink(path);
        free(image);
        free(image2);
        free_docs(&d);
        free_docs(&d2);
}

Test(topic_model, bad_model_files_are_errors)
{
        struct docs d = {.n = 0};
        void *image;
        size_t size;
        struct ne_topic_model *m = NULL;
        struct ne_diag diag;
        train_tiny(&d, 1, 1, &image, &size);
        uint8_t *bad = malloc(size);
        cr_assert_not_null(bad);

        memcpy(bad, image, size);
        bad[size / 2] ^= 0x40; /* bit rot */
        ne_diag_clear(&diag);
        cr_assert_eq(ne_topic_model_from_buf(bad, size, &m, &diag), -EBADMSG);
        cr_assert(strstr(diag.msg, "checksum"), "%s", diag.msg);
        cr_assert_eq(ne_topic_model_from_buf(image, size - 9, &m, NULL), -EBADMSG, "truncated");
        cr_assert_eq(ne_topic_model_from_buf(image, 10, &m, NULL), -EBADMSG, "too short");
        cr_assert_eq(ne_topic_model_from_buf("", 0, &m, NULL), -EBADMSG, "empty");
        memcpy(bad, image, size);
        bad[0] = 'X';
        cr_assert_eq(ne_topic_model_from_buf(bad, size, &m, NULL), -EBADMSG, "magic");
        cr_assert_null(m);

        char path[] = "/tmp/ne-topic-bad-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, "not a model at all\n", 19), 19);
        close(fd);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_topic_model_load(path, &m, &diag), -EBADMSG);
        cr_assert(strstr(diag.msg, path), "diag names the file: %s", diag.msg);
        unlink(path);
        cr_assert_eq(ne_topic_model_load("/nonexistent/model", &m, NULL), -ENOENT);
        cr_assert_eq(ne_topic_model_load("/tmp", &m, NULL), -EBADMSG, "a directory");
        cr_assert_null(m);
        ne_topic_model_free(NULL);
        ne_topic_scratch_free(NULL);
        free(bad);
        free(image);
        free_docs(&d);
}

Test(topic_model, size_budget_prunes_features)
{
        struct docs d = {.n = 0}, d2 = {.n = 0};
        void *full, *small;
        size_t full_size, small_size;
        struct ne_topic_model *m;
        struct ne_topic_scratch *s;
        train_tiny(&d, 1, 2, &full, &full_size);
        train_tiny_budget(&d2, 1, 2, 1200, &small, &small_size);
        cr_assert(full_size > 1200, "the fixture needs more than the budget (%zu)", full_size);
        cr_assert(small_size <= 1200, "pruned model is %zu bytes", small_size);
        cr_assert_eq(ne_topic_model_from_buf(small, small_size, &m, NULL), 0);
        cr_assert(ne_topic_model_n_features(m) > 0);
        cr_assert_eq(ne_topic_scratch_new(m, &s), 0);
        size_t right = 0;
        for (size_t i = 0; i < d.n; i++) {
                struct ne_topic_score res[1];
                const char *code;
                cr_assert_eq(ne_topic_predict(m, s, d.text[i], d.len[i], 0.0f, res, 1), 1);
                ne_topic_model_label(m, res[0].label, &code, NULL);
                right += has_gold(&d, i, code);
        }
        cr_assert(right * 10 >= d.n * 9, "the most useful features survive: %zu/%zu", right, d.n);
        ne_topic_scratch_free(s);
        ne_topic_model_free(m);
        free(full);
        free(small);
        free_docs(&d);
        free_docs(&d2);
}
