/* Unit tests for the offset bookkeeping: in-order and out-of-order acks, gaps, several
 * partitions, revoke/reassign (stale acks), dirty-position collection. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>

#include "ne/offsets.h"

static struct ne_offsets *offs;

static void setup(void)
{
        cr_assert_eq(ne_offsets_new(&offs), 0);
}

static void teardown(void)
{
        ne_offsets_free(offs);
        ne_offsets_free(NULL);
}

TestSuite(offsets, .init = setup, .fini = teardown);

static uint64_t track(const char *t, int32_t p, int64_t o)
{
        uint64_t epoch = 0;
        cr_assert_eq(ne_offsets_track(offs, t, p, o, &epoch), 0, "track %s/%d@%lld", t, p,
                     (long long)o);
        return epoch;
}

static int64_t committable(const char *t, int32_t p)
{
        int64_t off = -100;
        int r = ne_offsets_committable(offs, t, p, &off);
        return r < 0 ? r : off;
}

Test(offsets, nothing_committable_before_first_ack)
{
        track("a", 0, 10);
        cr_assert_eq(committable("a", 0), -ENOENT);
        cr_assert_eq(committable("b", 0), -ENOENT);
        cr_assert_eq(ne_offsets_in_flight(offs, "a", 0), 1);
}

Test(offsets, in_order_acks_advance_one_by_one)
{
        uint64_t ep = 0;
        for (int64_t o = 0; o < 5; o++)
                ep = track("a", 0, o);
        for (int64_t o = 0; o < 5; o++) {
                cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, o), 0);
                cr_assert_eq(committable("a", 0), o + 1);
        }
        cr_assert_eq(ne_offsets_in_flight(offs, "a", 0), 0);
}

/* Parameterised: acks in a given order; expected committable position after each ack. */
struct order_case {
        int64_t acks[6];
        int64_t expect[6];
};

static struct order_case order_cases[] = {
    {{0, 1, 2, 3, 4, 5}, {1, 2, 3, 4, 5, 6}},
    {{5, 4, 3, 2, 1, 0}, {-ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, 6}},
    {{1, 0, 3, 2, 5, 4}, {-ENOENT, 2, 2, 4, 4, 6}},
    {{2, 0, 1, 5, 3, 4}, {-ENOENT, 1, 3, 3, 4, 6}},
};

ParameterizedTestParameters(offsets, out_of_order_acks_are_held)
{
        return cr_make_param_array(struct order_case, order_cases,
                                   sizeof(order_cases) / sizeof(order_cases[0]));
}

ParameterizedTest(struct order_case *c, offsets, out_of_order_acks_are_held)
{
        uint64_t ep = 0;
        for (int64_t o = 0; o < 6; o++)
                ep = track("t", 3, o);
        for (int i = 0; i < 6; i++) {
                cr_assert_eq(ne_offsets_ack(offs, "t", 3, ep, c->acks[i]), 0);
                cr_assert_eq(committable("t", 3), c->expect[i], "after ack %d: %lld != %lld", i,
                             (long long)committable("t", 3), (long long)c->expect[i]);
        }
        cr_assert_eq(ne_offsets_in_flight_total(offs), 0);
}

Test(offsets, gaps_between_offsets_are_skipped)
{
        uint64_t ep = track("a", 0, 5);
        track("a", 0, 7);
        track("a", 0, 12);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 7), 0);
        cr_assert_eq(committable("a", 0), -ENOENT);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 5), 0);
        /* 5 and 7 done, 12 in flight: the lowest unacked offset is committable. */
        cr_assert_eq(committable("a", 0), 12);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 12), 0);
        cr_assert_eq(committable("a", 0), 13);
}

Test(offsets, rejects_non_increasing_and_unknown)
{
        uint64_t ep = track("a", 0, 5);
        cr_assert_eq(ne_offsets_track(offs, "a", 0, 5, NULL), -EINVAL);
        cr_assert_eq(ne_offsets_track(offs, "a", 0, 4, NULL), -EINVAL);
        cr_assert_eq(ne_offsets_track(offs, "a", 0, -1, NULL), -EINVAL);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 6), -ENOENT);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 5), 0);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ep, 5), -ENOENT, "double ack");
        cr_assert_eq(ne_offsets_ack(offs, "zz", 0, ep, 5), -ESTALE);
}

