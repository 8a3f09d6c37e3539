/* Helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): an invariant check that
 * aborts with its location, so libFuzzer records the input as a crash, and the checks every
 * decoded article must pass. Harnesses print nothing unless an invariant fails. */
#ifndef NE_FUZZ_HARNESS_H
#define NE_FUZZ_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/article.h"
#include "ne/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* A string field of a decoded article: present, valid UTF-8, NUL-free by construction. */
static inline void fuzz_check_str(const char *s)
{
        FUZZ_CHECK(s != NULL);
        FUZZ_CHECK(ne_utf8_is_valid(s, strlen(s), NULL));
}

/* What the codec promises of every article it returns (include/ne/article.h, codec.h). */
static inline void fuzz_check_article(const struct ne_article *art)
{
        FUZZ_CHECK(art != NULL);
        fuzz_check_str(art->id);
        FUZZ_CHECK(art->id[0] != '\0');
        fuzz_check_str(art->url);
        fuzz_check_str(art->source);
        fuzz_check_str(art->title);
        fuzz_check_str(art->body);
        FUZZ_CHECK(art->body_len == strlen(art->body));
        FUZZ_CHECK(art->body_len > 0);
        FUZZ_CHECK(art->n_authors == 0 || art->authors != NULL);
        for (size_t i = 0; i < art->n_authors; i++)
                fuzz_check_str(art->authors[i]);
        if (art->language)
                fuzz_check_str(art->language);
        FUZZ_CHECK(art->n_extra == 0 || art->extra != NULL);
        for (size_t i = 0; i < art->n_extra; i++) {
                fuzz_check_str(art->extra[i].key);
                fuzz_check_str(art->extra[i].value);
        }
}

#endif
