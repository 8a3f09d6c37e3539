/* Unit tests for the metrics registry: the exposition is parsed back with a small strict parser
 * of the text format 0.0.4 (every sample under a # HELP and # TYPE of its family, label values
 * unescaped), so the tests check values, not string layouts. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/buf.h"
#include "ne/metrics.h"

#define MAX_SAMPLES 512
#define MAX_LABELS 4

struct sample {
        char name[128];
        char keys[MAX_LABELS][32];
        char values[MAX_LABELS][512];
        int n_labels;
        double value;
};

struct parsed {
        struct sample samples[MAX_SAMPLES];
        int n;
        char families[64][128];
        char types[64][16];
        int n_families;
};

static const char *family_of(const struct parsed *p, const char *name, const char **type)
{
        for (int i = 0; i < p->n_families; i++) {
                size_t fl = strlen(p->families[i]);
                if (strncmp(name, p->families[i], fl) != 0)
                        continue;
                const char *rest = name + fl;
                bool hist = strcmp(p->types[i], "histogram") == 0;
                if (*rest == '\0' ||
                    (hist && (strcmp(rest, "_bucket") == 0 || strcmp(rest, "_sum") == 0 ||
                              strcmp(rest, "_count") == 0))) {
                        *type = p->types[i];
                        return p->families[i];
                }
        }
        return NULL;
}

/* Parses one sample line strictly; fails the test on anything the format does not allow. */
static void parse_sample(struct parsed *p, const char *line)
{
        cr_assert_lt(p->n, MAX_SAMPLES);
        struct sample *s = &p->samples[p->n++];
        memset(s, 0, sizeof(*s));
        size_t i = 0;
        while (line[i] &&
               (line[i] == '_' || line[i] == ':' || (line[i] >= 'a' && line[i] <= 'z') ||
                (line[i] >= 'A' && line[i] <= 'Z') || (i && line[i] >= '0' && line[i] <= '9')))
                i++;
        cr_assert_gt(i, 0, "no metric name: '%s'", line);
        cr_assert_lt(i, sizeof(s->name));
        memcpy(s->name, line, i);
        const char *c = line + i;
        if (*c == '{') {
                c++;
                while (*c != '}') {
                        cr_assert_lt(s->n_labels, MAX_LABELS, "too many labels: '%s'", line);
                        const char *eq = strchr(c, '=');
                        cr_assert_not_null(eq, "label without '=': '%s'", line);
                        cr_assert_lt((size_t)(eq - c), sizeof(s->keys[0]));
                        memcpy(s->keys[s->n_labels], c, (size_t)(eq - c));
                        cr_assert_eq(eq[1], '"', "unquoted label value: '%s'", line);
                        c = eq + 2;
                        size_t o = 0;
                        while (*c != '"') {
                                cr_assert(*c != '\0' && *c != '\n', "unterminated: '%s'", line);
                                char ch = *c++;
                                if (ch == '\\') {
                                        ch = *c++;
                                        cr_assert(ch == '\\' || ch == '"' || ch == 'n',
                                                  "bad escape in '%s'", line);
                                        if (ch == 'n')
                                                ch = '\n';
                                }
                                cr_assert_lt(o, sizeof(s->values[0]) - 1);
                                s->values[s->n_labels][o++] = ch;
                        }
                        c++;
                        s->n_labels++;
                        if (*c == ',')
                                c++;
                        else
                                cr_assert_eq(*c, '}', "bad label list: '%s'", line);
                }
                c++;
        }
        cr_assert_eq(*c, ' ', "no space before value: '%s'", line);
        char *end;
        s->value = strtod(c + 1, &end);
        cr_assert(end != c + 1 && *end == '\0', "bad value: '%s'", line);

        const char *type;
        cr_assert_not_null(family_of(p, s->name, &type), "sample before its # TYPE: '%s'", line);
}

