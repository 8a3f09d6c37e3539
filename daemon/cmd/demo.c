/* `newsenrichd demo`: the whole data path in one process, on bundled sample articles. Starts a
 * mock cluster, produces config/samples/articles.jsonl to an input topic, runs the pipeline
 * (JSON output) until every article is enriched or dead-lettered, prints each enriched event as
 * one JSON line on stdout, and a one-line summary on stderr. Wiring only. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "ne/cmd.h"
#include "ne/config.h"
#include "ne/log.h"
#include "ne/mock.h"
#include "ne/pipeline.h"
#include "ne/processor.h"

#define DEMO_IN "articles"
#define DEMO_OUT "articles.enriched"
#define DEMO_DLQ "articles.dead-letter"
#define DEMO_MAX_ARTICLES 10000
#define DEMO_MAX_LINE (1 << 20)
#define DEMO_TIMEOUT_MS 60000

struct lines {
        char **v;
        size_t n;
};

static void lines_free(struct lines *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The first of `rel` under cwd, NE_SOURCE_DIR and NE_DATADIR that exists, into buf. */
static const char *find_data(const char *rel, const char *datadir_rel, char *buf, size_t size)
{
        const char *cands[3][2] = {{".", rel}, {NE_SOURCE_DIR, rel}, {NE_DATADIR, datadir_rel}};
        for (size_t i = 0; i < 3; i++) {
                if ((size_t)snprintf(buf, size, "%s/%s", cands[i][0], cands[i][1]) >= size)
                        continue;
                if (access(buf, R_OK) == 0)
                        return buf;
        }
        return NULL;
}

static int read_lines(const char *path, struct lines *ret)
{
        FILE *f = fopen(path, "r");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int r = 0;
        while ((len = getline(&line, &cap, f)) > 0) {
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                if (len == 0)
                        continue;
                if (len > DEMO_MAX_LINE || ret->n >= DEMO_MAX_ARTICLES) {
                        r = -E2BIG;
                        break;
                }
                char **v = realloc(ret->v, (ret->n + 1) * sizeof(*v));
                if (!v || !(v[ret->n] = strdup(line))) {
                        if (v)
                                ret->v = v;
                        r = -ENOMEM;
                        break;
                }
                ret->v = v;
                ret->n++;
        }
        free(line);
        fclose(f);
        return r;
}

/* Produces the articles keyed by their id, as a publishing system would. */
static int produce_articles(const char *bootstraps, const struct lines *l, struct ne_diag *diag)
{
        struct ne_kafka_record *recs = calloc(l->n ? l->n : 1, sizeof(*recs));
        char **ids = calloc(l->n ? l->n : 1, sizeof(*ids));
        int r = -ENOMEM;
        if (!recs || !ids)
                goto out;
        for (size_t i = 0; i < l->n; i++) {
                cJSON *o = cJSON_Parse(l->v[i]);
                cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
                if (cJSON_IsString(id))
                        ids[i] = strdup(id->valuestring);
                cJSON_Delete(o);
                recs[i] = (struct ne_kafka_record){.key = ids[i],
                                                   .key_len = ids[i] ? strlen(ids[i]) : 0,
                                                   .value = l->v[i],
                                                   .value_len = strlen(l->v[i]),
                                                   .partition = -1};
        }
        r = ne_kafka_write(bootstraps, DEMO_IN, recs, l->n, 10000, diag);
out:
        for (size_t i = 0; ids && i < l->n; i++)
                free(ids[i]);
        free(ids);
        free(recs);
        return r;
}

static char *xstrdup_or(const char *s, int *err)
{
        char *d = strdup(s);
        if (!d)
                *err = -ENOMEM;
        return d;
}

static int add_kafka(struct ne_config *cfg, enum ne_kafka_scope scope, const char *name,
                     const char *value)
{
        struct ne_config_kafka *k = realloc(cfg->kafka, (cfg->n_kafka + 1) * sizeof(*k));
        if (!k)
                return -ENOMEM;
        cfg->kafka = k;
        int err = 0;
        k[cfg->n_kafka] = (struct ne_config_kafka){
            .scope = scope, .name = xstrdup_or(name, &err), .value = xstrdup_or(value, &err)};
        cfg->n_kafka++;
        return err;
}

static int add_schema(struct ne_config *cfg, int32_t id, const char *file)
{
        char rel[256], drel[256], buf[4096];
        snprintf(rel, sizeof(rel), "schemas/%s", file);
        snprintf(drel, sizeof(drel), "schemas/%s", file);
        const char *path = find_data(rel, drel, buf, sizeof(buf));
        if (!path)
                return -ENOENT;
        struct ne_config_schema *s = realloc(cfg->schemas, (cfg->n_schemas + 1) * sizeof(*s));
        if (!s)
                return -ENOMEM;
        cfg->schemas = s;
        int err = 0;
        s[cfg->n_schemas++] = (struct ne_config_schema){.id = id, .path = xstrdup_or(path, &err)};
        return err;
}

