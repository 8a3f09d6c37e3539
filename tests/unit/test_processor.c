/* The article processor's additions, called directly through its ops with a config built from
 * text: the traceparent of the outputs, alert and route extra events, and reload (generation
 * swap: a good rules/model file takes effect from the next message, a bad one changes nothing,
 * a ctx built before the reload keeps working). */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/alerts.h"
#include "ne/conll.h"
#include "ne/ner.h"
#include "ne/processor.h"
#include "ne/traceparent.h"

static char tmpdir[256];

static const char *source_dir(void)
{
        const char *dir = getenv("NE_SOURCE_DIR");
        return dir ? dir : ".";
}

static void setup(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/ne-test-processor-XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(processor, .init = setup, .fini = teardown);

static const char *write_tmp(const char *name, const char *text)
{
        static char path[8][512];
        static int next;
        char *p = path[next++ % 8];
        snprintf(p, 512, "%s/%s", tmpdir, name);
        FILE *f = fopen(p, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        return p;
}

/* A config with the real schemas, `format` output, and `extra` lines appended. */
static struct ne_config *config(const char *format, const char *extra)
{
        char text[8192];
        const char *src = source_dir();
        snprintf(text, sizeof(text),
                 "input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
                 "output.format = %s\noutput.schema_id = 2\n"
                 "schema.1 = %s/schemas/article_published.avsc\n"
                 "schema.2 = %s/schemas/article_enriched.avsc\n"
                 "schema.3 = %s/schemas/entity_alert.avsc\n"
                 "kafka.bootstrap.servers = localhost:9092\nkafka.group.id = g\n%s",
                 format, src, src, src, extra);
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_config_parse(text, strlen(text), NULL, &cfg, &diag), 0, "%d: %s: %s",
                     diag.line, diag.key, diag.msg);
        return cfg;
}

struct run {
        struct ne_processor *proc;
        void *ctx;
        struct ne_proc_result res;
};

static void start(struct run *rn, const struct ne_config *cfg)
{
        memset(rn, 0, sizeof(*rn));
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_article_processor_new(cfg, &rn->proc, &diag);
        if (r == -ENOTSUP)
                /* Until the enricher loads models, tests that need one cannot run. */
                cr_skip_test("enricher: %s", diag.msg);
        cr_assert_eq(r, 0, "%s", diag.msg);
        cr_assert_eq(rn->proc->ops->ctx_new(rn->proc->shared, &rn->ctx), 0);
}

static void stop(struct run *rn)
{
        rn->proc->ops->ctx_free(rn->ctx);
        ne_article_processor_free(rn->proc);
        ne_proc_result_release(&rn->res);
}

static enum ne_outcome feed_tp(struct run *rn, const char *json, const char *tp)
{
        struct ne_proc_input in = {.topic = "in",
                                   .partition = 0,
                                   .offset = 7,
                                   .value = json,
                                   .value_len = strlen(json),
                                   .traceparent = tp,
                                   .traceparent_len = tp ? strlen(tp) : 0};
        return rn->proc->ops->process(rn->ctx, &in, &rn->res);
}

static enum ne_outcome feed(struct run *rn, const char *json)
{
        return feed_tp(rn, json, NULL);
}

#define ELECTION                                                                                   \
        "{\"id\":\"a-1\",\"title\":\"The election\",\"body\":\"Voters went out.\","                \
        "\"published_at\":1}"
#define FEST                                                                                       \
        "{\"id\":\"a-2\",\"title\":\"Oktoberfest opens\",\"body\":\"Beer.\","                      \
        "\"published_at\":1}"
#define PLAIN "{\"id\":\"a-3\",\"title\":\"Weather\",\"body\":\"Rain.\",\"published_at\":1}"

static const char *rules(const char *keyword)
{
        static char text[256];
        snprintf(text, sizeof(text), "{\"rules\": [{\"id\": \"r-%s\", \"keywords\": [\"%s\"]}]}",
                 keyword, keyword);
        return text;
}

Test(processor, traceparent_child_of_valid_input)
{
        struct ne_config *cfg = config("json", "");
        struct run rn;
        start(&rn, cfg);
        const char *in = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        cr_assert_eq(feed_tp(&rn, PLAIN, in), NE_OUTCOME_OK);
        cr_assert_eq(strlen(rn.res.traceparent), NE_TRACEPARENT_LEN);
        /* Same trace id and flags, a new parent id. */
        cr_assert_eq(strncmp(rn.res.traceparent, in, 36), 0, "%s", rn.res.traceparent);
        cr_assert_str_eq(rn.res.traceparent + 52, "-01");
        cr_assert_neq(strncmp(rn.res.traceparent + 36, in + 36, 16), 0);
        struct ne_traceparent tp;
        cr_assert_eq(ne_traceparent_parse(rn.res.traceparent, NE_TRACEPARENT_LEN, &tp), 0);
        stop(&rn);
        ne_config_free(cfg);
}

Test(processor, traceparent_new_trace_when_absent_or_invalid)
{
        struct ne_config *cfg = config("json", "");
        struct run rn;
        start(&rn, cfg);
        const char *bad = "00-00000000000000000000000000000000-b7ad6b7169203331-01";
        cr_assert_eq(feed_tp(&rn, PLAIN, bad), NE_OUTCOME_OK);
        char first[64];
        snprintf(first, sizeof(first), "%s", rn.res.traceparent);
        struct ne_traceparent tp;
        cr_assert_eq(ne_traceparent_parse(first, strlen(first), &tp), 0, "%s", first);
        cr_assert_neq(strncmp(first + 3, bad + 3, 32), 0);
        cr_assert_eq(feed(&rn, PLAIN), NE_OUTCOME_OK);
        cr_assert_eq(ne_traceparent_parse(rn.res.traceparent, strlen(rn.res.traceparent), &tp), 0);
        /* Two inputs without a trace are two traces. */
        cr_assert_neq(strncmp(first + 3, rn.res.traceparent + 3, 32), 0);
        /* A dead letter carries none. */
        cr_assert_eq(feed(&rn, "{\"id\":\"x\"}"), NE_OUTCOME_DEAD_LETTER);
        cr_assert_str_eq(rn.res.traceparent, "");
        stop(&rn);
        ne_config_free(cfg);
}

static char *alerts_config_lines(const char *rules_path)
{
        static char extra[1024];
        snprintf(extra, sizeof(extra),
                 "alerts.rules_file = %s\nalerts.topic = alerts\nalerts.schema_id = 3\n",
                 rules_path);
        return extra;
}

Test(processor, json_alert_per_matching_rule)
{
        const char *rp = write_tmp("rules.json", rules("election"));
        struct ne_config *cfg = config("json", alerts_config_lines(rp));
        struct run rn;
        start(&rn, cfg);
        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);
        struct ne_proc_extra *x = &rn.res.extra[0];
        cr_assert_str_eq(x->topic, "alerts");
        cr_assert_str_eq(x->schema_name, "io.newsenrichd.EntityAlert");
        char id[NE_ALERT_ID_LEN + 1];
        ne_alert_id("r-election", "a-1", id);
        cr_assert_eq(x->key.len, strlen(id));
        cr_assert_eq(memcmp(x->key.data, id, x->key.len), 0);
        cr_assert_not_null(strstr(x->value.data, "\"r-election\""), "%s", x->value.data);
        cr_assert_not_null(strstr(x->value.data, "\"a-1\""));
        /* No match, no extra; extras are reset per call. */
        cr_assert_eq(feed(&rn, PLAIN), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 0);
        stop(&rn);
        ne_config_free(cfg);
}

