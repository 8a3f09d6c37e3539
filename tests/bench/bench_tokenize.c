/* Throughput benchmark for ne_tokenize (not built by CMake; the command is below). Reads a text
 * file (default: a built-in news paragraph repeated to 8 MiB), tokenizes it repeatedly and prints
 * tokens and megabytes per second of CPU time on one core.
 *
 *   cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude tests/bench/bench_tokenize.c \
 *      build/dev/libnewsenrich.a -o /tmp/bench_tokenize && /tmp/bench_tokenize [file] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/tokenize.h"

static const char sample[] =
    "BRUSSELS, Aug 22 (Reuters) - The European Commission said on Thursday it disagreed "
    "with Germany's advice to consumers to shun British lamb until scientists determine "
    "whether mad cow disease can be transmitted to sheep. “We don’t support it,” said "
    "Mr. Fischler, adding that the U.S. Food and Drug Administration's 1,000-page report "
    "cost $3.5 billion, or 12% more than in 1995-96. Shares in Microsoft Corp. rose 3.2 "
    "percent to $58.25 at 10:30 a.m. in New York... Visit https://www.example.com/news.\n\n";

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        size_t len = 0, cap = 8u << 20;
        char *text = malloc(cap);
        if (!text)
                return 1;
        if (argc > 1) {
                FILE *f = fopen(argv[1], "rb");
                if (!f) {
                        perror(argv[1]);
                        return 1;
                }
                len = fread(text, 1, cap, f);
                fclose(f);
        } else {
                while (len + sizeof(sample) - 1 <= cap) {
                        memcpy(text + len, sample, sizeof(sample) - 1);
                        len += sizeof(sample) - 1;
                }
        }
        size_t max = ne_tokenize_bound(len);
        struct ne_token *toks = malloc(max * sizeof(*toks));
        if (!toks)
                return 1;
        int n = 0, rounds = 0;
        double t0 = now(), t;
        do {
                n = ne_tokenize(text, len, toks, max);
                if (n < 0) {
                        fprintf(stderr, "ne_tokenize: %d\n", n);
                        return 1;
                }
                rounds++;
                t = now() - t0;
        } while (t < 2.0);
        printf("%zu bytes, %d tokens, %d rounds in %.2f s: %.1f M tokens/s, %.1f MB/s\n", len, n,
               rounds, t, (double)n * rounds / t / 1e6, (double)len * rounds / t / 1e6);
        free(toks);
        free(text);
        return 0;
}
