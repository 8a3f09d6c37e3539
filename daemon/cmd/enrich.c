/* `newsenrichd enrich`: offline enrichment of article JSON lines (files or stdin) into enriched
 * JSON lines on stdout, the same content as the Avro event with lineage null. Wiring only:
 * decoding and encoding are the codec's, enrichment the enricher's; this file reads lines,
 * picks the model files, reports bad lines on stderr and keeps going. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/buf.h"
#include "ne/cmd.h"
#include "ne/codec.h"
#include "ne/enricher.h"

#define DEFAULT_MAX_BYTES ((size_t)1024 * 1024)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_TOPIC_THRESHOLD 0.2f
#define DEFAULT_TOPIC_TOP_K 3
#define DEFAULT_MAX_ENTITIES 100
#define READ_CHUNK 65536

struct enrich_run {
        struct ne_decoder *dec;
        struct ne_encoder *enc;
        struct ne_enricher *enricher;
        struct ne_enrich_ctx *ctx;
        struct ne_buf line;
        struct ne_buf out;
        size_t max_bytes;
        int64_t processed_at; /* < 0: the clock */
        unsigned long failed;
        unsigned long written;
};

static void usage(FILE *f)
{
        fprintf(f,
                "usage: newsenrichd enrich [OPTIONS] [FILE...]\n"
                "\n"
                "Reads article JSON objects, one per line, from the FILEs (or stdin; '-' is\n"
                "stdin) and writes one enriched JSON object per line on stdout: the content of\n"
                "the Avro event (schemas/article_enriched.avsc) with lineage null. A line that\n"
                "cannot be decoded or enriched is reported on stderr with its number and reason;\n"
                "the others are still written, and the exit status is then 1.\n"
                "\n"
                "  --ner-model FILE      named-entity model (default: models/ner.model in the\n"
                "                        current directory, else %s/models/ner.model, if present)\n"
                "  --topic-model FILE    topic model (default: models/topics.model, likewise)\n"
                "  --no-models           no models: entities and topics stay empty\n"
                "  --max-bytes N         longest line accepted, in bytes (default %zu)\n"
                "  --processed-at MS     processed_at to write, epoch ms (default: the clock)\n"
                "  -h, --help            this help\n",
                NE_DATADIR, DEFAULT_MAX_BYTES);
}

/* The model file to use: the one given, else the first default that exists, else NULL. */
static const char *model_path(const char *given, const char *local, const char *installed)
{
        if (given)
                return given;
        if (access(local, R_OK) == 0)
                return local;
        if (access(installed, R_OK) == 0)
                return installed;
        return NULL;
}

/* Reads one line (without its newline) into `line`, keeping at most max_bytes + 1 bytes of it
 * so that an endless line cannot exhaust memory (the decoder then reports it too large). Byte
 * by byte, because fgets() cannot tell a NUL inside a line from the end of its data. Returns
 * 1 for a line, 0 at EOF, -EIO or -ENOMEM. */
static int read_line(FILE *f, struct ne_buf *line, size_t max_bytes)
{
        char chunk[READ_CHUNK];
        size_t n = 0;
        bool any = false;
        int c;
        ne_buf_reset(line);
        while ((c = getc_unlocked(f)) != EOF) {
                any = true;
                if (c == '\n')
                        break;
                if (line->len + n > max_bytes)
                        continue; /* already too long: skip to the end of the line */
                chunk[n++] = (char)c;
                if (n == sizeof(chunk)) {
                        if (ne_buf_append(line, chunk, n) < 0)
                                return -ENOMEM;
                        n = 0;
                }
        }
        if (n && ne_buf_append(line, chunk, n) < 0)
                return -ENOMEM;
        if (ferror(f))
                return -EIO;
        return any ? 1 : 0;
}