/* A config for the demo cluster; every string owned, so ne_config_free releases it. */
static int demo_config(const char *bootstraps, const char *ner, const char *topics,
                       struct ne_config **ret)
{
        struct ne_config *cfg = NULL;
        int r = ne_config_new_default(&cfg);
        if (r < 0)
                return r;
        int err = 0;
        cfg->input_topics = calloc(1, sizeof(char *));
        if (!cfg->input_topics) {
                r = -ENOMEM;
                goto err_free;
        }
        cfg->input_topics[0] = xstrdup_or(DEMO_IN, &err);
        cfg->n_input_topics = 1;
        free(cfg->output_topic);
        cfg->output_topic = xstrdup_or(DEMO_OUT, &err);
        free(cfg->dead_letter_topic);
        cfg->dead_letter_topic = xstrdup_or(DEMO_DLQ, &err);
        cfg->output_format = NE_FORMAT_JSON; /* printable as it comes off the topic */
        cfg->output_schema_id = 2;
        cfg->stats_interval_s = 0;
        /* Model paths: NULL/"" keeps the enricher pass-through. */
        if (ner) {
                free(cfg->ner_model);
                cfg->ner_model = xstrdup_or(ner, &err);
        }
        if (topics) {
                free(cfg->topic_model);
                cfg->topic_model = xstrdup_or(topics, &err);
        }
        if (err)
                r = err;
        if (r == 0)
                r = add_schema(cfg, 1, "article_published.avsc");
        if (r == 0)
                r = add_schema(cfg, 2, "article_enriched.avsc");
        if (r == -ENOENT)
                fprintf(stderr, "demo: schemas/*.avsc not found (cwd, %s, %s)\n", NE_SOURCE_DIR,
                        NE_DATADIR);
        if (r == 0)
                r = add_kafka(cfg, NE_KAFKA_BOTH, "bootstrap.servers", bootstraps);
        if (r == 0)
                r = add_kafka(cfg, NE_KAFKA_CONSUMER, "group.id", "newsenrichd-demo");
        /* Measured against the mock: these keep the one group join near 3 s. */
        if (r == 0)
                r = add_kafka(cfg, NE_KAFKA_CONSUMER, "session.timeout.ms", "3000");
        if (r == 0)
                r = add_kafka(cfg, NE_KAFKA_CONSUMER, "heartbeat.interval.ms", "500");
        if (r == 0)
                r = add_kafka(cfg, NE_KAFKA_CONSUMER, "fetch.wait.max.ms", "50");
        if (r < 0)
                goto err_free;
        *ret = cfg;
        return 0;
err_free:
        ne_config_free(cfg);
        return r;
}

static int print_event(void *opaque, const struct ne_kafka_msg *msg)
{
        (void)opaque;
        fwrite(msg->value, 1, msg->value_len, stdout);
        fputc('\n', stdout);
        return 0;
}

static void usage(FILE *out)
{
        fprintf(out, "usage: newsenrichd demo [--articles FILE] [--ner-model FILE] "
                     "[--topic-model FILE] [--no-models] [--verbose]\n\n"
                     "Runs the pipeline in-process on a mock Kafka cluster and prints the "
                     "enriched\nevents as JSON lines. Default articles: "
                     "config/samples/articles.jsonl; default models:\nmodels/ner.model and "
                     "models/topics.model when present (cwd, source tree, data dir).\n");
}

