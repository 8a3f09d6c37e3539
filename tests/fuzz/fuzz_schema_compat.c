/* libFuzzer harness for the Avro schema compatibility checker (daemon/codec/schema_compat*.c):
 * any bytes are either refused by ne_schema_compat_parse with -EINVAL (or -ELOOP / -EFBIG /
 * -ENOMEM), leaving the out-pointer alone, or give a schema that the checker can compare in every
 * direction with itself and with the project's input schema without crashing. A schema must
 * be able to read its own data, so comparing it with itself must say "compatible" unless it
 * nests too deep to check. */
#include <errno.h>

#include "harness.h"
#include "ne/schema_compat.h"

static struct ne_compat_schema *published;

static void fini(void)
{
        ne_schema_compat_free(published);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        if (ne_schema_compat_load(NE_SOURCE_DIR "/schemas/article_published.avsc", &published,
                                  NULL) < 0)
                abort();
        atexit(fini);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ne_compat_schema *s = NULL;
        struct ne_diag diag;
        int r = ne_schema_compat_parse((const char *)data, size, &s, &diag);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ELOOP || r == -EFBIG || r == -ENOMEM);
                FUZZ_CHECK(s == NULL);
                return 0;
        }
        FUZZ_CHECK(s != NULL);

        r = ne_schema_compat_can_read(s, s, &diag);
        FUZZ_CHECK(r == 1 || r == -ELOOP || r == -ENOMEM);
        for (int dir = NE_COMPAT_BACKWARD; dir <= NE_COMPAT_FULL; dir++) {
                r = ne_schema_compat_check(published, s, dir, &diag);
                FUZZ_CHECK(r == 0 || r == 1 || r == -ELOOP || r == -ENOMEM);
                r = ne_schema_compat_check(s, published, dir, &diag);
                FUZZ_CHECK(r == 0 || r == 1 || r == -ELOOP || r == -ENOMEM);
        }
        ne_schema_compat_free(s);
        return 0;
}
