/* `newsenrichd train-topics`: trains a topic model from labelled TSV files (see
 * /work/shared/data/README.md for the format), optionally rewriting labels through a label map,
 * and writes the model file. Malformed lines are reported with file and line and skipped
 * (--strict makes them fatal). A progress line is drawn on stderr when it is a terminal. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/topic_corpus.h"
#include "ne/topic_train.h"

#define MAX_TRAIN_FILES 64

struct train_cli {
        struct ne_topic_trainset *ts;
        bool tty, strict;
        size_t bad, docs_seen;
        const char *path;
};

static void usage(FILE *out)
{
        fprintf(
            out,
            "usage: newsenrichd train-topics --train FILE... --out MODEL [options]\n"
            "  --train FILE        labelled data, `labels<TAB>text` (gzip or plain); repeatable\n"
            "  --out MODEL         model file to write\n"
            "  --label-map FILE    TSV source,source_label,code,label: rewrite labels; documents\n"
            "                      with no mapped label are left out\n"
            "  --labels FILE       TSV code<TAB>label: human names for the codes\n"
            "  --dev FILE          report accuracy and micro-F1 on this file after training\n"
            "  --folds N --fold K  train on records whose index %% N != K (cross-validation)\n"
            "  --seed N            hash and shuffle seed (default 1)\n"
            "  --c X               SVM cost (default 1)\n"
            "  --eps X             solver tolerance (default 0.01)\n"
            "  --max-iter N        solver iterations per label (default 200)\n"
            "  --min-df N          drop unigrams in fewer documents (default 1)\n"
            "  --min-df-bigram N   drop bigrams in fewer documents (default 2)\n"
            "  --bigram-weight X   scale of bigram features against unigrams (default 0.5)\n"
            "  --no-bigrams        unigrams only\n"
            "  --digits            fold every digit to 0\n"
            "  --compound          add whole words with inner punctuation (e-mail, u.s.)\n"
            "  --calib-folds N     internal folds for probability calibration (default 3)\n"
            "  --threads N         training threads (default 2)\n"
            "  --max-size-mb N     model size budget, features pruned to fit (default 16)\n"
            "  --tag S             version tag stored in the model (default topics)\n"
            "  --strip-usenet      drop Usenet headers (but Subject), quotes and signatures\n"
            "  --strict            stop at the first malformed line\n");
}

static int on_bad(const char *path, size_t line, const char *why, void *ud)
{
        struct train_cli *cli = ud;
        cli->bad++;
        if (cli->bad <= 20)
                fprintf(stderr, "%s%s:%zu: malformed line: %s\n", cli->tty ? "\n" : "", path, line,
                        why);
        else if (cli->bad == 21)
                fprintf(stderr, "%s: further malformed lines not shown\n", path);
        return cli->strict ? -EBADMSG : 0;
}

static int on_doc(const char *const *labels, size_t n, const char *text, size_t len, size_t line,
                  void *ud)
{
        struct train_cli *cli = ud;
        (void)line;
        int r = ne_topic_trainset_add(cli->ts, labels, n, text, len);
        if (r < 0)
                return r;
        cli->docs_seen++;
        if (cli->tty && cli->docs_seen % 500 == 0)
                fprintf(stderr, "\rreading %s: %zu documents", cli->path, cli->docs_seen);
        return 0;
}

static void on_progress(const char *stage, size_t done, size_t total, void *ud)
{
        struct train_cli *cli = ud;
        if (cli->tty)
                fprintf(stderr, "\r%s: label %zu/%zu      ", stage, done, total);
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_num(const char *s, double lo, double hi, double *ret)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !(v >= lo && v <= hi))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Names each label from the --labels file (code -> name) or else the label map's label column. */
static int name_labels(struct ne_topic_trainset *ts, const struct ne_topic_dict *names,
                       const struct ne_topic_dict *map)
{
        for (size_t l = 0; l < ne_topic_trainset_n_labels(ts); l++) {
                const char *code = ne_topic_trainset_label(ts, l), *name = NULL;
                if (names)
                        ne_topic_dict_get(names, code, &name);
                for (size_t i = 0; !name && map && i < ne_topic_dict_size(map); i++) {
                        const char *value, *n;
                        ne_topic_dict_entry(map, i, NULL, &value, &n);
                        if (strcmp(value, code) == 0)
                                name = n;
                }
                if (name) {
                        int r = ne_topic_trainset_name(ts, code, name);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int ne_cmd_train_topics(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"train", required_argument, NULL, 't'},
            {"out", required_argument, NULL, 'o'},
            {"label-map", required_argument, NULL, 'm'},
            {"labels", required_argument, NULL, 'l'},
            {"dev", required_argument, NULL, 'd'},
            {"folds", required_argument, NULL, 'F'},
            {"fold", required_argument, NULL, 'k'},
            {"seed", required_argument, NULL, 's'},
            {"c", required_argument, NULL, 'c'},
            {"eps", required_argument, NULL, 'e'},
            {"max-iter", required_argument, NULL, 'i'},
            {"min-df", required_argument, NULL, 'f'},
            {"no-bigrams", no_argument, NULL, 'B'},
            {"min-df-bigram", required_argument, NULL, 'G'},
            {"bigram-weight", required_argument, NULL, 'W'},
            {"digits", no_argument, NULL, 'D'},
            {"compound", no_argument, NULL, 'P'},
            {"calib-folds", required_argument, NULL, 'K'},
            {"threads", required_argument, NULL, 'T'},
            {"max-size-mb", required_argument, NULL, 'M'},
            {"tag", required_argument, NULL, 'g'},
            {"strip-usenet", no_argument, NULL, 'U'},
            {"strict", no_argument, NULL, 'S'},
            {"help", no_argument, NULL, 'h'},
            {0, 0, 0, 0},
        };
        struct ne_topic_train_opts o;
        struct ne_topic_corpus_opts co = {0};
        const char *train[MAX_TRAIN_FILES], *out = NULL, *map_path = NULL, *labels_path = NULL;
        const char *dev = NULL;
        size_t n_train = 0;
        struct train_cli cli = {.tty = isatty(2)};
        struct ne_topic_dict *map = NULL, *names = NULL;
        struct ne_diag diag;
        void *image = NULL;
        size_t size = 0;
        int opt, r, status = 1;
        double v;

        ne_topic_train_opts_default(&o);
        ne_diag_clear(&diag);
        optind = 1;
        while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                r = 0;
                switch (opt) {
                case 't':
                        if (n_train == MAX_TRAIN_FILES)
                                r = -E2BIG;
                        else
                                train[n_train++] = optarg;
                        break;
                case 'o':
                        out = optarg;
                        break;
                case 'm':
                        map_path = optarg;
                        break;
                case 'l':
                        labels_path = optarg;
                        break;
                case 'd':
                        dev = optarg;
                        break;
                case 'F':
                        if ((r = parse_num(optarg, 2, 1000, &v)) == 0)
                                co.folds = (int)v;
                        break;
                case 'k':
                        if ((r = parse_num(optarg, 0, 999, &v)) == 0)
                                co.fold = (int)v;
                        break;
                case 's':
                        if ((r = parse_num(optarg, 0, 4294967295.0, &v)) == 0)
                                o.seed = (uint32_t)v;
                        break;
                case 'c':
                        r = parse_num(optarg, 1e-6, 1e6, &o.c);
                        break;
                case 'e':
                        r = parse_num(optarg, 1e-9, 10, &o.eps);
                        break;
                case 'i':
                        if ((r = parse_num(optarg, 1, 1e6, &v)) == 0)
                                o.max_iter = (int)v;
                        break;
                case 'f':
                        if ((r = parse_num(optarg, 1, 1e9, &v)) == 0)
                                o.min_df = (uint32_t)v;
                        break;
                case 'G':
                        if ((r = parse_num(optarg, 1, 1e9, &v)) == 0)
                                o.min_df_bigram = (uint32_t)v;
                        break;
                case 'W':
                        r = parse_num(optarg, 0.01, 100, &o.bigram_weight);
                        break;
                case 'B':
                        o.flags &= ~(uint32_t)NE_TOPIC_F_BIGRAMS;
                        break;
                case 'D':
                        o.flags |= NE_TOPIC_F_DIGITS;
                        break;
                case 'P':
                        o.flags |= NE_TOPIC_F_COMPOUND;
                        break;
                case 'K':
                        if ((r = parse_num(optarg, 0, 20, &v)) == 0)
                                o.calib_folds = (int)v;
                        break;
                case 'T':
                        if ((r = parse_num(optarg, 1, 16, &v)) == 0)
                                o.threads = (int)v;
                        break;
                case 'M':
                        if ((r = parse_num(optarg, 0.001, 1024, &v)) == 0)
                                o.max_bytes = (size_t)(v * 1024 * 1024);
                        break;
                case 'g':
                        o.tag = optarg;
                        break;
                case 'U':
                        co.strip_usenet = true;
                        break;
                case 'S':
                        cli.strict = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
                if (r < 0) {
                        fprintf(stderr, "train-topics: bad option value '%s'\n", optarg);
                        return 2;
                }
        }
        if (n_train == 0 || !out || optind != argc || (co.folds > 1 && co.fold >= co.folds)) {
                usage(stderr);
                return 2;
        }
        if (map_path && (r = ne_topic_dict_load(map_path, 1, 2, 3, &map, &diag)) < 0)
                goto err;
        if (labels_path && (r = ne_topic_dict_load(labels_path, 0, 0, 1, &names, &diag)) < 0)
                goto err;
        co.map = map;
        if ((r = ne_topic_trainset_new(&o, &cli.ts)) < 0)
                goto err;

        double t0 = now_s();
        for (size_t i = 0; i < n_train; i++) {
                cli.path = train[i];
                r = ne_topic_corpus_read(train[i], &co, on_doc, on_bad, &cli, &diag);
                if (r == -EBADMSG && cli.strict && !diag.msg[0])
                        ne_diag_set(&diag, r, "%s: malformed line (--strict)", train[i]);
                if (r < 0)
                        goto err;
        }
        if (cli.tty)
                fprintf(stderr, "\n");
        if ((r = name_labels(cli.ts, names, map)) < 0)
                goto err;
        fprintf(stderr, "train-topics: %zu documents, %zu labels, %zu malformed lines skipped\n",
                ne_topic_trainset_n_docs(cli.ts), ne_topic_trainset_n_labels(cli.ts), cli.bad);
        r = ne_topic_train(cli.ts, on_progress, &cli, &image, &size, &diag);
        if (cli.tty)
                fprintf(stderr, "\n");
        if (r < 0)
                goto err;
        if ((r = ne_topic_image_save(image, size, out, &diag)) < 0)
                goto err;
        fprintf(stderr, "train-topics: wrote %s (%zu bytes) in %.1f s\n", out, size, now_s() - t0);
        status = 0;
        if (dev) {
                char *eargv[] = {"eval-topics", "--model", (char *)out, NULL, NULL, NULL};
                int ea = 3;
                if (map_path) {
                        eargv[ea++] = "--label-map";
                        eargv[ea++] = (char *)map_path;
                }
                eargv[ea++] = (char *)dev;
                status = ne_cmd_eval_topics(ea, eargv);
        }
        goto out;
err:
        fprintf(stderr, "train-topics: %s\n", diag.msg[0] ? diag.msg : strerror(-r));
out:
        free(image);
        ne_topic_trainset_free(cli.ts);
        ne_topic_dict_free(map);
        ne_topic_dict_free(names);
        return status;
}
