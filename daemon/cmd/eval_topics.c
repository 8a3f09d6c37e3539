/* `newsenrichd eval-topics`: scores a topic model on labelled TSV data. Prints per-label
 * precision, recall and F1 and, as the last line, `accuracy=... micro_f1=... docs_per_sec=...`.
 * Accuracy counts documents whose best label is one of theirs; the multi-label decision is
 * every label with probability >= --threshold, or the best one if none reaches it. Speed is
 * warm, one thread, texts in memory, tokenisation included, per second of thread CPU time. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/array.h"
#include "ne/cmd.h"
#include "ne/topic.h"
#include "ne/topic_corpus.h"
#include "ne/topic_train.h"

struct eval_doc {
        size_t text_off, text_len;
        size_t gold_off; /* into golds */
        uint32_t n_gold;
};

struct eval_set {
        const struct ne_topic_model *m;
        struct eval_doc *docs;
        size_t n_docs, cap_docs;
        char *text;
        size_t text_len, cap_text;
        int32_t *golds; /* label index, or -1 for a label the model does not know */
        size_t n_golds, cap_golds;
        size_t bad;
};

static int32_t label_index(const struct ne_topic_model *m, const char *code)
{
        for (size_t l = 0; l < ne_topic_model_n_labels(m); l++) {
                const char *c;
                ne_topic_model_label(m, l, &c, NULL);
                if (strcmp(c, code) == 0)
                        return (int32_t)l;
        }
        return -1;
}

static int on_doc(const char *const *labels, size_t n, const char *text, size_t len, size_t line,
                  void *ud)
{
        struct eval_set *es = ud;
        (void)line;
        if (ne_array_grow((void **)&es->docs, &es->cap_docs, es->n_docs + 1, sizeof(*es->docs)) < 0 ||
            ne_array_grow((void **)&es->text, &es->cap_text, es->text_len + len + 1, 1) < 0 ||
            ne_array_grow((void **)&es->golds, &es->cap_golds, es->n_golds + n, sizeof(*es->golds)) < 0)
                return -ENOMEM;
        es->docs[es->n_docs++] = (struct eval_doc){es->text_len, len, es->n_golds, (uint32_t)n};
        memcpy(es->text + es->text_len, text, len);
        es->text_len += len;
        es->text[es->text_len++] = '\0';
        for (size_t i = 0; i < n; i++)
                es->golds[es->n_golds++] = label_index(es->m, labels[i]);
        return 0;
}

static int on_bad(const char *path, size_t line, const char *why, void *ud)
{
        struct eval_set *es = ud;
        if (++es->bad <= 20)
                fprintf(stderr, "%s:%zu: malformed line: %s\n", path, line, why);
        return 0;
}

/* Thread CPU time, so the figure means the same on a busy shared machine as on an idle one. */
static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
        fprintf(out, "usage: newsenrichd eval-topics --model MODEL [options] FILE...\n"
                     "  --label-map FILE    rewrite the files' labels as train-topics did\n"
                     "  --folds N --fold K  evaluate on records whose index %% N == K\n"
                     "  --threshold P       multi-label decision threshold (default 0.5)\n"
                     "  --strip-usenet      as train-topics\n"
                     "  --bench-seconds S   repeat prediction for at least S s to time it (0.5)\n");
}

static bool is_gold(const struct eval_set *es, const struct eval_doc *d, uint32_t l)
{
        for (uint32_t g = 0; g < d->n_gold; g++)
                if (es->golds[d->gold_off + g] == (int32_t)l)
                        return true;
        return false;
}

struct counts {
        size_t tp, fp, fn;
};

