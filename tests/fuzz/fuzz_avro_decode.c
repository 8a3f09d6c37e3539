/* libFuzzer harness for the Avro article decoder (daemon/codec/avro_decode.c, framing.c) with
 * one writer schema, schemas/article_published.avsc under id 1. The first input byte picks
 * the frame: even, the rest of the input is the Avro payload behind a valid Confluent header
 * (00, id 1), so mutations go to the binary record; odd, the rest is the whole message and the
 * fuzzer chooses the header bytes too (magic, schema id, or no frame at all). Any message is
 * refused with a reason or decodes to an article that keeps the codec's promises. */
#include <errno.h>

#include "harness.h"
#include "ne/codec.h"

#define SCHEMA_ID 1
#define MAX_INPUT (1 << 16)

static struct ne_schema_table *tbl;
static struct ne_decoder *dec;

static void fini(void)
{
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        struct ne_decoder_opts opts = {.max_bytes = MAX_INPUT, .max_depth = 16};
        if (ne_schema_table_new(&tbl) < 0 ||
            ne_schema_table_add_file(tbl, SCHEMA_ID,
                                     NE_SOURCE_DIR "/schemas/article_published.avsc", NULL) < 0 ||
            ne_decoder_new(tbl, &opts, &dec) < 0)
                abort();
        atexit(fini);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1 || size - 1 > MAX_INPUT)
                return 0;
        /* An exactly sized heap copy, so that AddressSanitizer sees any read past the end. */
        uint8_t *frame = malloc(size - 1 + 5);
        size_t len;
        FUZZ_CHECK(frame != NULL);
        if ((data[0] & 1) == 0) {
                static const uint8_t header[5] = {0, 0, 0, 0, SCHEMA_ID};
                memcpy(frame, header, sizeof(header));
                memcpy(frame + 5, data + 1, size - 1);
                len = size - 1 + 5;
        } else {
                memcpy(frame, data + 1, size - 1);
                len = size - 1;
        }

        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag diag;
        int r = ne_decode_article(dec, frame, len, &art, &why, &diag);
        if (r < 0) {
                FUZZ_CHECK(r == -EBADMSG || r == -ENOMEM);
                FUZZ_CHECK(art == NULL);
                if (r == -EBADMSG)
                        FUZZ_CHECK(why > NE_DLQ_NONE && why < NE_DLQ__COUNT);
                goto out;
        }
        fuzz_check_article(art);
        ne_article_free(art);
out:
        free(frame);
        return 0;
}
