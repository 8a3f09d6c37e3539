/* Growable byte buffer; grows geometrically so a reused buffer stops allocating. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/buf.h"

void ne_buf_reset(struct ne_buf *buf)
{
        buf->len = 0;
        if (buf->data)
                buf->data[0] = '\0';
}

int ne_buf_reserve(struct ne_buf *buf, size_t extra)
{
        if (extra > SIZE_MAX - buf->len - 1)
                return -ENOMEM;
        size_t need = buf->len + extra + 1; /* +1 keeps room for a terminating NUL */
        if (need <= buf->cap)
                return 0;
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *data = realloc(buf->data, cap);
        if (!data)
                return -ENOMEM;
        buf->data = data;
        buf->cap = cap;
        return 0;
}

int ne_buf_append(struct ne_buf *buf, const void *data, size_t len)
{
        int r = ne_buf_reserve(buf, len);
        if (r < 0)
                return r;
        if (len)
                memcpy(buf->data + buf->len, data, len);
        buf->len += len;
        buf->data[buf->len] = '\0';
        return 0;
}

int ne_buf_append_str(struct ne_buf *buf, const char *s)
{
        return ne_buf_append(buf, s, strlen(s));
}

int ne_buf_appendf(struct ne_buf *buf, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        int r = ne_buf_reserve(buf, (size_t)n);
        if (r < 0)
                return r;
        va_start(ap, fmt);
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        buf->len += (size_t)n;
        return 0;
}

void ne_buf_release(struct ne_buf *buf)
{
        if (!buf)
                return;
        free(buf->data);
        buf->data = NULL;
        buf->len = buf->cap = 0;
}
