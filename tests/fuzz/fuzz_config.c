/* libFuzzer harness for the config parser: any bytes in, a config or a diag out, no crash, no
 * leak, no undefined behaviour; a parsed config must also dump. Built when NE_FUZZ is on (the
 * CMake wiring is the integrator's); by hand:
 *   clang -std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude -fsanitize=fuzzer,address,undefined \
 *         tests/fuzz/fuzz_config.c daemon/config.c daemon/config_map.c daemon/config_print.c \
 *         daemon/diag.c -o fuzz_config && ./fuzz_config -max_total_time=60 tests/fixtures/config */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ne/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static FILE *sink;
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        if (!sink)
                sink = fopen("/dev/null", "w");
        if (ne_config_parse((const char *)data, size, "/etc/fuzz/f.conf", &cfg, &diag) == 0) {
                if (sink)
                        ne_config_dump(cfg, sink);
                ne_config_free(cfg);
        }
        return 0;
}