static void parse(const char *text, struct parsed *p)
{
        char *copy = strdup(text);
        char *save = NULL;
        char pending_help[128] = "";

        memset(p, 0, sizeof(*p));
        cr_assert_not_null(copy);
        cr_assert(text[0] == '\0' || text[strlen(text) - 1] == '\n', "no final newline");
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[128], type[16];
                if (strncmp(line, "# HELP ", 7) == 0) {
                        cr_assert_eq(sscanf(line + 7, "%127s", name), 1);
                        cr_assert_gt(strlen(line), 7 + strlen(name) + 1, "empty help");
                        snprintf(pending_help, sizeof(pending_help), "%s", name);
                } else if (strncmp(line, "# TYPE ", 7) == 0) {
                        cr_assert_eq(sscanf(line + 7, "%127s %15s", name, type), 2);
                        cr_assert_str_eq(pending_help, name, "# TYPE %s without # HELP", name);
                        cr_assert(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                                      strcmp(type, "histogram") == 0,
                                  "type %s", type);
                        if (strcmp(type, "counter") == 0)
                                cr_assert(strlen(name) > 6 &&
                                              strcmp(name + strlen(name) - 6, "_total") == 0,
                                          "counter %s without _total", name);
                        cr_assert(strncmp(name, "newsenrichd_", 12) == 0, "prefix: %s", name);
                        for (int i = 0; i < p->n_families; i++)
                                cr_assert_str_neq(p->families[i], name, "family %s twice", name);
                        cr_assert_lt(p->n_families, 64);
                        snprintf(p->families[p->n_families], 128, "%s", name);
                        snprintf(p->types[p->n_families++], 16, "%s", type);
                        pending_help[0] = '\0';
                } else {
                        cr_assert_neq(line[0], '#', "unknown comment '%s'", line);
                        parse_sample(p, line);
                }
        }
        free(copy);
}

/* Value of the sample `name` whose labels are exactly `labels` ("k=v,k=v" or ""), NAN if none. */
static double get(const struct parsed *p, const char *name, const char *labels)
{
        for (int i = 0; i < p->n; i++) {
                const struct sample *s = &p->samples[i];
                char have[1024] = "";
                if (strcmp(s->name, name) != 0)
                        continue;
                for (int l = 0; l < s->n_labels; l++) {
                        size_t len = strlen(have);
                        snprintf(have + len, sizeof(have) - len, "%s%s=%s", l ? "," : "",
                                 s->keys[l], s->values[l]);
                }
                if (strcmp(have, labels) == 0)
                        return s->value;
        }
        return NAN;
}

static int count_samples(const struct parsed *p, const char *name)
{
        int n = 0;
        for (int i = 0; i < p->n; i++)
                n += strcmp(p->samples[i].name, name) == 0;
        return n;
}

static const char *const reasons[] = {"bad_json", "bad_avro", "too_large"};

static struct ne_metrics *make(void)
{
        struct ne_metrics_info info = {
            .version = "1.2.3",
            .dead_letter_reasons = reasons,
            .n_dead_letter_reasons = 3,
        };
        struct ne_metrics *m = NULL;
        cr_assert_eq(ne_metrics_new(&info, &m), 0);
        cr_assert_not_null(m);
        return m;
}

static void render(struct ne_metrics *m, struct parsed *p)
{
        struct ne_buf b = {0};
        cr_assert_eq(ne_metrics_render(m, &b), 0);
        parse(b.data, p);
        ne_buf_release(&b);
}

static struct parsed P; /* large; one per test process */

