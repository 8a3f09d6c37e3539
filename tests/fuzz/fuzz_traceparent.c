/* libFuzzer harness for traceparent parsing (daemon/traceparent.c): any bytes are either
 * refused with -EINVAL, leaving *ret untouched, or parse to a value with non-zero ids whose
 * formatted form parses back to the same ids and sampled flag; a version-00 value must
 * format to exactly the input. Only the deterministic functions are fuzzed (new and child
 * draw random ids). */
#include <errno.h>

#include "harness.h"
#include "ne/traceparent.h"

static bool all_zero(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* An exactly sized heap copy, so that AddressSanitizer sees any read past the end. */
        char *s = malloc(size ? size : 1);
        FUZZ_CHECK(s != NULL);
        memcpy(s, data, size);

        struct ne_traceparent tp, sentinel;
        memset(&tp, 0xa5, sizeof(tp));
        sentinel = tp;
        int r = ne_traceparent_parse(s, size, &tp);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(memcmp(&tp, &sentinel, sizeof(tp)) == 0);
                goto out;
        }
        FUZZ_CHECK(r == 0 && size >= NE_TRACEPARENT_LEN);
        FUZZ_CHECK(tp.version != 0xff);
        FUZZ_CHECK(!all_zero(tp.trace_id, sizeof(tp.trace_id)));
        FUZZ_CHECK(!all_zero(tp.parent_id, sizeof(tp.parent_id)));

        char out[NE_TRACEPARENT_LEN + 1];
        ne_traceparent_format(&tp, out);
        FUZZ_CHECK(strlen(out) == NE_TRACEPARENT_LEN);
        if (tp.version == 0)
                FUZZ_CHECK(size == NE_TRACEPARENT_LEN && memcmp(out, s, size) == 0);

        struct ne_traceparent back;
        FUZZ_CHECK(ne_traceparent_parse(out, NE_TRACEPARENT_LEN, &back) == 0);
        FUZZ_CHECK(back.version == 0);
        FUZZ_CHECK(memcmp(back.trace_id, tp.trace_id, sizeof(tp.trace_id)) == 0);
        FUZZ_CHECK(memcmp(back.parent_id, tp.parent_id, sizeof(tp.parent_id)) == 0);
        FUZZ_CHECK(ne_traceparent_is_sampled(&back) == ne_traceparent_is_sampled(&tp));
out:
        free(s);
        return 0;
}
