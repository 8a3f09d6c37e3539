/* libFuzzer harness for the config parser: any bytes in, a config or a diag out, no crash, no
 * leak, no undefined behaviour; a parsed config must also dump. Built by the fuzz preset
 * (tests/fuzz/README.md): cmake --preset fuzz && cmake --build --preset fuzz. */
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