Test(metrics, fresh_registry_exports_every_family)
{
        struct ne_metrics *m = make();
        render(m, &P);

        static const char *const families[] = {
            "newsenrichd_build_info",
            "newsenrichd_start_time_seconds",
            "newsenrichd_ready",
            "newsenrichd_in_flight_messages",
            "newsenrichd_assigned_partitions",
            "newsenrichd_consumer_lag",
            "newsenrichd_model_info",
            "newsenrichd_messages_consumed_total",
            "newsenrichd_messages_produced_total",
            "newsenrichd_rebalances_total",
            "newsenrichd_produce_errors_total",
            "newsenrichd_kafka_client_errors_total",
            "newsenrichd_kafka_commit_errors_total",
            "newsenrichd_kafka_produce_retries_total",
            "newsenrichd_messages_dead_lettered_total",
            "newsenrichd_reloads_total",
            "newsenrichd_stage_duration_seconds",
        };
        cr_assert_eq(P.n_families, (int)(sizeof(families) / sizeof(families[0])));
        for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
                bool found = false;
                for (int f = 0; f < P.n_families; f++)
                        found |= strcmp(P.families[f], families[i]) == 0;
                cr_assert(found, "missing family %s", families[i]);
        }
        cr_assert_eq(get(&P, "newsenrichd_build_info", "version=1.2.3"), 1);
        cr_assert_eq(get(&P, "newsenrichd_ready", ""), 0);
        cr_assert_eq(get(&P, "newsenrichd_messages_consumed_total", ""), 0);
        for (size_t i = 0; i < 3; i++) {
                char l[64];
                snprintf(l, sizeof(l), "reason=%s", reasons[i]);
                cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", l), 0);
        }
        cr_assert(isnan(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=other")));
        cr_assert_eq(get(&P, "newsenrichd_reloads_total", "result=ok"), 0);
        cr_assert_eq(get(&P, "newsenrichd_reloads_total", "result=failed"), 0);
        cr_assert_eq(count_samples(&P, "newsenrichd_stage_duration_seconds_count"), 5);
        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=end_to_end"), 0);
        cr_assert_eq(count_samples(&P, "newsenrichd_consumer_lag"), 0);

        double start = get(&P, "newsenrichd_start_time_seconds", "");
        cr_assert(fabs(start - (double)time(NULL)) < 5, "start time %f", start);
        ne_metrics_free(m);
}

Test(metrics, counters_and_gauges_render_values)
{
        struct ne_metrics *m = make();
        ne_metrics_add(m, NE_METRIC_CONSUMED, 40);
        ne_metrics_inc(m, NE_METRIC_CONSUMED);
        ne_metrics_add(m, NE_METRIC_PRODUCED, 39);
        ne_metrics_inc(m, NE_METRIC_REBALANCES);
        ne_metrics_inc(m, NE_METRIC_PRODUCE_ERRORS);
        ne_metrics_inc(m, NE_METRIC_RELOADS_OK);
        ne_metrics_add(m, NE_METRIC_RELOADS_FAILED, 2);
        ne_metrics_add(m, NE_METRIC_COUNTER_MAX, 5); /* ignored, must not corrupt */
        ne_metrics_dead_letter(m, 0);
        ne_metrics_dead_letter(m, 2);
        ne_metrics_dead_letter(m, 2);
        ne_metrics_dead_letter(m, 99); /* out of range -> other */
        ne_metrics_in_flight_add(m, 5);
        ne_metrics_in_flight_add(m, -2);
        ne_metrics_set_ready(m, true);
        ne_metrics_set_assigned_partitions(m, 6);
        cr_assert_eq(ne_metrics_set_model(m, "ner", "v1"), 0);
        cr_assert_eq(ne_metrics_set_model(m, "topics", "t7"), 0);
        cr_assert_eq(ne_metrics_set_model(m, "ner", "v2"), 0); /* reload replaces */
        render(m, &P);

        cr_assert_eq(get(&P, "newsenrichd_messages_consumed_total", ""), 41);
        cr_assert_eq(get(&P, "newsenrichd_messages_produced_total", ""), 39);
        cr_assert_eq(get(&P, "newsenrichd_rebalances_total", ""), 1);
        cr_assert_eq(get(&P, "newsenrichd_produce_errors_total", ""), 1);
        cr_assert_eq(get(&P, "newsenrichd_reloads_total", "result=ok"), 1);
        cr_assert_eq(get(&P, "newsenrichd_reloads_total", "result=failed"), 2);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=bad_json"), 1);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=bad_avro"), 0);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=too_large"), 2);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=other"), 1);
        cr_assert_eq(get(&P, "newsenrichd_in_flight_messages", ""), 3);
        cr_assert_eq(get(&P, "newsenrichd_ready", ""), 1);
        cr_assert_eq(get(&P, "newsenrichd_assigned_partitions", ""), 6);
        cr_assert_eq(count_samples(&P, "newsenrichd_model_info"), 2);
        cr_assert_eq(get(&P, "newsenrichd_model_info", "model=ner,version=v2"), 1);
        cr_assert_eq(get(&P, "newsenrichd_model_info", "model=topics,version=t7"), 1);
        ne_metrics_free(m);
}

#define PER_THREAD 200000

static void *hammer(void *arg)
{
        struct ne_metrics *m = arg;
        for (int i = 0; i < PER_THREAD; i++) {
                ne_metrics_in_flight_add(m, 1);
                ne_metrics_inc(m, NE_METRIC_CONSUMED);
                ne_metrics_dead_letter(m, 1);
                ne_metrics_observe_ns(m, NE_STAGE_ENRICH, (uint64_t)(i % 7) * 1000000u);
                ne_metrics_in_flight_add(m, -1);
        }
        return NULL;
}

