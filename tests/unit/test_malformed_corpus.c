/* The malformed-input corpus (tests/fixtures/malformed/, written by make.py there) through
 * the decoder directly: every file must be refused with the reason code of MANIFEST.tsv and a
 * detail containing the manifest's substring. test_malformed_corpus.sh checks the same through
 * Kafka and the daemon; this one is quick, runs under the sanitizers without a cluster, and
 * prints every mismatch at once, which is what one needs when changing a codec message. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_testlib.h"
#include "ne/buf.h"
#include "ne/codec.h"

#define CORPUS NE_SOURCE_DIR "/tests/fixtures/malformed/"

/* The daemon configuration test_malformed_corpus.sh uses. */
static struct ne_schema_table *corpus_table(void)
{
        static const struct {
                int32_t id;
                const char *path;
        } schemas[] = {
            {1, NE_SOURCE_DIR "/schemas/article_published.avsc"},
            {3, CORPUS "schemas/no_body.avsc"},
            {4, NE_SOURCE_DIR "/tests/fixtures/codec/article_int_id.avsc"},
            {5, CORPUS "schemas/not_record.avsc"},
        };
        struct ne_schema_table *tbl = NULL;
        cr_assert_eq(ne_schema_table_new(&tbl), 0);
        for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
                struct ne_diag d;
                ne_diag_clear(&d);
                cr_assert_eq(ne_schema_table_add_file(tbl, schemas[i].id, schemas[i].path, &d), 0,
                             "%s: %s", schemas[i].path, d.msg);
        }
        return tbl;
}

Test(malformed_corpus, every_file_gets_its_reason_and_detail)
{
        struct ne_schema_table *tbl = corpus_table();
        struct ne_decoder *dec = NULL;
        struct ne_decoder_opts opts = {.max_bytes = 65536, .max_depth = 0};
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);

        FILE *m = fopen(CORPUS "MANIFEST.tsv", "r");
        cr_assert_not_null(m, "no MANIFEST.tsv");
        char line[2048];
        int n = 0, bad = 0;
        cr_assert_not_null(fgets(line, sizeof(line), m)); /* header */
        while (fgets(line, sizeof(line), m)) {
                line[strcspn(line, "\n")] = '\0';
                char *save = NULL;
                char *file = strtok_r(line, "\t", &save);
                char *reason = strtok_r(NULL, "\t", &save);
                char *detail = strtok_r(NULL, "\t", &save);
                cr_assert(file && reason && detail, "short manifest line %d", n + 2);

                char path[512];
                snprintf(path, sizeof(path), CORPUS "%s", file);
                struct ne_buf buf = {0};
                read_file(path, &buf);
                struct ne_article *art = NULL;
                enum ne_dlq_reason why = NE_DLQ_NONE;
                struct ne_diag d;
                int r = ne_decode_article(dec, buf.data ? buf.data : "", buf.len, &art, &why, &d);
                const char *code = ne_dlq_reason_code(why);
                if (r != -EBADMSG || strcmp(code, reason) != 0 || !strstr(d.msg, detail)) {
                        fprintf(stderr,
                                "MISMATCH %s: r=%d got %s \"%s\" (offset %ld), want %s \"%s\"\n",
                                file, r, code, d.msg, d.offset, reason, detail);
                        bad++;
                }
                ne_article_free(art);
                ne_buf_release(&buf);
                n++;
        }
        fclose(m);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
        cr_expect_geq(n, 40, "only %d corpus files", n);
        cr_expect_eq(bad, 0, "%d of %d corpus files decoded other than the manifest says", bad, n);
}