Test(processor, avro_alert_is_confluent_framed_with_its_schema_id)
{
        const char *rp = write_tmp("rules.json", rules("election"));
        struct ne_config *cfg = config("avro", alerts_config_lines(rp));
        struct run rn;
        start(&rn, cfg);
        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);
        const unsigned char *v = (const unsigned char *)rn.res.extra[0].value.data;
        cr_assert_gt(rn.res.extra[0].value.len, 5);
        cr_assert_eq(v[0], 0);
        cr_assert_eq(v[1] | v[2] | v[3], 0);
        cr_assert_eq(v[4], 3);
        const unsigned char *e = (const unsigned char *)rn.res.value.data;
        cr_assert_eq(e[4], 2);
        stop(&rn);
        ne_config_free(cfg);
}

Test(processor, alerts_config_rules)
{
        const char *src = source_dir();
        char text[4096];
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        const char *cases[][2] = {
            {"alerts.topic = alerts\n", "alerts.rules_file"},
            {"alerts.rules_file = r.json\n", "alerts.topic"},
            {"alerts.rules_file = r.json\nalerts.topic = out\nalerts.schema_id = 3\n",
             "alerts.topic"},
            {"alerts.rules_file = r.json\nalerts.topic = in\nalerts.schema_id = 3\n",
             "alerts.topic"},
            {"alerts.rules_file = r.json\nalerts.topic = alerts\n", "alerts.schema_id"},
            {"route.x.topic = out\nroute.x.topic_code = medtop:1\n", "route.x.topic"},
            {"route.x.topic_code = medtop:1\n", "route.x.topic"},
            {"route.x.topic = rx\n", "route.x.topic_code"},
            {"route.x.topic = rx\nroute.x.entity = FOO\n", "route.x.entity"},
            {"route.x.topic = rx\nroute.x.colour = red\n", "route.x.colour"},
            {"route.x.topic = rx\nroute.x.topic = ry\n", "route.x.topic"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(text, sizeof(text),
                         "input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
                         "output.schema_id = 2\nschema.2 = %s/schemas/article_enriched.avsc\n"
                         "kafka.bootstrap.servers = b:1\nkafka.group.id = g\n%s",
                         src, cases[i][0]);
                ne_diag_clear(&diag);
                cr_assert_eq(ne_config_parse(text, strlen(text), NULL, &cfg, &diag), -EINVAL,
                             "case %zu accepted", i);
                cr_assert_str_eq(diag.key, cases[i][1], "case %zu: %s: %s", i, diag.key, diag.msg);
        }
        /* A good one: routes and alerts with json output need no schema id. */
        snprintf(text, sizeof(text),
                 "input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
                 "output.format = json\noutput.schema_id = 2\n"
                 "schema.2 = %s/schemas/article_enriched.avsc\n"
                 "kafka.bootstrap.servers = b:1\nkafka.group.id = g\n"
                 "alerts.rules_file = r.json\nalerts.topic = alerts\n"
                 "route.x.topic = rx\nroute.x.entity = PER:Karin Lundqvist\n"
                 "route.y.topic = ry\nroute.y.topic_code = medtop:1\nroute.y.min_score = 0.5\n"
                 "registry.basic_auth_user_info = u:hunter2\n",
                 src);
        cr_assert_eq(ne_config_parse(text, strlen(text), NULL, &cfg, &diag), 0, "%s: %s", diag.key,
                     diag.msg);
        cr_assert_eq(cfg->n_routes, 2);
        cr_assert_eq(cfg->routes[0].entity_type, NE_ENT_PER);
        cr_assert_str_eq(cfg->routes[0].entity_name, "Karin Lundqvist");
        cr_assert_float_eq(cfg->routes[1].min_score, 0.5, 1e-9);
        char *dump = NULL;
        size_t dump_len = 0;
        FILE *f = open_memstream(&dump, &dump_len);
        ne_config_dump(cfg, f);
        fclose(f);
        cr_assert_null(strstr(dump, "hunter2"));
        cr_assert_not_null(strstr(dump, "route.x.entity = PER:Karin Lundqvist"));
        free(dump);
        ne_config_free(cfg);
}

/* Trains the tiny NER model of the ner fixtures and saves it; epochs give distinct versions. */
static const char *tiny_model(const char *name, unsigned epochs)
{
        char path[1024];
        snprintf(path, sizeof(path), "%s/tests/fixtures/ner/tiny_iob2.conll", source_dir());
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_conll_read_file(path, &c, &diag), 0, "%s", diag.msg);
        struct ne_ner_train_opts opts = {.epochs = epochs, .seed = 7};
        struct ne_ner_model *m = NULL;
        cr_assert_eq(ne_ner_train(c, &opts, &m, &diag), 0, "%s", diag.msg);
        static char out[4][512];
        static int next;
        char *p = out[next++ % 4];
        snprintf(p, 512, "%s/%s", tmpdir, name);
        cr_assert_eq(ne_ner_model_save(m, p, &diag), 0, "%s", diag.msg);
        ne_ner_model_free(m);
        ne_conll_free(c);
        return p;
}