static bool is_blank(const struct ne_buf *line)
{
        for (size_t i = 0; i < line->len; i++) {
                char c = line->data[i];
                if (c != ' ' && c != '\t' && c != '\r')
                        return false;
        }
        return true;
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(struct enrich_run *run, const char *name, unsigned long lineno, const char *code,
                   const char *msg)
{
        fprintf(stderr, "newsenrichd enrich: %s:%lu: %s: %s\n", name, lineno, code, msg);
        run->failed++;
}

/* One line: decode, enrich, encode, write. Returns 0 (also for a bad line, which is reported
 * and counted) or a negative errno that ends the run. */
static int process_line(struct enrich_run *run, const char *name, unsigned long lineno)
{
        struct ne_diag d;
        struct ne_article *art = NULL;
        struct ne_enrichment *enr = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        int r;

        if (run->line.len && run->line.data[run->line.len - 1] == '\r')
                run->line.data[--run->line.len] = '\0';
        r = ne_decode_article(run->dec, run->line.data, run->line.len, &art, &why, &d);
        if (r == -EBADMSG) {
                report(run, name, lineno, ne_dlq_reason_code(why), d.msg);
                return 0;
        }
        if (r < 0)
                return r;

        ne_diag_clear(&d);
        r = ne_enricher_run(run->enricher, run->ctx, art, &enr, &d);
        if (r == -EINVAL) {
                report(run, name, lineno, ne_dlq_reason_code(NE_DLQ_ENRICH_FAILED), d.msg);
                r = 0;
                goto out;
        }
        if (r < 0)
                goto out;

        ne_buf_reset(&run->out);
        int64_t at = run->processed_at >= 0 ? run->processed_at : now_ms();
        r = ne_encode_enriched(run->enc, art, enr, NULL, at, &run->out, &d);
        if (r == -EINVAL) {
                report(run, name, lineno, ne_dlq_reason_code(NE_DLQ_ENRICH_FAILED), d.msg);
                r = 0;
                goto out;
        }
        if (r < 0)
                goto out;
        if (ne_buf_append(&run->out, "\n", 1) < 0) {
                r = -ENOMEM;
                goto out;
        }
        if (fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len) {
                r = -EIO;
                goto out;
        }
        run->written++;
out:
        ne_enrichment_free(enr);
        ne_article_free(art);
        return r;
}

static int process_stream(struct enrich_run *run, FILE *f, const char *name)
{
        unsigned long lineno = 0;
        for (;;) {
                int r = read_line(f, &run->line, run->max_bytes);
                if (r == 0)
                        return 0;
                if (r == -EIO) {
                        fprintf(stderr, "newsenrichd enrich: %s: read error\n", name);
                        run->failed++;
                        return 0;
                }
                if (r < 0)
                        return r;
                lineno++;
                if (is_blank(&run->line))
                        continue;
                r = process_line(run, name, lineno);
                if (r < 0)
                        return r;
        }
}

static int process_file(struct enrich_run *run, const char *path)
{
        if (strcmp(path, "-") == 0)
                return process_stream(run, stdin, "<stdin>");
        FILE *f = fopen(path, "r");
        if (!f) {
                fprintf(stderr, "newsenrichd enrich: %s: %s\n", path, strerror(errno));
                run->failed++;
                return 0;
        }
        int r = process_stream(run, f, path);
        fclose(f);
        return r;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *ret)
{
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int setup(struct enrich_run *run, const struct ne_enricher_opts *eopts)
{
        struct ne_diag d;
        ne_diag_clear(&d);
        struct ne_decoder_opts dopts = {.max_bytes = run->max_bytes,
                                        .max_depth = DEFAULT_MAX_DEPTH};
        int r = ne_decoder_new(NULL, &dopts, &run->dec);
        if (r == 0)
                r = ne_encoder_new(NULL, 0, NE_FORMAT_JSON, &run->enc, &d);
        if (r < 0) {
                fprintf(stderr, "newsenrichd enrich: %s\n", d.msg[0] ? d.msg : strerror(-r));
                return r;
        }
        r = ne_enricher_new(eopts, &run->enricher, &d);
        if (r < 0) {
                fprintf(stderr, "newsenrichd enrich: cannot load models: %s\n",
                        d.msg[0] ? d.msg : strerror(-r));
                return r;
        }
        r = ne_enrich_ctx_new(run->enricher, &run->ctx);
        if (r < 0)
                fprintf(stderr, "newsenrichd enrich: %s\n", strerror(-r));
        return r;
}

static void teardown(struct enrich_run *run)
{
        ne_enrich_ctx_free(run->ctx);
        ne_enricher_free(run->enricher);
        ne_encoder_free(run->enc);
        ne_decoder_free(run->dec);
        ne_buf_release(&run->line);
        ne_buf_release(&run->out);
}

enum { OPT_NER = 1000, OPT_TOPIC, OPT_NO_MODELS, OPT_MAX_BYTES, OPT_PROCESSED_AT };

int ne_cmd_enrich(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"ner-model", required_argument, NULL, OPT_NER},
            {"topic-model", required_argument, NULL, OPT_TOPIC},
            {"no-models", no_argument, NULL, OPT_NO_MODELS},
            {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
            {"processed-at", required_argument, NULL, OPT_PROCESSED_AT},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct enrich_run run = {.max_bytes = DEFAULT_MAX_BYTES, .processed_at = -1};
        const char *ner = NULL, *topics = NULL;
        bool no_models = false;
        unsigned long long v;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_NER:
                        ner = optarg;
                        break;
                case OPT_TOPIC:
                        topics = optarg;
                        break;
                case OPT_NO_MODELS:
                        no_models = true;
                        break;
                case OPT_MAX_BYTES:
                        if (parse_u64(optarg, SIZE_MAX / 2, &v) < 0 || v == 0) {
                                fprintf(stderr, "newsenrichd enrich: bad --max-bytes '%s'\n",
                                        optarg);
                                return 2;
                        }
                        run.max_bytes = (size_t)v;
                        break;
                case OPT_PROCESSED_AT:
                        if (parse_u64(optarg, INT64_MAX, &v) < 0) {
                                fprintf(stderr, "newsenrichd enrich: bad --processed-at '%s'\n",
                                        optarg);
                                return 2;
                        }
                        run.processed_at = (int64_t)v;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (no_models && (ner || topics)) {
                fprintf(stderr, "newsenrichd enrich: --no-models excludes --ner-model and "
                                "--topic-model\n");
                return 2;
        }

        struct ne_enricher_opts eopts = {
            .topic_threshold = DEFAULT_TOPIC_THRESHOLD,
            .topic_top_k = DEFAULT_TOPIC_TOP_K,
            .max_entities = DEFAULT_MAX_ENTITIES,
        };
        if (!no_models) {
                eopts.ner_model_path =
                    model_path(ner, "models/ner.model", NE_DATADIR "/models/ner.model");
                eopts.topic_model_path =
                    model_path(topics, "models/topics.model", NE_DATADIR "/models/topics.model");
        }

        int r = setup(&run, &eopts);
        if (r == 0) {
                if (optind >= argc)
                        r = process_stream(&run, stdin, "<stdin>");
                for (int i = optind; r == 0 && i < argc; i++)
                        r = process_file(&run, argv[i]);
                if (r < 0)
                        fprintf(stderr, "newsenrichd enrich: %s\n", strerror(-r));
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "newsenrichd enrich: write error on stdout\n");
                r = r ? r : -EIO;
        }
        teardown(&run);
        return r < 0 || run.failed ? 1 : 0;
}
