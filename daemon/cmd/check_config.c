/* `newsenrichd check-config FILE`: everything `run` checks before it connects to anything -
 * the file against the key table and the rules across keys, the kafka.* properties against
 * librdkafka, the schema and model files - so that systemd's ExecStartPre (and a human before a
 * reload) can refuse a bad config with "FILE:LINE: key: message". Also prints the key reference
 * (--keys) and the effective config with secrets redacted (--dump). Starts no connection. */
#include <avro.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/alert_codec.h"
#include "ne/alerts.h"
#include "ne/cmd.h"
#include "ne/config.h"
#include "ne/kafka_conf.h"
#include "../proc/internal.h"

#define MAX_SCHEMA_BYTES (1024 * 1024)

static void usage(FILE *out)
{
        fprintf(out,
                "usage: newsenrichd check-config [--quiet] [--dump] FILE\n"
                "       newsenrichd check-config --keys | --help\n\n"
                "Validates FILE as `run` would before connecting: keys and values, rules across\n"
                "keys, kafka.* properties against librdkafka, schema and model files.\n"
                "Prints \"FILE: ok\" and a summary and exits 0, or prints\n"
                "\"FILE:LINE: key: message\" and exits 1 (2 for a usage error).\n\n"
                "  -q, --quiet   print nothing on success\n"
                "  -d, --dump    on success, print the effective config (secrets redacted)\n"
                "  -k, --keys    print every key with its type, default and help, and exit\n"
                "  -h, --help    print this help and exit\n");
}

static void report(const char *file, const struct ne_diag *diag)
{
        fprintf(stderr, "%s:", file);
        if (diag->line > 0)
                fprintf(stderr, "%d:", diag->line);
        if (diag->key[0])
                fprintf(stderr, " %s:", diag->key);
        fprintf(stderr, " %s\n", diag->msg[0] ? diag->msg : "invalid");
}

static void fail_at(struct ne_diag *diag, const char *key, int line)
{
        snprintf(diag->key, sizeof(diag->key), "%s", key);
        diag->line = line;
}

/* Reads the whole file (bounded); 0 or negative errno with diag->msg set. */
static int read_file(const char *path, size_t max, char **ret, size_t *ret_len,
                     struct ne_diag *diag)
{
        FILE *f = fopen(path, "r");
        if (!f) {
                int r = -errno;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(-r));
        }
        char *buf = malloc(max + 1);
        if (!buf) {
                fclose(f);
                return ne_diag_set(diag, -ENOMEM, "out of memory");
        }
        size_t len = fread(buf, 1, max + 1, f);
        int r = 0;
        if (ferror(f))
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
        else if (len > max)
                r = ne_diag_set(diag, -EFBIG, "%s: larger than %zu bytes", path, max);
        fclose(f);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

/* TODO(integrator): once the codec branch is merged, replace the body with
 * ne_schema_table_add_file() on a table built here (ne_schema_table_new), so check-config runs
 * the codec's own checks on top of "avro-c can parse it". */
static int check_schema(const struct ne_config_schema *sc, struct ne_diag *diag)
{
        char *json = NULL;
        size_t len = 0;
        int r = read_file(sc->path, MAX_SCHEMA_BYTES, &json, &len, diag);
        if (r < 0)
                return r;
        avro_schema_t schema;
        if (avro_schema_from_json_length(json, len, &schema) != 0) {
                r = ne_diag_set(diag, -EINVAL, "%s: not an Avro schema: %s", sc->path,
                                avro_strerror());
        } else {
                avro_schema_decref(schema);
        }
        free(json);
        return r;
}

/* The alert rules parse (the daemon refuses to start otherwise), and an Avro alert schema is
 * one the alert encoder can fill. */
