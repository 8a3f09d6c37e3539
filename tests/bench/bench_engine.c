/* Engine benchmark for tests/bench/throughput.sh (built by that script, not by CMake): runs
 * tokenize + NER + topics over a file of articles (separated by form-feed lines, as
 * gen_articles.py writes them) through the enricher contract (ne/enricher.h), repeating the
 * set until at least --min-cpu seconds of this thread's CPU time were spent, and prints
 * tokens/s and articles/s per core. Token counts come from ne_tokenize, outside the timing.
 *
 *   bench_engine ARTICLES NER_MODEL TOPIC_MODEL [MIN_CPU_S]
 *
 * A model given as "none" is switched off, so the NER path can be measured alone.
 *
 * When the enricher cannot load models (the pass-through stub), it falls back to the engines
 * directly (ne_tokenize + ne_ner_tag + ne_topic_predict) and says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/article.h"
#include "ne/enricher.h"
#include "ne/ner.h"
#include "ne/tokenize.h"
#include "ne/topic.h"

static double thread_cpu(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return NULL;
        size_t cap = 1 << 20, len = 0;
        char *buf = malloc(cap);
        size_t n;
        while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
                len += n;
                if (cap - len < 2) {
                        char *nb = realloc(buf, cap *= 2);
                        if (!nb) {
                                free(buf);
                                buf = NULL;
                        }
                        buf = nb;
                }
        }
        fclose(f);
        if (buf)
                buf[len] = '\0';
        *ret_len = len;
        return buf;
}

struct doc {
        char *text;
        size_t len;
};

static const char *model_arg(const char *arg)
{
        return strcmp(arg, "none") == 0 ? NULL : arg;
}

int main(int argc, char **argv)
{
        if (argc < 4) {
                fprintf(stderr, "usage: %s ARTICLES NER_MODEL TOPIC_MODEL [MIN_CPU_S]\n", argv[0]);
                return 2;
        }
        double min_cpu = argc > 4 ? atof(argv[4]) : 3.0;
        size_t len;
        char *all = slurp(argv[1], &len);
        if (!all) {
                perror(argv[1]);
                return 1;
        }
        struct doc *docs = NULL;
        size_t n_docs = 0;
        for (char *p = all, *sep; *p; p = sep + 3) {
                sep = strstr(p, "\n\f\n");
                if (!sep)
                        break;
                *sep = '\0';
                docs = realloc(docs, (n_docs + 1) * sizeof(*docs));
                docs[n_docs++] = (struct doc){p, (size_t)(sep - p)};
        }
        size_t tok_cap = 0, tokens = 0, bytes = 0;
        for (size_t i = 0; i < n_docs; i++) {
                size_t b = ne_tokenize_bound(docs[i].len);
                tok_cap = b > tok_cap ? b : tok_cap;
                bytes += docs[i].len;
        }
        struct ne_token *toks = malloc((tok_cap + 1) * sizeof(*toks));
        for (size_t i = 0; i < n_docs; i++) {
                int n = ne_tokenize(docs[i].text, docs[i].len, toks, tok_cap);
                tokens += n > 0 ? (size_t)n : 0;
        }

        struct ne_diag diag;
        ne_diag_clear(&diag);
        struct ne_enricher_opts opts = {.ner_model_path = model_arg(argv[2]),
                                        .topic_model_path = model_arg(argv[3]),
                                        .topic_threshold = 0.3f,
                                        .topic_top_k = 5,
                                        .max_entities = 100};
        struct ne_enricher *enr = NULL;
        struct ne_enrich_ctx *ctx = NULL;
        struct ne_ner_model *ner = NULL;
        struct ne_topic_model *topic = NULL;
        struct ne_ner_scratch *ns = NULL;
        struct ne_topic_scratch *ts = NULL;
        struct ne_ner_span spans[512];
        struct ne_topic_score scores[16];
        const char *path = "enricher";
        double t_load = thread_cpu();
        if (ne_enricher_new(&opts, &enr, &diag) < 0 || ne_enrich_ctx_new(enr, &ctx) < 0) {
                fprintf(stderr, "bench_engine: enricher: %s: using the engines directly\n",
                        diag.msg);
                path = "engines-direct";
                if (ne_ner_model_load(argv[2], &ner, &diag) < 0 ||
                    ne_topic_model_load(argv[3], &topic, &diag) < 0 ||
                    ne_ner_scratch_new(ner, &ns) < 0 || ne_topic_scratch_new(topic, &ts) < 0) {
                        fprintf(stderr, "bench_engine: %s\n", diag.msg);
                        return 1;
                }
        }
        t_load = thread_cpu() - t_load;
        struct ne_article *art = ne_article_new();
        size_t done_docs = 0, done_tokens = 0, entities = 0;
        double t0 = thread_cpu(), cpu = 0;
        while (cpu < min_cpu) {
                for (size_t i = 0; i < n_docs; i++) {
                        if (enr) {
                                struct ne_enrichment *e = NULL;
                                art->id = "bench";
                                art->title = "";
                                art->body = docs[i].text;
                                art->body_len = docs[i].len;
                                if (ne_enricher_run(enr, ctx, art, &e, &diag) < 0) {
                                        fprintf(stderr, "bench_engine: %s\n", diag.msg);
                                        return 1;
                                }
                                entities += e->n_entities;
                                ne_enrichment_free(e);
                        } else {
                                int n = ne_tokenize(docs[i].text, docs[i].len, toks, tok_cap);
                                int s =
                                    ne_ner_tag(ner, ns, docs[i].text, toks, (size_t)n, spans, 512);
                                entities += s > 0 ? (size_t)s : 0;
                                ne_topic_predict(topic, ts, docs[i].text, docs[i].len, 0.3f, scores,
                                                 16);
                        }
                }
                done_docs += n_docs;
                done_tokens += tokens;
                cpu = thread_cpu() - t0;
        }
        printf("path=%s articles=%zu tokens_per_article=%.0f bytes_per_article=%.0f "
               "entities_per_article=%.1f load_cpu_s=%.3f cpu_s=%.3f tokens_per_s=%.0f "
               "articles_per_s=%.1f cpu_ms_per_article=%.3f\n",
               path, n_docs, (double)tokens / n_docs, (double)bytes / n_docs,
               (double)entities / done_docs, t_load, cpu, done_tokens / cpu, done_docs / cpu,
               1000.0 * cpu / done_docs);
        art->id = art->title = art->body = NULL;
        ne_article_free(art);
        ne_enrich_ctx_free(ctx);
        ne_enricher_free(enr);
        ne_ner_scratch_free(ns);
        ne_topic_scratch_free(ts);
        ne_ner_model_free(ner);
        ne_topic_model_free(topic);
        free(toks);
        free(docs);
        free(all);
        return 0;
}
