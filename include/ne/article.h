/* The "article published" event as the rest of the program sees it, whatever wire format it
 * came in (schemas/article_published.avsc is the contract). Plain owned C strings. */
#ifndef NE_ARTICLE_H
#define NE_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

struct ne_kv {
        char *key;
        char *value;
};

struct ne_article {
        char *id;              /* required, non-empty */
        char *url;             /* "" when absent */
        char *source;          /* "" when absent */
        char *title;           /* "" when absent */
        char *body;            /* required; valid UTF-8, NUL-free */
        size_t body_len;       /* bytes, without the terminating NUL */
        char **authors;        /* n_authors strings */
        size_t n_authors;
        char *language;        /* NULL when absent */
        int64_t published_at;  /* milliseconds since the epoch (timestamp-millis) */
        struct ne_kv *extra;   /* optional extra string fields, passed through */
        size_t n_extra;
};

/* Returns a new zeroed article, or NULL on allocation failure. */
struct ne_article *ne_article_new(void);

/* Frees the article and everything it owns; accepts NULL and half-filled articles. */
void ne_article_free(struct ne_article *art);

#endif