#define LUNDQVIST                                                                                  \
        "{\"id\":\"a-4\",\"title\":\"Osloria votes\",\"body\":\"Prime minister Karin Lundqvist "   \
        "said on Tuesday that Osloria would vote.\",\"published_at\":1}"

Test(processor, entity_route_gets_a_copy_of_the_event)
{
        const char *model = tiny_model("ner.model", 8);
        char extra[1024];
        snprintf(extra, sizeof(extra),
                 "models.ner = %s\nroute.people.topic = people\nroute.people.entity = PER\n"
                 "route.karin.topic = karin\nroute.karin.entity = PER:karin lundqvist\n"
                 "route.nobody.topic = nobody\nroute.nobody.entity = PER:Nobody Else\n"
                 "route.sport.topic = sport\nroute.sport.topic_code = medtop:15000000\n",
                 model);
        struct ne_config *cfg = config("json", extra);
        struct run rn;
        start(&rn, cfg);
        cr_assert_eq(feed(&rn, LUNDQVIST), NE_OUTCOME_OK);
        cr_assert_not_null(strstr(rn.res.value.data, "Karin Lundqvist"), "%s", rn.res.value.data);
        cr_assert_eq(rn.res.n_extra, 2);
        cr_assert_str_eq(rn.res.extra[0].topic, "people");
        cr_assert_str_eq(rn.res.extra[1].topic, "karin");
        for (int i = 0; i < 2; i++) {
                struct ne_proc_extra *x = &rn.res.extra[i];
                cr_assert_str_eq(x->schema_name, "io.newsenrichd.ArticleEnriched");
                cr_assert_eq(x->value.len, rn.res.value.len);
                cr_assert_eq(memcmp(x->value.data, rn.res.value.data, x->value.len), 0);
                cr_assert_eq(x->key.len, 3);
                cr_assert_eq(memcmp(x->key.data, "a-4", 3), 0);
        }
        cr_assert_eq(feed(&rn, PLAIN), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 0);
        stop(&rn);
        ne_config_free(cfg);
}

