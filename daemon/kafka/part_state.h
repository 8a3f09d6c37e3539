/* Per-partition state the consumer keeps beside librdkafka's: whether a partition has delivered
 * a message since it was assigned, and whether we paused it. Internal to daemon/kafka/.
 *
 * Why: librdkafka 2.0 can lose the start of a partition's fetch when the partition is paused
 * (or resumed while not paused) between assign() and the moment its fetch actually starts (the
 * op-version barrier outdates the pending fetch start; librdkafka issues #2190 and #5591): the
 * partition then never fetches again, with no error. So the consumer pauses only partitions
 * that have delivered a message since their assignment, pauses the others when their first
 * message arrives, and never touches the pause flag in the rebalance callback's assign path.
 *
 * Not thread-safe: used from the consumer's polling thread only. Owns its topic names. */
#ifndef NE_KAFKA_PART_STATE_H
#define NE_KAFKA_PART_STATE_H

#include <stdint.h>

enum {
        NE_PART_ASSIGNED = 1 << 0,
        NE_PART_STARTED = 1 << 1, /* delivered a message since it was assigned */
        NE_PART_PAUSED = 1 << 2,  /* paused by us, not yet resumed */
};

struct ne_part_state;

/* 0 or -ENOMEM. */
int ne_part_state_new(struct ne_part_state **ret);

/* The flags of a partition, or NULL when it was never assigned. The pointer stays valid until
 * the next ne_part_state_assign() (which may grow the table). */
uint8_t *ne_part_state_get(struct ne_part_state *ps, const char *topic, int32_t partition);

/* Records a partition as newly assigned (flags = ASSIGNED). 0, -EINVAL (partition < 0 or
 * beyond 1,000,000) or -ENOMEM. */
int ne_part_state_assign(struct ne_part_state *ps, const char *topic, int32_t partition);

/* Calls cb for every partition whose flags contain all of `mask`. */
void ne_part_state_each(struct ne_part_state *ps, uint8_t mask,
                        void (*cb)(void *opaque, const char *topic, int32_t partition,
                                   uint8_t *flags),
                        void *opaque);

/* Accepts NULL. */
void ne_part_state_free(struct ne_part_state *ps);

#endif
