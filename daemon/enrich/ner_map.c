/* The small hash containers the tagger uses: word hashing, a u32 -> u32 open-addressing map
 * (features, clusters, gazetteers) and the per-document map of casing and prediction history.
 * Allocation happens only when a container must grow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ner_impl.h"

void ner_hash_word(const char *s, size_t len, struct ner_word_hashes *ret)
{
        uint32_t he = 2166136261u, hl = 2166136261u, ht = 2166136261u;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                unsigned char lc = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
                he = (he ^ c) * 16777619u;
                hl = (hl ^ lc) * 16777619u;
                ht = (ht ^ (i == 0 ? c : lc)) * 16777619u;
        }
        ret->exact = ner_fmix(he);
        ret->lower = ner_fmix(hl);
        ret->title = ner_fmix(ht);
}

static size_t pow2_at_least(size_t n)
{
        size_t c = 16;
        while (c < n)
                c *= 2;
        return c;
}

int ner_map_init(struct ner_map *map, size_t expected)
{
        size_t cap = pow2_at_least(expected + expected / 2 + 1);
        memset(map, 0, sizeof(*map));
        map->slots = calloc(cap, sizeof(*map->slots));
        if (!map->slots)
                return -ENOMEM;
        map->mask = cap - 1;
        return 0;
}

void ner_map_fini(struct ner_map *map)
{
        free(map->slots);
        memset(map, 0, sizeof(*map));
}

static int map_grow(struct ner_map *map)
{
        struct ner_map bigger;
        if (ner_map_init(&bigger, (map->mask + 1) * 2) < 0)
                return -ENOMEM;
        for (size_t i = 0; i <= map->mask; i++) {
                uint32_t k = map->slots[i].key;
                if (!k)
                        continue;
                size_t j = k & bigger.mask;
                while (bigger.slots[j].key)
                        j = (j + 1) & bigger.mask;
                bigger.slots[j] = map->slots[i];
        }
        bigger.n = map->n;
        ner_map_fini(map);
        *map = bigger;
        return 0;
}

uint32_t *ner_map_slot(struct ner_map *map, uint32_t key, bool *ret_found)
{
        if (!map->slots && ner_map_init(map, 16) < 0)
                return NULL;
        if ((map->n + 1) * 3 > (map->mask + 1) * 2 && map_grow(map) < 0)
                return NULL;
        size_t i = key & map->mask;
        while (map->slots[i].key && map->slots[i].key != key)
                i = (i + 1) & map->mask;
        *ret_found = map->slots[i].key == key;
        if (!*ret_found) {
                map->slots[i].key = key;
                map->slots[i].val = 0;
                map->n++;
        }
        return &map->slots[i].val;
}

int ner_map_put(struct ner_map *map, uint32_t key, uint32_t val)
{
        bool found;
        uint32_t *v = ner_map_slot(map, key, &found);
        if (!v)
                return -ENOMEM;
        *v = val;
        return 0;
}

int ner_docmap_reset(struct ner_docmap *dm, size_t n_toks)
{
        size_t cap = pow2_at_least(2 * n_toks + 2);
        if (cap > dm->cap) {
                uint32_t *keys = malloc(cap * sizeof(*keys));
                struct ner_docent *ents = malloc(cap * sizeof(*ents));
                if (!keys || !ents) {
                        free(keys);
                        free(ents);
                        return -ENOMEM;
                }
                free(dm->keys);
                free(dm->ents);
                dm->keys = keys;
                dm->ents = ents;
                dm->cap = cap;
        }
        dm->mask = cap - 1;
        memset(dm->keys, 0, cap * sizeof(*dm->keys));
        return 0;
}

void ner_docmap_fini(struct ner_docmap *dm)
{
        free(dm->keys);
        free(dm->ents);
        memset(dm, 0, sizeof(*dm));
}
