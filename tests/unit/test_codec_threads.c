/* The thread model: one schema table shared read-only, a decoder and an encoder per thread.
 * Several threads decode the Avro fixtures and re-encode the fixed event at once; every
 * result must equal the single-threaded one (run under ASan in CI). */
#include <pthread.h>

#include "codec_testlib.h"

#define THREADS 4
#define ROUNDS 300

struct worker {
        const struct ne_schema_table *tbl;
        const struct ne_buf *inputs; /* 3 framed articles */
        const struct ne_buf *golden; /* the encoded fixed event */
        int failures;
};

static void *work(void *arg)
{
        struct worker *w = arg;
        struct ne_decoder_opts opts = {.max_bytes = 1 << 20, .max_depth = 32};
        struct ne_decoder *dec = NULL;
        struct ne_encoder *enc = NULL;
        struct ne_article *fixed = fixed_article();
        struct ne_enrichment *enr = fixed_enrichment();
        struct ne_lineage lin = {.topic = "articles", .partition = 3, .offset = 12345};
        struct ne_buf out = {0};
        if (ne_decoder_new(w->tbl, &opts, &dec) < 0 ||
            ne_encoder_new(w->tbl, ID_ENRICHED, NE_FORMAT_AVRO, &enc, NULL) < 0) {
                w->failures++;
                goto out;
        }
        for (int i = 0; i < ROUNDS; i++) {
                const struct ne_buf *in = &w->inputs[i % 3];
                struct ne_article *art = NULL;
                enum ne_dlq_reason why;
                if (ne_decode_article(dec, in->data, in->len, &art, &why, NULL) < 0 ||
                    strcmp(art->body, FX_BODY) != 0)
                        w->failures++;
                ne_article_free(art);
                ne_buf_reset(&out);
                if (ne_encode_enriched(enc, fixed, enr, &lin, FX_PROCESSED_AT, &out, NULL) < 0 ||
                    out.len != w->golden->len || memcmp(out.data, w->golden->data, out.len) != 0)
                        w->failures++;
        }
out:
        ne_buf_release(&out);
        ne_article_free(fixed);
        ne_enrichment_free(enr);
        ne_encoder_free(enc);
        ne_decoder_free(dec);
        return NULL;
}

Test(codec_threads, shared_table_per_thread_codecs)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_buf inputs[3] = {{0}}, golden = {0};
        read_file(FIXTURE("article_v1.avro"), &inputs[0]);
        read_file(FIXTURE("article_v2.avro"), &inputs[1]);
        read_file(FIXTURE("article_no_url.avro"), &inputs[2]);
        read_file(FIXTURE("enriched_golden.avro"), &golden);
        pthread_t tid[THREADS];
        struct worker w[THREADS];
        for (int i = 0; i < THREADS; i++) {
                w[i] = (struct worker){.tbl = tbl, .inputs = inputs, .golden = &golden};
                cr_assert_eq(pthread_create(&tid[i], NULL, work, &w[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) {
                pthread_join(tid[i], NULL);
                cr_assert_eq(w[i].failures, 0, "thread %d: %d failures", i, w[i].failures);
        }
        for (int i = 0; i < 3; i++)
                ne_buf_release(&inputs[i]);
        ne_buf_release(&golden);
        ne_schema_table_free(tbl);
}