Test(offsets, partitions_are_independent)
{
        uint64_t e0 = track("a", 0, 100);
        uint64_t e1 = track("a", 1, 100);
        uint64_t eb = track("b", 0, 100);
        track("a", 0, 101);
        cr_assert_eq(ne_offsets_in_flight_total(offs), 4);
        cr_assert_eq(ne_offsets_ack(offs, "a", 1, e1, 100), 0);
        cr_assert_eq(committable("a", 1), 101);
        cr_assert_eq(committable("a", 0), -ENOENT);
        cr_assert_eq(committable("b", 0), -ENOENT);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, e0, 101), 0);
        cr_assert_eq(committable("a", 0), -ENOENT, "100 still in flight");
        cr_assert_eq(ne_offsets_ack(offs, "b", 0, eb, 100), 0);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, e0, 100), 0);
        cr_assert_eq(committable("a", 0), 102);
        cr_assert_eq(ne_offsets_in_flight_total(offs), 0);
}

Test(offsets, reassign_makes_old_acks_stale)
{
        uint64_t old = track("a", 0, 10);
        track("a", 0, 11);
        /* Revoked while 10 and 11 were in flight, then assigned again from offset 10. */
        ne_offsets_remove(offs, "a", 0);
        cr_assert_eq(ne_offsets_in_flight(offs, "a", 0), 0);
        cr_assert_eq(ne_offsets_assign(offs, "a", 0), 0);
        uint64_t cur = track("a", 0, 10);
        cr_assert_neq(old, cur);
        /* The late delivery report of the first 10 must not ack the new 10. */
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, old, 10), -ESTALE);
        cr_assert_eq(ne_offsets_in_flight(offs, "a", 0), 1);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, cur, 10), 0);
        cr_assert_eq(committable("a", 0), 11);
        /* Reassign without remove also resets the partition. */
        cr_assert_eq(ne_offsets_assign(offs, "a", 0), 0);
        cr_assert_eq(committable("a", 0), -ENOENT);
        ne_offsets_remove(offs, "nope", 7);
}

Test(offsets, dead_letter_and_output_acks_count_alike)
{
        /* The tracker does not care which topic the ack came from: a dead letter for offset 1
         * and enriched events for 0 and 2 release the partition only when all three land. */
        uint64_t ep = track("in", 0, 0);
        track("in", 0, 1);
        track("in", 0, 2);
        cr_assert_eq(ne_offsets_ack(offs, "in", 0, ep, 2), 0); /* output */
        cr_assert_eq(ne_offsets_ack(offs, "in", 0, ep, 0), 0); /* output */
        cr_assert_eq(committable("in", 0), 1);
        cr_assert_eq(ne_offsets_ack(offs, "in", 0, ep, 1), 0); /* dead letter */
        cr_assert_eq(committable("in", 0), 3);
}

Test(offsets, take_dirty_reports_each_move_once)
{
        struct ne_offset_pos pos[2];
        uint64_t ea = track("a", 0, 0);
        uint64_t eb = track("b", 5, 40);
        uint64_t ec = track("c", 1, 7);
        cr_assert_eq(ne_offsets_take_dirty(offs, pos, 2), 0);
        cr_assert_eq(ne_offsets_ack(offs, "a", 0, ea, 0), 0);
        cr_assert_eq(ne_offsets_ack(offs, "b", 5, eb, 40), 0);
        cr_assert_eq(ne_offsets_ack(offs, "c", 1, ec, 7), 0);
        size_t n = ne_offsets_take_dirty(offs, pos, 2);
        cr_assert_eq(n, 2);
        size_t m = ne_offsets_take_dirty(offs, pos + 0, 1);
        cr_assert_eq(m, 1);
        cr_assert_eq(ne_offsets_take_dirty(offs, pos, 2), 0);
        ne_offsets_mark_all_dirty(offs);
        n = ne_offsets_take_dirty(offs, pos, 2);
        cr_assert_eq(n, 2);
        n += ne_offsets_take_dirty(offs, pos, 2);
        cr_assert_eq(n, 3);
}

Test(offsets, many_in_flight_grows_and_slides)
{
        uint64_t ep = 0;
        for (int64_t o = 0; o < 10000; o++)
                ep = track("big", 0, o * 2);
        /* Ack every other one from the front, and keep tracking: exercises the slide. */
        for (int64_t o = 0; o < 10000; o++) {
                cr_assert_eq(ne_offsets_ack(offs, "big", 0, ep, o * 2), 0);
                track("big", 0, 20000 + o);
        }
        cr_assert_eq(committable("big", 0), 20000);
        cr_assert_eq(ne_offsets_in_flight(offs, "big", 0), 10000);
        for (int64_t o = 9999; o >= 0; o--)
                cr_assert_eq(ne_offsets_ack(offs, "big", 0, ep, 20000 + o), 0);
        cr_assert_eq(committable("big", 0), 30000);
}
