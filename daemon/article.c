/* Lifetime of struct ne_article. */
#include <stdlib.h>

#include "ne/article.h"

struct ne_article *ne_article_new(void)
{
        return calloc(1, sizeof(struct ne_article));
}

void ne_article_free(struct ne_article *art)
{
        if (!art)
                return;
        free(art->id);
        free(art->url);
        free(art->source);
        free(art->title);
        free(art->body);
        for (size_t i = 0; i < art->n_authors; i++)
                free(art->authors[i]);
        free(art->authors);
        free(art->language);
        for (size_t i = 0; i < art->n_extra; i++) {
                free(art->extra[i].key);
                free(art->extra[i].value);
        }
        free(art->extra);
        free(art);
}
