/* Reporting for the schema compatibility checker: the field path of the walk ("Article.authors
 * []") and the "<path>: <reason>" text of an incompatibility, written to struct ne_diag. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "schema_compat_internal.h"

/* Appends prefix + seg to the path; returns the length to restore with ne_sc_path_pop(). */
size_t ne_sc_path_push(struct ne_sc_ctx *c, const char *prefix, const char *seg)
{
        size_t old = c->path_len;
        if (c->path_len < sizeof(c->path)) {
                int n = snprintf(c->path + c->path_len, sizeof(c->path) - c->path_len, "%s%s",
                                 prefix, seg);
                if (n > 0)
                        c->path_len += (size_t)n;
                if (c->path_len >= sizeof(c->path))
                        c->path_len = sizeof(c->path) - 1;
        }
        return old;
}

void ne_sc_path_pop(struct ne_sc_ctx *c, size_t old)
{
        c->path_len = old;
        c->path[old] = '\0';
}

int ne_sc_incompatible(struct ne_sc_ctx *c, const char *fmt, ...)
{
        if (!c->why)
                return 0;
        char reason[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        ne_diag_set(c->why, 0, "%s: %s", c->path_len ? c->path : "<root>", reason);
        size_t n = c->path_len < sizeof(c->why->key) - 1 ? c->path_len : sizeof(c->why->key) - 1;
        memcpy(c->why->key, c->path, n);
        c->why->key[n] = '\0';
        return 0;
}

const char *ne_sc_describe(const struct ne_sc_type *t, char *buf, size_t size)
{
        if (t->named)
                snprintf(buf, size, "%s %s", ne_sc_kind_names[t->kind],
                         ne_sc_unqualified(t->named->fullname));
        else
                snprintf(buf, size, "%s", ne_sc_kind_names[t->kind]);
        return buf;
}
