/* Per-partition offset bookkeeping: which consumed offsets still wait for their delivery report,
 * and how far each partition may be committed without skipping an unacknowledged input. Each
 * partition keeps its in-flight offsets in consumption order (a sorted array with a moving
 * start), so an ack is a binary search and advancing the committable position pops acked
 * entries off the front. Pure bookkeeping: no Kafka calls, no logging, no locking (one owner). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/offsets.h"

struct entry {
        int64_t offset;
        bool acked;
};

struct part {
        char *topic;
        int32_t partition;
        uint64_t epoch;
        struct entry *e; /* in-flight offsets, ascending, live in [start, end) */
        size_t start;
        size_t end;
        size_t cap;
        int64_t last_tracked; /* -1 before the first track */
        int64_t done;         /* one past the last offset popped in order; valid if has_done */
        bool has_done;
        bool dirty; /* committable position moved since ne_offsets_take_dirty */
};

struct ne_offsets {
        struct part **parts;
        size_t n_parts;
        size_t cap_parts;
        uint64_t next_epoch;
        size_t dirty_cursor; /* where take_dirty resumes, so repeated calls make progress */
};

int ne_offsets_new(struct ne_offsets **ret)
{
        struct ne_offsets *offs = calloc(1, sizeof(*offs));
        if (!offs)
                return -ENOMEM;
        offs->next_epoch = 1;
        *ret = offs;
        return 0;
}

static void part_free(struct part *p)
{
        if (!p)
                return;
        free(p->topic);
        free(p->e);
        free(p);
}

void ne_offsets_free(struct ne_offsets *offs)
{
        if (!offs)
                return;
        for (size_t i = 0; i < offs->n_parts; i++)
                part_free(offs->parts[i]);
        free(offs->parts);
        free(offs);
}

static struct part *find(const struct ne_offsets *offs, const char *topic, int32_t partition,
                         size_t *ret_idx)
{
        for (size_t i = 0; i < offs->n_parts; i++) {
                struct part *p = offs->parts[i];
                if (p->partition == partition && strcmp(p->topic, topic) == 0) {
                        if (ret_idx)
                                *ret_idx = i;
                        return p;
                }
        }
        return NULL;
}

static void part_reset(struct part *p, uint64_t epoch)
{
        p->epoch = epoch;
        p->start = p->end = 0;
        p->last_tracked = -1;
        p->done = -1;
        p->has_done = false;
        p->dirty = false;
}

static int get_or_add(struct ne_offsets *offs, const char *topic, int32_t partition,
                      struct part **ret)
{
        struct part *p = find(offs, topic, partition, NULL);
        if (p) {
                *ret = p;
                return 0;
        }
        if (offs->n_parts == offs->cap_parts) {
                size_t cap = offs->cap_parts ? offs->cap_parts * 2 : 8;
                struct part **parts = realloc(offs->parts, cap * sizeof(*parts));
                if (!parts)
                        return -ENOMEM;
                offs->parts = parts;
                offs->cap_parts = cap;
        }
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->topic = strdup(topic);
        if (!p->topic) {
                free(p);
                return -ENOMEM;
        }
        p->partition = partition;
        part_reset(p, offs->next_epoch++);
        offs->parts[offs->n_parts++] = p;
        *ret = p;
        return 0;
}

int ne_offsets_assign(struct ne_offsets *offs, const char *topic, int32_t partition)
{
        struct part *p = find(offs, topic, partition, NULL);
        if (p) {
                part_reset(p, offs->next_epoch++);
                return 0;
        }
        return get_or_add(offs, topic, partition, &p);
}

void ne_offsets_remove(struct ne_offsets *offs, const char *topic, int32_t partition)
{
        size_t i;
        struct part *p = find(offs, topic, partition, &i);
        if (!p)
                return;
        part_free(p);
        offs->parts[i] = offs->parts[--offs->n_parts];
        if (offs->dirty_cursor > offs->n_parts)
                offs->dirty_cursor = 0;
}

