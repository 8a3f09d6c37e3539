/* libFuzzer harness for the topic classifier (daemon/enrich/topic_*.c) with the shipped model:
 * any bytes are article text (ill-formed UTF-8 acts as separators); prediction must return a
 * count within bounds, scores in [0, 1] at or above the threshold, best first, and label
 * indexes the model knows. The first input byte picks the threshold, so that both the "few
 * labels" and "every label" paths run.
 *
 * The model is loaded once, in LLVMFuzzerInitialize, from $NE_TOPIC_MODEL or else
 * NE_SOURCE_DIR/models/topics.model (research-only licensed training data, see
 * models/TOPICS.md). */
#include <errno.h>

#include "harness.h"
#include "ne/topic.h"

#define MAX_RESULTS 64

static struct ne_topic_model *model;
static struct ne_topic_scratch *scratch;

static void fini(void)
{
        ne_topic_scratch_free(scratch);
        ne_topic_model_free(model);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        const char *path = getenv("NE_TOPIC_MODEL");
        struct ne_diag diag;
        if (!path || !*path)
                path = NE_SOURCE_DIR "/models/topics.model";
        if (ne_topic_model_load(path, &model, &diag) < 0) {
                fprintf(stderr, "fuzz_topic: %s: %s\n", path, diag.msg);
                abort();
        }
        if (ne_topic_scratch_new(model, &scratch) < 0)
                abort();
        atexit(fini);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        float threshold = (float)data[0] / 255.0f;
        size_t len = size - 1;
        /* An exactly sized heap copy, so that AddressSanitizer sees any read past the end. */
        char *text = malloc(len ? len : 1);
        FUZZ_CHECK(text != NULL);
        memcpy(text, data + 1, len);

        struct ne_topic_score res[MAX_RESULTS];
        size_t max = (size_t)(data[0] % MAX_RESULTS) + 1;
        int n = ne_topic_predict(model, scratch, text, len, threshold, res, max);
        FUZZ_CHECK(n >= 0 && (size_t)n <= max);
        size_t n_labels = ne_topic_model_n_labels(model);
        for (int i = 0; i < n; i++) {
                FUZZ_CHECK(res[i].label < n_labels);
                FUZZ_CHECK(res[i].score >= threshold && res[i].score <= 1.0f);
                if (i > 0)
                        FUZZ_CHECK(res[i - 1].score >= res[i].score);
        }
        free(text);
        return 0;
}
