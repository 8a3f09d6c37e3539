/* A growable byte buffer for encoders and readers. Owns its memory; reuse one per thread with
 * ne_buf_reset() so the hot path does not allocate once it has grown. */
#ifndef NE_BUF_H
#define NE_BUF_H

#include <stddef.h>

struct ne_buf {
        char *data; /* owned; NUL-terminated after every append when len < cap */
        size_t len;
        size_t cap;
};

/* Empties the buffer, keeping its memory. */
void ne_buf_reset(struct ne_buf *buf);

/* Makes room for `extra` more bytes. Returns 0 or -ENOMEM (buffer unchanged). */
int ne_buf_reserve(struct ne_buf *buf, size_t extra);

/* Appends bytes / a C string / printf output. Return 0 or -ENOMEM (buffer unchanged). */
int ne_buf_append(struct ne_buf *buf, const void *data, size_t len);
int ne_buf_append_str(struct ne_buf *buf, const char *s);
int ne_buf_appendf(struct ne_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Releases the memory; the struct may be reused after. Accepts NULL. */
void ne_buf_release(struct ne_buf *buf);

#endif