static double f1(size_t tp, size_t fp, size_t fn)
{
        return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

/* The multi-label decision: labels at or above threshold, best first, or else the best one. */
static int predict(const struct ne_topic_model *m, struct ne_topic_scratch *s, const char *text,
                   size_t len, float threshold, struct ne_topic_score *res, size_t max)
{
        int n = ne_topic_predict(m, s, text, len, threshold, res, max);
        if (n == 0)
                n = ne_topic_predict(m, s, text, len, 0.0f, res, 1);
        return n;
}

static int evaluate(struct eval_set *es, float threshold, double bench_s)
{
        const struct ne_topic_model *m = es->m;
        const size_t nl = ne_topic_model_n_labels(m);
        struct ne_topic_scratch *s = NULL;
        struct ne_topic_score *res = malloc(nl * sizeof(*res));
        struct counts *c = calloc(nl, sizeof(*c));
        size_t correct = 0, unknown_fn = 0, predicted = 0;
        int r = -ENOMEM;
        if (!res || !c || ne_topic_scratch_new(m, &s) < 0)
                goto out;
        double t0 = now_s();
        for (size_t i = 0; i < es->n_docs; i++) {
                const struct eval_doc *d = &es->docs[i];
                int n = predict(m, s, es->text + d->text_off, d->text_len, threshold, res, nl);
                if (n <= 0) {
                        r = n < 0 ? n : -EINVAL;
                        goto out;
                }
                predicted++;
                correct += is_gold(es, d, res[0].label);
                for (int k = 0; k < n; k++) {
                        if (is_gold(es, d, res[k].label))
                                c[res[k].label].tp++;
                        else
                                c[res[k].label].fp++;
                }
                for (uint32_t g = 0; g < d->n_gold; g++) {
                        int32_t l = es->golds[d->gold_off + g];
                        bool found = false;
                        for (int k = 0; k < n && !found; k++)
                                found = l >= 0 && res[k].label == (uint32_t)l;
                        if (!found && l >= 0)
                                c[l].fn++;
                }
                for (uint32_t g = 0; g < d->n_gold; g++)
                        unknown_fn += es->golds[d->gold_off + g] < 0;
        }
        /* throughput: repeat whole passes until the clock has enough to measure */
        while (now_s() - t0 < bench_s && es->n_docs) {
                for (size_t i = 0; i < es->n_docs; i++) {
                        const struct eval_doc *d = &es->docs[i];
                        predict(m, s, es->text + d->text_off, d->text_len, threshold, res, nl);
                }
                predicted += es->n_docs;
        }
        double dt = now_s() - t0;

        size_t tp = 0, fp = 0, fn = unknown_fn;
        printf("%-18s %-40s %7s %7s %7s %7s\n", "code", "label", "support", "prec", "recall", "f1");
        for (size_t l = 0; l < nl; l++) {
                const char *code, *name;
                ne_topic_model_label(m, l, &code, &name);
                size_t support = c[l].tp + c[l].fn;
                double p = c[l].tp + c[l].fp ? (double)c[l].tp / (double)(c[l].tp + c[l].fp) : 0;
                double rc = support ? (double)c[l].tp / (double)support : 0;
                printf("%-18.18s %-40.40s %7zu %7.4f %7.4f %7.4f\n", code, name, support, p, rc,
                       f1(c[l].tp, c[l].fp, c[l].fn));
                tp += c[l].tp;
                fp += c[l].fp;
                fn += c[l].fn;
        }
        if (unknown_fn)
                printf("(%zu gold labels unknown to the model counted as misses)\n", unknown_fn);
        printf("docs=%zu malformed=%zu model=%s\n", es->n_docs, es->bad, ne_topic_model_version(m));
        printf("accuracy=%.4f micro_f1=%.4f docs_per_sec=%.0f\n",
               es->n_docs ? (double)correct / (double)es->n_docs : 0.0, f1(tp, fp, fn),
               dt > 0 ? (double)predicted / dt : 0.0);
        r = 0;
out:
        ne_topic_scratch_free(s);
        free(res);
        free(c);
        return r;
}

int ne_cmd_eval_topics(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"model", required_argument, NULL, 'm'},
            {"label-map", required_argument, NULL, 'l'},
            {"folds", required_argument, NULL, 'F'},
            {"fold", required_argument, NULL, 'k'},
            {"threshold", required_argument, NULL, 't'},
            {"strip-usenet", no_argument, NULL, 'U'},
            {"bench-seconds", required_argument, NULL, 'b'},
            {"help", no_argument, NULL, 'h'},
            {0, 0, 0, 0},
        };
        const char *model_path = NULL, *map_path = NULL;
        struct ne_topic_corpus_opts co = {.test_part = true};
        struct ne_topic_model *m = NULL;
        struct ne_topic_dict *map = NULL;
        struct eval_set es = {0};
        struct ne_diag diag;
        float threshold = 0.5f;
        double bench_s = 0.5;
        int opt, r, status = 1;
        char *end = NULL;

        ne_diag_clear(&diag);
        optind = 1;
        while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                end = NULL;
                switch (opt) {
                case 'm':
                        model_path = optarg;
                        break;
                case 'l':
                        map_path = optarg;
                        break;
                case 'F':
                        co.folds = (int)strtol(optarg, &end, 10);
                        break;
                case 'k':
                        co.fold = (int)strtol(optarg, &end, 10);
                        break;
                case 't':
                        threshold = strtof(optarg, &end);
                        break;
                case 'U':
                        co.strip_usenet = true;
                        break;
                case 'b':
                        bench_s = strtod(optarg, &end);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
                if (end && *end) {
                        fprintf(stderr, "eval-topics: bad option value '%s'\n", optarg);
                        return 2;
                }
        }
        if (!model_path || optind >= argc || co.fold < 0 || (co.folds > 1 && co.fold >= co.folds) ||
            !(threshold >= 0 && threshold <= 1)) {
                usage(stderr);
                return 2;
        }
        if ((r = ne_topic_model_load(model_path, &m, &diag)) < 0)
                goto err;
        if (map_path && (r = ne_topic_dict_load(map_path, 1, 2, 3, &map, &diag)) < 0)
                goto err;
        co.map = map;
        es.m = m;
        for (int i = optind; i < argc; i++)
                if ((r = ne_topic_corpus_read(argv[i], &co, on_doc, on_bad, &es, &diag)) < 0)
                        goto err;
        if (es.n_docs == 0) {
                r = ne_diag_set(&diag, -EINVAL, "no documents to evaluate");
                goto err;
        }
        if ((r = evaluate(&es, threshold, bench_s)) < 0)
                goto err;
        status = 0;
        goto out;
err:
        fprintf(stderr, "eval-topics: %s\n", diag.msg[0] ? diag.msg : strerror(-r));
out:
        ne_topic_model_free(m);
        ne_topic_dict_free(map);
        free(es.docs);
        free(es.text);
        free(es.golds);
        return status;
}
