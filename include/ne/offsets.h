/* Per-partition offset bookkeeping for at-least-once delivery. Every consumed input offset is
 * tracked until the event produced for it (enriched or dead letter) is acknowledged by the
 * producer's delivery report. Acks may arrive out of order; an offset becomes committable only
 * when it and every offset consumed before it on the same partition are acked, so the
 * committable position of a partition is the lowest not-yet-acked offset (or one past the last
 * acked offset when nothing is in flight). Knows nothing of Kafka handles; owned and called by one
 * thread (the pipeline's). */
#ifndef NE_OFFSETS_H
#define NE_OFFSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ne_offsets;

/* A position to store or commit: Kafka semantics, `offset` is the next offset to consume. */
struct ne_offset_pos {
        const char *topic; /* borrowed from the tracker; valid until the partition is removed */
        int32_t partition;
        int64_t offset;
};

/* Returns 0 and a new, empty tracker in *ret, or -ENOMEM. */
int ne_offsets_new(struct ne_offsets **ret);

/* Frees the tracker and every partition; accepts NULL. */
void ne_offsets_free(struct ne_offsets *offs);

/* Starts (or restarts) bookkeeping for a partition, forgetting anything tracked for it before.
 * Each call gives the partition a new epoch, so delivery reports that belong to an earlier
 * assignment are recognised and ignored by ne_offsets_ack(). Returns 0 or -ENOMEM. */
int ne_offsets_assign(struct ne_offsets *offs, const char *topic, int32_t partition);

/* Forgets a partition (revoked or lost); its pending acks become stale. No-op if unknown. */
void ne_offsets_remove(struct ne_offsets *offs, const char *topic, int32_t partition);

/* Registers `offset` as in flight. Offsets must increase strictly per partition (gaps are fine:
 * compaction and transaction markers leave them). The partition is assigned implicitly if
 * unknown. Writes the partition's epoch to *ret_epoch (pass it back to ne_offsets_ack).
 * Returns 0, -EINVAL (offset not above the last tracked one, or negative) or -ENOMEM. */
int ne_offsets_track(struct ne_offsets *offs, const char *topic, int32_t partition, int64_t offset,
                     uint64_t *ret_epoch);

/* Marks a tracked offset as acknowledged. Returns 0; -ESTALE when the partition was removed or
 * reassigned since the offset was tracked (the ack is ignored); -ENOENT when the offset is not
 * in flight (never tracked, or acked twice). */
int ne_offsets_ack(struct ne_offsets *offs, const char *topic, int32_t partition, uint64_t epoch,
                   int64_t offset);

/* The committable position of a partition into *ret (next offset to consume). Returns 0, or
 * -ENOENT when the partition is unknown or nothing has been acked in order yet. */
int ne_offsets_committable(const struct ne_offsets *offs, const char *topic, int32_t partition,
                           int64_t *ret);

/* Offsets in flight (tracked, not yet committable) on one partition / on all partitions. */
size_t ne_offsets_in_flight(const struct ne_offsets *offs, const char *topic, int32_t partition);
size_t ne_offsets_in_flight_total(const struct ne_offsets *offs);

/* Collects the partitions whose committable position advanced since the last call (dirty),
 * into `out` (room for `cap` entries), and clears their dirty mark. Returns the number written;
 * call again while it returns `cap`. The topics in `out` are borrowed from the tracker. */
size_t ne_offsets_take_dirty(struct ne_offsets *offs, struct ne_offset_pos *out, size_t cap);

/* Marks every partition with a committable position dirty again (after a failed store). */
void ne_offsets_mark_all_dirty(struct ne_offsets *offs);

#endif
