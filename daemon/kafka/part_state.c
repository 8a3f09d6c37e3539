/* The consumer's per-partition flags (see part_state.h for why they exist): one flag byte per
 * partition number, in one array per topic. Input topics are few, so a topic is found by a
 * linear scan that first tries the topic of the previous call - the common case on the hot
 * path, one lookup per consumed message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/array.h"
#include "part_state.h"

#define MAX_PARTITION 1000000

struct topic_parts {
        char *name;
        uint8_t *flags;
        size_t cap; /* partitions 0..cap-1 have a flag byte */
};

struct ne_part_state {
        struct topic_parts *topics;
        size_t n_topics, cap_topics;
        size_t last; /* index of the topic found last */
};

int ne_part_state_new(struct ne_part_state **ret)
{
        struct ne_part_state *ps = calloc(1, sizeof(*ps));
        if (!ps)
                return -ENOMEM;
        *ret = ps;
        return 0;
}

static struct topic_parts *find_topic(struct ne_part_state *ps, const char *topic)
{
        if (ps->last < ps->n_topics && strcmp(ps->topics[ps->last].name, topic) == 0)
                return &ps->topics[ps->last];
        for (size_t i = 0; i < ps->n_topics; i++) {
                if (strcmp(ps->topics[i].name, topic) == 0) {
                        ps->last = i;
                        return &ps->topics[i];
                }
        }
        return NULL;
}

uint8_t *ne_part_state_get(struct ne_part_state *ps, const char *topic, int32_t partition)
{
        struct topic_parts *t = find_topic(ps, topic);
        if (!t || partition < 0 || (size_t)partition >= t->cap)
                return NULL;
        return t->flags[partition] ? &t->flags[partition] : NULL;
}

static struct topic_parts *add_topic(struct ne_part_state *ps, const char *topic)
{
        void *arr = ps->topics;
        if (ne_array_grow(&arr, &ps->cap_topics, ps->n_topics + 1, sizeof(*ps->topics)) < 0)
                return NULL;
        ps->topics = arr;
        char *name = strdup(topic);
        if (!name)
                return NULL;
        ps->topics[ps->n_topics] = (struct topic_parts){.name = name};
        return &ps->topics[ps->n_topics++];
}

int ne_part_state_assign(struct ne_part_state *ps, const char *topic, int32_t partition)
{
        if (partition < 0 || partition > MAX_PARTITION)
                return -EINVAL;
        struct topic_parts *t = find_topic(ps, topic);
        if (!t && !(t = add_topic(ps, topic)))
                return -ENOMEM;
        if ((size_t)partition >= t->cap) {
                void *arr = t->flags;
                size_t old = t->cap;
                if (ne_array_grow(&arr, &t->cap, (size_t)partition + 1, 1) < 0)
                        return -ENOMEM;
                t->flags = arr;
                memset(t->flags + old, 0, t->cap - old);
        }
        t->flags[partition] = NE_PART_ASSIGNED;
        return 0;
}

void ne_part_state_each(struct ne_part_state *ps, uint8_t mask,
                        void (*cb)(void *opaque, const char *topic, int32_t partition,
                                   uint8_t *flags),
                        void *opaque)
{
        for (size_t i = 0; i < ps->n_topics; i++) {
                struct topic_parts *t = &ps->topics[i];
                for (size_t p = 0; p < t->cap; p++)
                        if (t->flags[p] && (t->flags[p] & mask) == mask)
                                cb(opaque, t->name, (int32_t)p, &t->flags[p]);
        }
}

void ne_part_state_free(struct ne_part_state *ps)
{
        if (!ps)
                return;
        for (size_t i = 0; i < ps->n_topics; i++) {
                free(ps->topics[i].name);
                free(ps->topics[i].flags);
        }
        free(ps->topics);
        free(ps);
}