/* Rewrites the file at `path` through a rename, as an operator's deploy would. */
static void replace_file(const char *path, const char *text)
{
        char tmp[600];
        snprintf(tmp, sizeof(tmp), "%s.new", path);
        FILE *f = fopen(tmp, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        cr_assert_eq(rename(tmp, path), 0);
}

Test(processor, reload_swaps_rules_between_messages_and_keeps_them_on_a_bad_file)
{
        const char *rp = write_tmp("rules.json", rules("election"));
        struct ne_config *cfg = config("json", alerts_config_lines(rp));
        struct run rn;
        start(&rn, cfg);
        /* A second thread's ctx, built before the reload. */
        void *ctx2 = NULL;
        cr_assert_eq(rn.proc->ops->ctx_new(rn.proc->shared, &ctx2), 0);

        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);
        cr_assert_eq(feed(&rn, FEST), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 0);

        /* gen2: a different rule. */
        replace_file(rp, rules("Oktoberfest"));
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_article_processor_reload(rn.proc, cfg, &diag), 0, "%s", diag.msg);
        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 0);
        cr_assert_eq(feed(&rn, FEST), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);
        cr_assert_not_null(strstr(rn.res.extra[0].value.data, "r-Oktoberfest"));

        /* The older ctx moves to gen2 on its next message. */
        struct ne_proc_input in = {.topic = "in", .value = FEST, .value_len = strlen(FEST)};
        struct ne_proc_result res2;
        memset(&res2, 0, sizeof(res2));
        cr_assert_eq(rn.proc->ops->process(ctx2, &in, &res2), NE_OUTCOME_OK);
        cr_assert_eq(res2.n_extra, 1);

        /* A broken file: reload fails with the reason, gen2 stays. */
        replace_file(rp, "{\"rules\": [{\"id\": \"x\"}]}");
        ne_diag_clear(&diag);
        cr_assert_lt(ne_article_processor_reload(rn.proc, cfg, &diag), 0);
        cr_assert_neq(diag.msg[0], '\0');
        cr_assert_eq(feed(&rn, FEST), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);

        /* A missing file likewise. */
        unlink(rp);
        cr_assert_eq(ne_article_processor_reload(rn.proc, cfg, &diag), -ENOENT);
        cr_assert_eq(feed(&rn, FEST), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);

        rn.proc->ops->ctx_free(ctx2);
        ne_proc_result_release(&res2);
        stop(&rn);
        ne_config_free(cfg);
}

