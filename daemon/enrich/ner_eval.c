/* Evaluation as conlleval counts it: an entity is correct when its first token, last token
 * and type all match a gold entity. Tags whole documents through the public ne_ner_tag, so
 * the figures (and the tokens/s) are those of the path the daemon uses. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "ner_impl.h"

/* CPU time of this thread: the figure is per core, whatever else the machine runs. */
static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ne_ner_evaluate(const struct ne_ner_model *m, const struct ne_conll_corpus *corpus,
                    struct ne_ner_eval *ev)
{
        size_t max_doc = 1;
        for (size_t d = 0; d < corpus->n_docs; d++) {
                size_t len = corpus->doc_start[d + 1] - corpus->doc_start[d];
                if (len > max_doc)
                        max_doc = len;
        }
        struct ne_ner_scratch *s = NULL;
        struct ne_ner_span *pred = malloc(max_doc * sizeof(*pred));
        struct ne_conll_span *gold = malloc(max_doc * sizeof(*gold));
        int r = -ENOMEM;
        if (!pred || !gold || ne_ner_scratch_new(m, &s) < 0)
                goto out;
        for (size_t d = 0; d < corpus->n_docs; d++) {
                size_t b = corpus->doc_start[d], e = corpus->doc_start[d + 1];
                double t0 = now_sec();
                r = ne_ner_tag(m, s, corpus->text, corpus->toks + b, e - b, pred, max_doc);
                ev->seconds += now_sec() - t0;
                if (r < 0)
                        goto out;
                size_t np = (size_t)r;
                size_t ng = ne_conll_spans(corpus, b, e, gold, max_doc);
                ev->tokens += e - b;
                for (size_t i = 0; i < np; i++)
                        ev->found[pred[i].type]++;
                for (size_t i = 0; i < ng; i++)
                        ev->gold[gold[i].type]++;
                /* Both lists are in text order and non-overlapping: merge. */
                size_t i = 0, j = 0;
                while (i < np && j < ng) {
                        uint32_t pb = pred[i].tok_begin + (uint32_t)b;
                        if (pb < gold[j].tok_begin) {
                                i++;
                        } else if (pb > gold[j].tok_begin) {
                                j++;
                        } else {
                                if (pred[i].tok_end + b == gold[j].tok_end &&
                                    pred[i].type == gold[j].type)
                                        ev->correct[gold[j].type]++;
                                i++;
                                j++;
                        }
                }
        }
        r = 0;
out:
        ne_ner_scratch_free(s);
        free(pred);
        free(gold);
        return r;
}

void ne_ner_eval_prf(const struct ne_ner_eval *ev, int type, double *ret_p, double *ret_r,
                     double *ret_f1)
{
        size_t g = 0, f = 0, c = 0;
        for (int t = 0; t < NE_ENT__COUNT; t++) {
                if (type >= 0 && t != type)
                        continue;
                g += ev->gold[t];
                f += ev->found[t];
                c += ev->correct[t];
        }
        double p = f ? (double)c / (double)f : 0, r = g ? (double)c / (double)g : 0;
        double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
        if (ret_p)
                *ret_p = p;
        if (ret_r)
                *ret_r = r;
        if (ret_f1)
                *ret_f1 = f1;
}