static int check_alerts(const struct ne_config *cfg, struct ne_diag *diag)
{
        if (!cfg->alerts_rules_file[0])
                return 0;
        struct ne_alert_rules *rules = NULL;
        int r = ne_alert_rules_load(cfg->alerts_rules_file, &rules, diag);
        ne_alert_rules_free(rules);
        if (r < 0) {
                /* The msg names the field; the line is the rules file's, not the config's. */
                char msg[sizeof(diag->msg) + sizeof(diag->key) + 1024];
                snprintf(msg, sizeof(msg), "%s: %s (line %d)", cfg->alerts_rules_file, diag->msg,
                         diag->line);
                ne_diag_set(diag, r, "%s", msg);
                fail_at(diag, "alerts.rules_file", ne_config_key_line(cfg, "alerts.rules_file"));
                return r;
        }
        if (cfg->output_format != NE_FORMAT_AVRO)
                return 0;
        const char *path = NULL;
        for (size_t i = 0; i < cfg->n_schemas; i++)
                if (cfg->schemas[i].id == cfg->alerts_schema_id)
                        path = cfg->schemas[i].path;
        char *json = NULL;
        size_t len = 0;
        struct ne_alert_encoder *enc = NULL;
        r = path ? read_file(path, 1 << 20, &json, &len, diag) : -EINVAL;
        if (r == 0)
                r = ne_proc_check_alert_schema(json, len, path, diag);
        if (r == 0)
                r = ne_alert_encoder_new(json, len, cfg->alerts_schema_id, NE_FORMAT_AVRO, &enc,
                                         diag);
        ne_alert_encoder_free(enc);
        free(json);
        if (r < 0)
                fail_at(diag, "alerts.schema_id", ne_config_key_line(cfg, "alerts.schema_id"));
        return r;
}

static int check_files(const struct ne_config *cfg, struct ne_diag *diag)
{
        for (size_t i = 0; i < cfg->n_schemas; i++) {
                int r = check_schema(&cfg->schemas[i], diag);
                if (r < 0) {
                        char key[32];
                        snprintf(key, sizeof(key), "schema.%ld", (long)cfg->schemas[i].id);
                        fail_at(diag, key, cfg->schemas[i].line);
                        return r;
                }
        }
        const struct {
                const char *key;
                const char *path;
        } models[] = {{"models.ner", cfg->ner_model}, {"models.topics", cfg->topic_model}};
        for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
                if (!models[i].path || !*models[i].path)
                        continue;
                /* The model formats belong to the enrich engines; here only "can be read". */
                FILE *f = fopen(models[i].path, "r");
                if (!f) {
                        int r = -errno;
                        ne_diag_set(diag, r, "%s: %s", models[i].path, strerror(-r));
                        fail_at(diag, models[i].key, ne_config_key_line(cfg, models[i].key));
                        return r;
                }
                fclose(f);
        }
        return check_alerts(cfg, diag);
}

static void summary(const char *file, const struct ne_config *cfg)
{
        printf("%s: ok\n", file);
        printf("  input:       ");
        for (size_t i = 0; i < cfg->n_input_topics; i++)
                printf("%s%s", i ? ", " : "", cfg->input_topics[i]);
        printf(" (max %zu bytes)\n", cfg->input_max_bytes);
        printf("  output:      %s (%s, schema %ld)\n", cfg->output_topic,
               cfg->output_format == NE_FORMAT_JSON ? "json" : "avro", (long)cfg->output_schema_id);
        printf("  dead letter: %s\n", cfg->dead_letter_topic);
        for (size_t i = 0; i < cfg->n_schemas; i++)
                printf("  schema:      %ld = %s\n", (long)cfg->schemas[i].id, cfg->schemas[i].path);
        printf("  models:      ner %s, topics %s\n", *cfg->ner_model ? cfg->ner_model : "(none)",
               *cfg->topic_model ? cfg->topic_model : "(none)");
        printf("  kafka:       %zu properties\n", cfg->n_kafka);
}

int ne_cmd_check_config(int argc, char **argv)
{
        static const struct option opts[] = {
            {"quiet", no_argument, NULL, 'q'},
            {"dump", no_argument, NULL, 'd'},
            {"keys", no_argument, NULL, 'k'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        int quiet = 0, dump = 0, c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "qdkh", opts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        quiet = 1;
                        break;
                case 'd':
                        dump = 1;
                        break;
                case 'k':
                        ne_config_print_help(stdout);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (argc - optind != 1) {
                usage(stderr);
                return 2;
        }
        const char *file = argv[optind];
        struct ne_diag diag;
        struct ne_config *cfg = NULL;
        int r = ne_config_load(file, &cfg, &diag);
        if (r == 0)
                r = ne_kafka_conf_check(cfg, &diag);
        if (r == 0)
                r = check_files(cfg, &diag);
        if (r < 0) {
                report(file, &diag);
                ne_config_free(cfg);
                return 1;
        }
        if (!quiet)
                summary(file, cfg);
        if (dump)
                ne_config_dump(cfg, stdout);
        ne_config_free(cfg);
        return 0;
}