int ne_cmd_demo(int argc, char **argv)
{
        static const struct option opts[] = {
            {"articles", required_argument, NULL, 'a'},
            {"ner-model", required_argument, NULL, 'n'},
            {"topic-model", required_argument, NULL, 't'},
            {"no-models", no_argument, NULL, 'N'},
            {"verbose", no_argument, NULL, 'v'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *articles = NULL, *ner = NULL, *topics = NULL;
        int verbose = 0, no_models = 0, c, status = 1;
        while ((c = getopt_long(argc, argv, "a:n:t:Nvh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        articles = optarg;
                        break;
                case 'n':
                        ner = optarg;
                        break;
                case 't':
                        topics = optarg;
                        break;
                case 'N':
                        no_models = 1;
                        break;
                case 'v':
                        verbose = 1;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                usage(stderr);
                return 2;
        }
        ne_log_set_level(verbose ? NE_LOG_INFO : NE_LOG_WARNING);
        char buf[4096];
        if (!articles)
                articles = find_data("config/samples/articles.jsonl", "samples/articles.jsonl", buf,
                                     sizeof(buf));
        if (!articles) {
                fprintf(stderr, "demo: config/samples/articles.jsonl not found (cwd, %s, %s)\n",
                        NE_SOURCE_DIR, NE_DATADIR);
                return 1;
        }

        /* Bundled models are used when present; an explicit path always wins. */
        char nbuf[4096], tbuf[4096];
        bool found_models = false;
        if (!no_models && !ner && !topics) {
                ner = find_data("models/ner.model", "models/ner.model", nbuf, sizeof(nbuf));
                topics =
                    find_data("models/topics.model", "models/topics.model", tbuf, sizeof(tbuf));
                found_models = ner || topics;
        }

        long t0 = now_ms();
        struct lines l = {0};
        struct ne_mock_cluster *mc = NULL;
        struct ne_config *cfg = NULL;
        struct ne_processor *proc = NULL;
        struct ne_pipeline *pl = NULL;
        struct ne_pipeline_stats st = {0};
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = read_lines(articles, &l);
        if (r < 0) {
                fprintf(stderr, "demo: %s: %s\n", articles, strerror(-r));
                goto out;
        }
        if (ne_mock_cluster_new(1, &mc, &diag) < 0 ||
            ne_mock_cluster_create_topic(mc, DEMO_IN, 3, &diag) < 0 ||
            ne_mock_cluster_create_topic(mc, DEMO_OUT, 3, &diag) < 0 ||
            ne_mock_cluster_create_topic(mc, DEMO_DLQ, 1, &diag) < 0) {
                fprintf(stderr, "demo: %s\n", diag.msg);
                goto out;
        }
        const char *bs = ne_mock_cluster_bootstraps(mc);
        if (produce_articles(bs, &l, &diag) < 0) {
                fprintf(stderr, "demo: %s\n", diag.msg);
                goto out;
        }
        r = demo_config(bs, ner, topics, &cfg);
        if (r < 0) {
                fprintf(stderr, "demo: config: %s\n", strerror(-r));
                goto out;
        }
        r = ne_article_processor_new(cfg, &proc, &diag);
        if (r == -ENOTSUP && found_models) {
                /* An enricher built without model support: show the data path anyway. */
                fprintf(stderr, "demo: %s; running without models\n", diag.msg);
                ner = topics = NULL;
                ne_config_free(cfg);
                cfg = NULL;
                ne_diag_clear(&diag);
                r = demo_config(bs, NULL, NULL, &cfg);
                if (r < 0) {
                        fprintf(stderr, "demo: config: %s\n", strerror(-r));
                        goto out;
                }
                r = ne_article_processor_new(cfg, &proc, &diag);
        }
        if (r < 0 || ne_pipeline_new(cfg, proc, NULL, &pl, &diag) < 0) {
                fprintf(stderr, "demo: %s\n", diag.msg);
                goto out;
        }
        long deadline = now_ms() + DEMO_TIMEOUT_MS;
        do {
                r = ne_pipeline_poll(pl, 50);
                ne_pipeline_get_stats(pl, &st);
        } while (r == 0 && st.enriched + st.dead_lettered < l.n && now_ms() < deadline);
        int rc = ne_pipeline_close(pl);
        ne_pipeline_get_stats(pl, &st);
        if (r < 0 || rc < 0 || st.enriched + st.dead_lettered < l.n) {
                fprintf(stderr, "demo: pipeline did not finish: %s\n",
                        strerror(-(r    ? r
                                   : rc ? rc
                                        : ETIMEDOUT)));
                goto out;
        }
        int got = ne_kafka_read(bs, DEMO_OUT, (size_t)st.enriched, 10000, print_event, NULL, &diag);
        fflush(stdout);
        if (got < 0 || (uint64_t)got != st.enriched) {
                fprintf(stderr, "demo: read back %d of %llu events: %s\n", got,
                        (unsigned long long)st.enriched, diag.msg);
                goto out;
        }
        fprintf(stderr,
                "demo: articles=%zu enriched=%llu dead_lettered=%llu ner=%s topics=%s "
                "time=%.1fs\n",
                l.n, (unsigned long long)st.enriched, (unsigned long long)st.dead_lettered,
                ner ? ner : "none", topics ? topics : "none", (double)(now_ms() - t0) / 1000.0);
        status = 0;
out:
        ne_pipeline_free(pl);
        ne_article_processor_free(proc);
        ne_config_free(cfg);
        ne_mock_cluster_free(mc);
        lines_free(&l);
        return status;
}