/* Makes room for one more entry at the end: slide the live window down, or grow. */
static int make_room(struct part *p)
{
        if (p->end < p->cap)
                return 0;
        if (p->start > 0) {
                size_t n = p->end - p->start;
                memmove(p->e, p->e + p->start, n * sizeof(*p->e));
                p->start = 0;
                p->end = n;
                if (p->end < p->cap)
                        return 0;
        }
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct entry *e = realloc(p->e, cap * sizeof(*e));
        if (!e)
                return -ENOMEM;
        p->e = e;
        p->cap = cap;
        return 0;
}

int ne_offsets_track(struct ne_offsets *offs, const char *topic, int32_t partition, int64_t offset,
                     uint64_t *ret_epoch)
{
        struct part *p;
        int r = get_or_add(offs, topic, partition, &p);
        if (r < 0)
                return r;
        if (offset < 0 || offset <= p->last_tracked)
                return -EINVAL;
        r = make_room(p);
        if (r < 0)
                return r;
        p->e[p->end++] = (struct entry){.offset = offset, .acked = false};
        p->last_tracked = offset;
        if (ret_epoch)
                *ret_epoch = p->epoch;
        return 0;
}

static struct entry *lookup(struct part *p, int64_t offset)
{
        size_t lo = p->start, hi = p->end;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (p->e[mid].offset < offset)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < p->end && p->e[lo].offset == offset)
                return &p->e[lo];
        return NULL;
}

int ne_offsets_ack(struct ne_offsets *offs, const char *topic, int32_t partition, uint64_t epoch,
                   int64_t offset)
{
        struct part *p = find(offs, topic, partition, NULL);
        if (!p || p->epoch != epoch)
                return -ESTALE;
        struct entry *e = lookup(p, offset);
        if (!e || e->acked)
                return -ENOENT;
        e->acked = true;
        /* Only a contiguous acked prefix may be committed: pop it. */
        while (p->start < p->end && p->e[p->start].acked) {
                p->done = p->e[p->start].offset + 1;
                p->has_done = true;
                p->dirty = true;
                p->start++;
        }
        if (p->start == p->end)
                p->start = p->end = 0;
        return 0;
}

static int64_t committable(const struct part *p)
{
        /* With inputs still in flight, everything below the first one is done; the gap between
         * `done` and it (offsets never delivered to us) is safe to skip. */
        return p->start < p->end ? p->e[p->start].offset : p->done;
}

int ne_offsets_committable(const struct ne_offsets *offs, const char *topic, int32_t partition,
                           int64_t *ret)
{
        const struct part *p = find(offs, topic, partition, NULL);
        if (!p || !p->has_done)
                return -ENOENT;
        *ret = committable(p);
        return 0;
}

size_t ne_offsets_in_flight(const struct ne_offsets *offs, const char *topic, int32_t partition)
{
        const struct part *p = find(offs, topic, partition, NULL);
        return p ? p->end - p->start : 0;
}

size_t ne_offsets_in_flight_total(const struct ne_offsets *offs)
{
        size_t n = 0;
        for (size_t i = 0; i < offs->n_parts; i++)
                n += offs->parts[i]->end - offs->parts[i]->start;
        return n;
}

size_t ne_offsets_take_dirty(struct ne_offsets *offs, struct ne_offset_pos *out, size_t cap)
{
        size_t n = 0;
        for (size_t k = 0; k < offs->n_parts && n < cap; k++) {
                size_t i = (offs->dirty_cursor + k) % offs->n_parts;
                struct part *p = offs->parts[i];
                if (!p->dirty)
                        continue;
                p->dirty = false;
                out[n++] = (struct ne_offset_pos){
                    .topic = p->topic, .partition = p->partition, .offset = committable(p)};
                offs->dirty_cursor = (i + 1) % offs->n_parts;
        }
        return n;
}

void ne_offsets_mark_all_dirty(struct ne_offsets *offs)
{
        for (size_t i = 0; i < offs->n_parts; i++)
                if (offs->parts[i]->has_done)
                        offs->parts[i]->dirty = true;
}