Test(metrics, concurrent_updates_from_two_threads_are_exact)
{
        struct ne_metrics *m = make();
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
                cr_assert_eq(pthread_create(&t[i], NULL, hammer, m), 0);

        /* Render while the writers run: each histogram must stay internally consistent. */
        struct ne_buf b = {0};
        for (int round = 0; round < 20; round++) {
                ne_buf_reset(&b);
                cr_assert_eq(ne_metrics_render(m, &b), 0);
                parse(b.data, &P);
                double prev = 0;
                static const char *const les[] = {"5e-05",  "0.0001", "0.00025", "0.0005", "0.001",
                                                  "0.0025", "0.005",  "0.01",    "0.025",  "0.05",
                                                  "0.1",    "0.25",   "0.5",     "1",      "2.5",
                                                  "5",      "+Inf"};
                for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
                        char l[64];
                        snprintf(l, sizeof(l), "stage=enrich,le=%s", les[i]);
                        double v = get(&P, "newsenrichd_stage_duration_seconds_bucket", l);
                        cr_assert_geq(v, prev, "bucket %s not cumulative", les[i]);
                        prev = v;
                }
                cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=enrich"),
                             prev);
        }
        ne_buf_release(&b);

        for (int i = 0; i < 2; i++)
                pthread_join(t[i], NULL);
        render(m, &P);
        cr_assert_eq(get(&P, "newsenrichd_messages_consumed_total", ""), 2.0 * PER_THREAD);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=bad_avro"),
                     2.0 * PER_THREAD);
        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=enrich"),
                     2.0 * PER_THREAD);
        cr_assert_eq(get(&P, "newsenrichd_in_flight_messages", ""), 0);
        /* sum of (i % 7) ms over i < PER_THREAD, twice */
        double want = 0;
        for (int i = 0; i < PER_THREAD; i++)
                want += (i % 7) * 0.001;
        want *= 2;
        cr_assert_float_eq(get(&P, "newsenrichd_stage_duration_seconds_sum", "stage=enrich"), want,
                           1e-6);
        ne_metrics_free(m);
}

struct bucket_case {
        uint64_t ns;
        const char *le; /* smallest bucket that must count it */
};

static const struct bucket_case bucket_cases[] = {
    {0, "5e-05"},
    {50000, "5e-05"}, /* le is inclusive */
    {50001, "0.0001"},
    {999999, "0.001"},
    {1000000, "0.001"},
    {1000001, "0.0025"},
    {5000000000u, "5"},
    {5000000001u, "+Inf"},
    {UINT64_C(3600000000000), "+Inf"},
};

Test(metrics, histogram_bucket_math)
{
        static const char *const les[] = {"5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025",
                                          "0.005", "0.01",   "0.025",   "0.05",   "0.1",   "0.25",
                                          "0.5",   "1",      "2.5",     "5",      "+Inf"};
        for (size_t c = 0; c < sizeof(bucket_cases) / sizeof(bucket_cases[0]); c++) {
                struct ne_metrics *m = make();
                ne_metrics_observe_ns(m, NE_STAGE_DECODE, bucket_cases[c].ns);
                ne_metrics_observe_ns(m, NE_STAGE_MAX, 1); /* ignored */
                render(m, &P);
                bool reached = false;
                for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
                        char l[64];
                        snprintf(l, sizeof(l), "stage=decode,le=%s", les[i]);
                        reached |= strcmp(les[i], bucket_cases[c].le) == 0;
                        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_bucket", l),
                                     reached ? 1 : 0, "case %zu (%llu ns) bucket %s", c,
                                     (unsigned long long)bucket_cases[c].ns, les[i]);
                }
                cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=decode"),
                             1);
                cr_assert_float_eq(
                    get(&P, "newsenrichd_stage_duration_seconds_sum", "stage=decode"),
                    (double)bucket_cases[c].ns / 1e9, 1e-9);
                /* other stages untouched */
                cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=produce"),
                             0);
                ne_metrics_free(m);
        }
}

Test(metrics, sum_is_exact_in_seconds)
{
        struct ne_metrics *m = make();
        struct ne_buf b = {0};
        ne_metrics_observe_ns(m, NE_STAGE_PRODUCE, 1500000000u);
        ne_metrics_observe_ns(m, NE_STAGE_PRODUCE, 1);
        cr_assert_eq(ne_metrics_render(m, &b), 0);
        cr_assert_not_null(strstr(b.data,
                                  "newsenrichd_stage_duration_seconds_sum{stage=\"produce\"} "
                                  "1.500000001\n"));
        ne_buf_release(&b);
        ne_metrics_free(m);
}