Test(processor, reload_swaps_the_model_and_reports_its_version)
{
        const char *model = tiny_model("ner.model", 2);
        char extra[1024];
        snprintf(extra, sizeof(extra), "models.ner = %s\n", model);
        struct ne_config *cfg = config("json", extra);
        struct run rn;
        start(&rn, cfg);
        char v1[128], v2[128], t[128];
        ne_article_processor_versions(rn.proc, v1, sizeof(v1), t, sizeof(t));
        cr_assert_str_eq(t, "none");
        cr_assert_eq(feed(&rn, LUNDQVIST), NE_OUTCOME_OK);
        cr_assert_not_null(strstr(rn.res.value.data, v1), "%s not in %s", v1, rn.res.value.data);

        /* A model file that is not a model: the reload fails and v1 stays. */
        replace_file(model, "garbage");
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_lt(ne_article_processor_reload(rn.proc, cfg, &diag), 0);
        ne_article_processor_versions(rn.proc, v2, sizeof(v2), t, sizeof(t));
        cr_assert_str_eq(v2, v1);
        cr_assert_eq(feed(&rn, LUNDQVIST), NE_OUTCOME_OK);

        /* A new model: its version from the next message on. */
        tiny_model("ner.model", 9);
        cr_assert_eq(ne_article_processor_reload(rn.proc, cfg, &diag), 0, "%s", diag.msg);
        ne_article_processor_versions(rn.proc, v2, sizeof(v2), t, sizeof(t));
        cr_assert_str_neq(v2, v1);
        cr_assert_eq(feed(&rn, LUNDQVIST), NE_OUTCOME_OK);
        cr_assert_not_null(strstr(rn.res.value.data, v2), "%s not in %s", v2, rn.res.value.data);
        stop(&rn);
        ne_config_free(cfg);
}

/* Worker threads process while the main thread reloads: every alert must come from a rule of
 * one whole generation (never a freed one: ASan), and each thread ends on the last one. */
struct worker {
        const struct ne_processor *proc;
        int n;
        int bad;
};

static void *work(void *p)
{
        struct worker *w = p;
        void *ctx = NULL;
        struct ne_proc_result res;
        memset(&res, 0, sizeof(res));
        if (w->proc->ops->ctx_new(w->proc->shared, &ctx) < 0) {
                w->bad++;
                return NULL;
        }
        for (int i = 0; i < w->n; i++) {
                const char *v = i % 2 ? ELECTION : FEST;
                struct ne_proc_input in = {.topic = "in", .value = v, .value_len = strlen(v)};
                if (w->proc->ops->process(ctx, &in, &res) != NE_OUTCOME_OK || res.n_extra > 1) {
                        w->bad++;
                        continue;
                }
                /* A match is only ever the rule whose keyword this article has. */
                if (res.n_extra == 1 &&
                    !strstr(res.extra[0].value.data, i % 2 ? "r-election" : "r-Oktoberfest"))
                        w->bad++;
        }
        w->proc->ops->ctx_free(ctx);
        ne_proc_result_release(&res);
        return NULL;
}

Test(processor, reload_while_workers_process)
{
        const char *rp = write_tmp("rules.json", rules("election"));
        struct ne_config *cfg = config("json", alerts_config_lines(rp));
        struct run rn;
        start(&rn, cfg);
        enum { N = 4 };
        pthread_t th[N];
        struct worker w[N];
        for (int i = 0; i < N; i++) {
                w[i] = (struct worker){.proc = rn.proc, .n = 3000};
                cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
        }
        struct ne_diag diag;
        for (int i = 0; i < 40; i++) {
                replace_file(rp, rules(i % 2 ? "election" : "Oktoberfest"));
                cr_assert_eq(ne_article_processor_reload(rn.proc, cfg, &diag), 0, "%s", diag.msg);
                nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                cr_assert_eq(w[i].bad, 0, "worker %d: %d bad results", i, w[i].bad);
        }
        /* The last generation has "election" (i = 39). */
        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, 1);
        stop(&rn);
        ne_config_free(cfg);
}

Test(processor, alerts_are_bounded_and_routes_come_first)
{
        /* 70 rules that all match: 64 extra events at most. */
        char text[8192] = "{\"rules\": [";
        for (int i = 0; i < 70; i++) {
                size_t n = strlen(text);
                snprintf(text + n, sizeof(text) - n,
                         "%s{\"id\": \"r%d\", \"keywords\": [\"election\"]}", i ? ", " : "", i);
        }
        strcat(text, "]}");
        const char *rp = write_tmp("rules.json", text);
        struct ne_config *cfg = config("json", alerts_config_lines(rp));
        struct run rn;
        start(&rn, cfg);
        cr_assert_eq(feed(&rn, ELECTION), NE_OUTCOME_OK);
        cr_assert_eq(rn.res.n_extra, NE_PROC_MAX_EXTRA);
        cr_assert_not_null(strstr(rn.res.extra[63].value.data, "\"r63\""));
        stop(&rn);
        ne_config_free(cfg);
}
