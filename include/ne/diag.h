/* Human-readable detail for a failure, filled by library-like modules that must not log (codec,
 * enrich, config parsing) and read by the caller that decides and logs. Every field is optional
 * to fill; pass NULL where the caller does not care. */
#ifndef NE_DIAG_H
#define NE_DIAG_H

#include <stddef.h>

struct ne_diag {
        char msg[512];  /* what went wrong, one line, no trailing newline */
        char key[128];  /* config key or field name involved, "" if none */
        int line;       /* 1-based line in a config or data file, 0 if none */
        long offset;    /* byte offset in an input, -1 if none */
};

/* Clears *diag (NULL is fine). */
void ne_diag_clear(struct ne_diag *diag);

/* printf-style into diag->msg; NULL diag is a no-op. Always returns `err` so a caller can write
 * `return ne_diag_set(diag, -EINVAL, "...")`. */
int ne_diag_set(struct ne_diag *diag, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