Test(metrics, dead_letter_reason_lookup)
{
        struct ne_metrics *m = make();
        cr_assert_eq(ne_metrics_dead_letter_reason(m, "bad_json"), 0);
        cr_assert_eq(ne_metrics_dead_letter_reason(m, "too_large"), 2);
        cr_assert_eq(ne_metrics_dead_letter_reason(m, "bad"), -ENOENT);
        cr_assert_eq(ne_metrics_dead_letter_reason(m, NULL), -ENOENT);
        ne_metrics_dead_letter(m, (size_t)ne_metrics_dead_letter_reason(m, "bad_avro"));
        render(m, &P);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=bad_avro"), 1);
        ne_metrics_free(m);
}

Test(metrics, observe_since_chains_stages)
{
        struct ne_metrics *m = make();
        uint64_t t0 = ne_metrics_now_ns();
        nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
        uint64_t t1 = ne_metrics_observe_since(m, NE_STAGE_DECODE, t0);
        cr_assert_geq(t1 - t0, 2000000);
        uint64_t t2 = ne_metrics_observe_since(m, NE_STAGE_ENCODE, t1);
        cr_assert_geq(t2, t1);
        ne_metrics_observe_since(m, NE_STAGE_PRODUCE, UINT64_MAX); /* clock behind: counts 0 */
        render(m, &P);
        double decode = get(&P, "newsenrichd_stage_duration_seconds_sum", "stage=decode");
        cr_assert_float_eq(decode, (double)(t1 - t0) / 1e9, 1e-9);
        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_count", "stage=encode"), 1);
        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_sum", "stage=produce"), 0);
        cr_assert_eq(get(&P, "newsenrichd_stage_duration_seconds_bucket", "stage=produce,le=5e-05"),
                     1);
        ne_metrics_free(m);
}

Test(metrics, label_values_are_escaped)
{
        static const char *const odd[] = {"back\\slash", "quo\"te", "new\nline"};
        struct ne_metrics_info info = {.dead_letter_reasons = odd, .n_dead_letter_reasons = 3};
        struct ne_metrics *m = NULL;
        struct ne_buf b = {0};

        cr_assert_eq(ne_metrics_new(&info, &m), 0);
        cr_assert_eq(ne_metrics_set_model(m, "ner", "a\\b\"c\nd"), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "top\"ic", 1, 9), 0);
        ne_metrics_dead_letter(m, 2);
        cr_assert_eq(ne_metrics_render(m, &b), 0);
        cr_assert_not_null(strstr(b.data, "{model=\"ner\",version=\"a\\\\b\\\"c\\nd\"} 1\n"));
        cr_assert_not_null(strstr(b.data, "{reason=\"back\\\\slash\"} 0\n"));
        cr_assert_not_null(strstr(b.data, "{reason=\"quo\\\"te\"} 0\n"));
        cr_assert_not_null(strstr(b.data, "{reason=\"new\\nline\"} 1\n"));
        parse(b.data, &P); /* fails on a raw newline inside a value */
        cr_assert_eq(get(&P, "newsenrichd_model_info", "model=ner,version=a\\b\"c\nd"), 1);
        cr_assert_eq(get(&P, "newsenrichd_messages_dead_lettered_total", "reason=new\nline"), 1);
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=top\"ic,partition=1"), 9);
        cr_assert_eq(get(&P, "newsenrichd_build_info", "version=" NE_VERSION), 1);
        ne_buf_release(&b);
        ne_metrics_free(m);
}

Test(metrics, lag_add_update_remove)
{
        struct ne_metrics *m = make();
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 0, 10), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 1, 20), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "other", 0, 30), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 0, 11), 0); /* update */
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 2, -1), 0); /* unknown: hidden */
        render(m, &P);
        cr_assert_eq(count_samples(&P, "newsenrichd_consumer_lag"), 3);
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=articles,partition=0"), 11);
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=articles,partition=1"), 20);
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=other,partition=0"), 30);

        ne_metrics_lag_remove(m, "articles", 0);
        ne_metrics_lag_remove(m, "articles", 7); /* unknown: ignored */
        ne_metrics_lag_remove(m, NULL, 0);
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 2, 5), 0); /* now known */
        render(m, &P);
        cr_assert_eq(count_samples(&P, "newsenrichd_consumer_lag"), 3);
        cr_assert(isnan(get(&P, "newsenrichd_consumer_lag", "topic=articles,partition=0")));
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=articles,partition=2"), 5);

        ne_metrics_lag_clear(m);
        render(m, &P);
        cr_assert_eq(count_samples(&P, "newsenrichd_consumer_lag"), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "articles", 3, 1), 0); /* usable after clear */
        render(m, &P);
        cr_assert_eq(get(&P, "newsenrichd_consumer_lag", "topic=articles,partition=3"), 1);
        ne_metrics_free(m);
}

