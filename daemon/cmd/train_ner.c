/* `newsenrichd train-ner`: trains the named-entity model on CoNLL-2003 data and writes the
 * model file. Options and progress only; the learning lives in daemon/enrich/ner_train.c.
 * Progress is redrawn on stderr when stderr is a terminal; each epoch's summary line is
 * always printed. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/conll.h"
#include "ne/ner.h"

#define DEFAULT_LEXICON_DIR "../shared/data"

static void usage(FILE *out)
{
        fprintf(
            out,
            "usage: newsenrichd train-ner --train FILE --out MODEL [options]\n"
            "  --train FILE        CoNLL-2003 training data (IOB1 or IOB2 tags)\n"
            "  --dev FILE          CoNLL data to report F1 on after each epoch\n"
            "  --out MODEL         model file to write\n"
            "  --lexicon-dir DIR   root of lexicons/ and gazetteers/ (default " DEFAULT_LEXICON_DIR
            " if present)\n"
            "  --no-lexicons       train without clusters and gazetteers\n"
            "  --epochs N          passes over the training data (default 10)\n"
            "  --seed N            document shuffling seed (default 1)\n"
            "  --max-bytes N       model size budget in bytes (default 16 MiB)\n");
}

struct progress_ctx {
        bool tty;
        double t0;
};

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_progress(const struct ne_ner_train_progress *p, void *vctx)
{
        struct progress_ctx *ctx = vctx;
        bool done = p->docs_done == p->docs_total;
        if (!done && !ctx->tty)
                return;
        fprintf(stderr, "%sepoch %u/%u  docs %zu/%zu  token errors %.4f", ctx->tty ? "\r" : "",
                p->epoch, p->epochs, p->docs_done, p->docs_total, p->train_err);
        if (p->dev_f1 >= 0)
                fprintf(stderr, "  dev f1 %.4f", p->dev_f1);
        if (done)
                fprintf(stderr, "  %.0fs\n", now_sec() - ctx->t0);
        fflush(stderr);
}

static int parse_uint(const char *s, unsigned long long *ret)
{
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (!*s || *end || s[0] == '-')
                return -1;
        *ret = v;
        return 0;
}

int ne_cmd_train_ner(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"train", required_argument, NULL, 't'}, {"dev", required_argument, NULL, 'd'},
            {"out", required_argument, NULL, 'o'},   {"lexicon-dir", required_argument, NULL, 'l'},
            {"no-lexicons", no_argument, NULL, 'L'}, {"epochs", required_argument, NULL, 'e'},
            {"seed", required_argument, NULL, 's'},  {"max-bytes", required_argument, NULL, 'm'},
            {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
        };
        const char *train_path = NULL, *dev_path = NULL, *out_path = NULL, *lex = NULL;
        bool no_lex = false;
        unsigned long long epochs = 10, seed = 1, max_bytes = 0;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 't':
                        train_path = optarg;
                        break;
                case 'd':
                        dev_path = optarg;
                        break;
                case 'o':
                        out_path = optarg;
                        break;
                case 'l':
                        lex = optarg;
                        break;
                case 'L':
                        no_lex = true;
                        break;
                case 'e':
                        if (parse_uint(optarg, &epochs) < 0 || epochs == 0 || epochs > 1000) {
                                fprintf(stderr, "train-ner: bad --epochs '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 's':
                        if (parse_uint(optarg, &seed) < 0) {
                                fprintf(stderr, "train-ner: bad --seed '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'm':
                        if (parse_uint(optarg, &max_bytes) < 0) {
                                fprintf(stderr, "train-ner: bad --max-bytes '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (!train_path || !out_path || optind != argc) {
                usage(stderr);
                return 2;
        }
        struct stat st;
        if (!lex && !no_lex && stat(DEFAULT_LEXICON_DIR, &st) == 0 && S_ISDIR(st.st_mode))
                lex = DEFAULT_LEXICON_DIR;
        if (no_lex)
                lex = NULL;

        int status = 1;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        struct ne_conll_corpus *train = NULL, *dev = NULL;
        struct ne_ner_model *m = NULL;
        if (ne_conll_read_file(train_path, &train, &diag) < 0) {
                fprintf(stderr, "train-ner: %s: %s\n", train_path, diag.msg);
                goto out;
        }
        if (dev_path && ne_conll_read_file(dev_path, &dev, &diag) < 0) {
                fprintf(stderr, "train-ner: %s: %s\n", dev_path, diag.msg);
                goto out;
        }
        fprintf(stderr, "train-ner: %zu documents, %zu sentences, %zu tokens; lexicons: %s\n",
                train->n_docs, train->n_sents, train->n_toks, lex ? lex : "none");
        struct progress_ctx pctx = {.tty = isatty(STDERR_FILENO), .t0 = now_sec()};
        struct ne_ner_train_stats stats = {0};
        struct ne_ner_train_opts opts = {
            .lexicon_dir = lex,
            .epochs = (unsigned)epochs,
            .seed = seed,
            .max_model_bytes = (size_t)max_bytes,
            .dev = dev,
            .progress = on_progress,
            .progress_ctx = &pctx,
            .stats = &stats,
        };
        if (ne_ner_train(train, &opts, &m, &diag) < 0) {
                fprintf(stderr, "train-ner: %s\n", diag.msg[0] ? diag.msg : "out of memory");
                goto out;
        }
        fprintf(stderr,
                "train-ner: trained on %zu more documents: title-cased copies of those "
                "with all-caps lines\n",
                stats.augmented_docs);
        if (lex)
                fprintf(stderr,
                        "train-ner: lexicons: %zu files, %zu cluster words, %zu gazetteer "
                        "entries (%zu phrase hashes)\n",
                        stats.lexicon_files, stats.cluster_words, stats.gazetteer_entries,
                        stats.gazetteer_phrases);
        if (dev) {
                struct ne_ner_eval ev = {0};
                if (ne_ner_evaluate(m, dev, &ev) == 0) {
                        double f1;
                        ne_ner_eval_prf(&ev, -1, NULL, NULL, &f1);
                        fprintf(stderr, "train-ner: final dev f1 %.4f\n", f1);
                }
        }
        if (ne_ner_model_save(m, out_path, &diag) < 0) {
                fprintf(stderr, "train-ner: %s\n", diag.msg);
                goto out;
        }
        fprintf(stderr, "train-ner: wrote %s (%zu bytes, %zu of %zu features kept) version %s\n",
                out_path, stats.model_bytes, stats.features_kept, stats.features_seen,
                ne_ner_model_version(m));
        status = 0;
out:
        ne_ner_model_free(m);
        ne_conll_free(train);
        ne_conll_free(dev);
        return status;
}
