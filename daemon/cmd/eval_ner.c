/* `newsenrichd eval-ner`: tags CoNLL data with a model and prints conlleval-style figures
 * per type and overall; the last line is machine-readable:
 * `f1=0.XXXX precision=0.XXXX recall=0.XXXX tokens_per_sec=N`, where tokens_per_sec counts
 * the thread CPU time spent in ne_ner_tag (one core, whatever else the machine runs). */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "ne/cmd.h"
#include "ne/conll.h"
#include "ne/ner.h"

static void usage(FILE *out)
{
        fprintf(out, "usage: newsenrichd eval-ner --model MODEL FILE\n"
                     "  FILE is CoNLL-2003 data (IOB1 or IOB2 tags in the last column)\n");
}

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ne_cmd_eval_ner(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"model", required_argument, NULL, 'm'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *model_path = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'm':
                        model_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (!model_path || optind + 1 != argc) {
                usage(stderr);
                return 2;
        }
        const char *data_path = argv[optind];
        int status = 1;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        struct ne_ner_model *m = NULL;
        struct ne_conll_corpus *corpus = NULL;
        double t0 = now_sec();
        if (ne_ner_model_load(model_path, &m, &diag) < 0) {
                fprintf(stderr, "eval-ner: %s\n", diag.msg);
                goto out;
        }
        double load_ms = (now_sec() - t0) * 1000;
        if (ne_conll_read_file(data_path, &corpus, &diag) < 0) {
                fprintf(stderr, "eval-ner: %s: %s\n", data_path, diag.msg);
                goto out;
        }
        struct ne_ner_eval ev = {0};
        if (ne_ner_evaluate(m, corpus, &ev) < 0) {
                fprintf(stderr, "eval-ner: out of memory\n");
                goto out;
        }
        size_t gold = 0, found = 0, correct = 0;
        for (int t = 0; t < NE_ENT__COUNT; t++) {
                gold += ev.gold[t];
                found += ev.found[t];
                correct += ev.correct[t];
        }
        double p, r, f1;
        ne_ner_eval_prf(&ev, -1, &p, &r, &f1);
        printf("model %s (%zu bytes, loaded in %.1f ms)\n", ne_ner_model_version(m),
               ne_ner_model_file_size(m), load_ms);
        printf("processed %zu tokens with %zu phrases; found: %zu phrases; correct: %zu.\n",
               ev.tokens, gold, found, correct);
        printf("%17s precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f\n", "overall:", 100 * p,
               100 * r, 100 * f1);
        for (int t = 0; t < NE_ENT__COUNT; t++) {
                double tp, tr, tf;
                ne_ner_eval_prf(&ev, t, &tp, &tr, &tf);
                printf("%16s: precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f  %zu\n",
                       ne_entity_type_name((enum ne_entity_type)t), 100 * tp, 100 * tr, 100 * tf,
                       ev.found[t]);
        }
        double tps = ev.seconds > 0 ? (double)ev.tokens / ev.seconds : 0;
        printf("f1=%.4f precision=%.4f recall=%.4f tokens_per_sec=%.0f\n", f1, p, r, tps);
        status = 0;
out:
        ne_ner_model_free(m);
        ne_conll_free(corpus);
        return status;
}