Test(metrics, lag_bounds)
{
        struct ne_metrics *m = make();
        char long_topic[NE_METRICS_MAX_LABEL + 2];
        memset(long_topic, 't', sizeof(long_topic) - 1);
        long_topic[sizeof(long_topic) - 1] = '\0';

        cr_assert_eq(ne_metrics_lag_set(m, NULL, 0, 1), -EINVAL);
        cr_assert_eq(ne_metrics_lag_set(m, "", 0, 1), -EINVAL);
        cr_assert_eq(ne_metrics_lag_set(m, long_topic, 0, 1), -EINVAL);
        for (int32_t p = 0; p < NE_METRICS_MAX_PARTITIONS; p++)
                cr_assert_eq(ne_metrics_lag_set(m, "t", p, p), 0);
        cr_assert_eq(ne_metrics_lag_set(m, "t", NE_METRICS_MAX_PARTITIONS, 1), -E2BIG);
        cr_assert_eq(ne_metrics_lag_set(m, "t", 5, 6), 0); /* updates still work when full */
        ne_metrics_free(m);
}

Test(metrics, model_bounds)
{
        struct ne_metrics *m = make();
        char name[16];
        cr_assert_eq(ne_metrics_set_model(m, "", "v"), -EINVAL);
        cr_assert_eq(ne_metrics_set_model(m, "ner", NULL), -EINVAL);
        for (int i = 0; i < NE_METRICS_MAX_MODELS; i++) {
                snprintf(name, sizeof(name), "m%d", i);
                cr_assert_eq(ne_metrics_set_model(m, name, "v"), 0);
        }
        cr_assert_eq(ne_metrics_set_model(m, "one-too-many", "v"), -E2BIG);
        cr_assert_eq(ne_metrics_set_model(m, "m0", "v2"), 0);
        ne_metrics_free(m);
}

Test(metrics, rejects_bad_info)
{
        const char *many[NE_METRICS_MAX_REASONS + 1];
        const char *empty[] = {"ok", ""};
        struct ne_metrics *m = (struct ne_metrics *)&many; /* must stay untouched */
        for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
                many[i] = "r";
        struct ne_metrics_info info = {.dead_letter_reasons = many,
                                       .n_dead_letter_reasons = NE_METRICS_MAX_REASONS + 1};
        cr_assert_eq(ne_metrics_new(&info, &m), -EINVAL);
        info = (struct ne_metrics_info){.dead_letter_reasons = empty, .n_dead_letter_reasons = 2};
        cr_assert_eq(ne_metrics_new(&info, &m), -EINVAL);
        info = (struct ne_metrics_info){.n_dead_letter_reasons = 1};
        cr_assert_eq(ne_metrics_new(&info, &m), -EINVAL);
        cr_assert_eq(m, (struct ne_metrics *)&many);

        cr_assert_eq(ne_metrics_new(NULL, &m), 0); /* all defaults */
        render(m, &P);
        cr_assert_eq(get(&P, "newsenrichd_build_info", "version=" NE_VERSION), 1);
        ne_metrics_free(m);
        ne_metrics_free(NULL);
}

Test(metrics, ready_needs_flag_and_partitions)
{
        struct ne_metrics *m = make();
        cr_assert_not(ne_metrics_is_ready(m));
        ne_metrics_set_ready(m, true);
        cr_assert_not(ne_metrics_is_ready(m));
        ne_metrics_set_assigned_partitions(m, 1);
        cr_assert(ne_metrics_is_ready(m));
        ne_metrics_set_ready(m, false);
        cr_assert_not(ne_metrics_is_ready(m));
        ne_metrics_set_ready(m, true);
        ne_metrics_set_assigned_partitions(m, 0);
        cr_assert_not(ne_metrics_is_ready(m));
        ne_metrics_free(m);
}

Test(metrics, heartbeat_goes_stale)
{
        struct ne_metrics_info info = {.heartbeat_timeout_ms = 100};
        struct ne_metrics *m = NULL;
        cr_assert_eq(ne_metrics_new(&info, &m), 0);
        cr_assert(ne_metrics_is_alive(m)); /* heartbeat starts at creation */
        nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
        cr_assert_not(ne_metrics_is_alive(m));
        ne_metrics_heartbeat(m);
        cr_assert(ne_metrics_is_alive(m));
        ne_metrics_free(m);
}
