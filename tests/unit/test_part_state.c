/* Unit tests for the consumer's per-partition flags (daemon/kafka/part_state.c): lookups of
 * unassigned partitions, re-assignment clearing the flags, growth across topics and partition
 * numbers, iteration by mask, and the bounds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../daemon/kafka/part_state.h"

static struct ne_part_state *ps;

static void setup(void)
{
        cr_assert_eq(ne_part_state_new(&ps), 0);
}

static void teardown(void)
{
        ne_part_state_free(ps);
        ne_part_state_free(NULL);
}

TestSuite(part_state, .init = setup, .fini = teardown);

Test(part_state, unknown_partitions_have_no_flags)
{
        cr_assert_null(ne_part_state_get(ps, "in", 0));
        cr_assert_eq(ne_part_state_assign(ps, "in", 3), 0);
        cr_assert_null(ne_part_state_get(ps, "in", 2));
        cr_assert_null(ne_part_state_get(ps, "in", 4000));
        cr_assert_null(ne_part_state_get(ps, "other", 3));
        cr_assert_null(ne_part_state_get(ps, "in", -1));
        uint8_t *f = ne_part_state_get(ps, "in", 3);
        cr_assert_not_null(f);
        cr_assert_eq(*f, NE_PART_ASSIGNED);
}

Test(part_state, reassignment_clears_started_and_paused)
{
        cr_assert_eq(ne_part_state_assign(ps, "in", 1), 0);
        uint8_t *f = ne_part_state_get(ps, "in", 1);
        *f |= NE_PART_STARTED | NE_PART_PAUSED;
        *f = 0; /* revoked */
        cr_assert_null(ne_part_state_get(ps, "in", 1));
        cr_assert_eq(ne_part_state_assign(ps, "in", 1), 0);
        cr_assert_eq(*ne_part_state_get(ps, "in", 1), NE_PART_ASSIGNED);
}

Test(part_state, grows_across_topics_and_partition_numbers)
{
        char name[32];
        for (int t = 0; t < 70; t++) {
                snprintf(name, sizeof(name), "topic-%d", t);
                cr_assert_eq(ne_part_state_assign(ps, name, t * 1000), 0);
        }
        for (int t = 69; t >= 0; t--) {
                snprintf(name, sizeof(name), "topic-%d", t);
                uint8_t *f = ne_part_state_get(ps, name, t * 1000);
                cr_assert_not_null(f, "%s", name);
                cr_assert_null(ne_part_state_get(ps, name, t * 1000 + 1));
        }
}

struct seen {
        int n;
        int32_t sum;
};

static void count(void *opaque, const char *topic, int32_t partition, uint8_t *flags)
{
        struct seen *s = opaque;
        cr_assert_str_eq(topic, "in");
        cr_assert(*flags & NE_PART_ASSIGNED);
        s->n++;
        s->sum += partition;
}

Test(part_state, each_visits_partitions_holding_every_bit_of_the_mask)
{
        for (int32_t p = 0; p < 10; p++)
                cr_assert_eq(ne_part_state_assign(ps, "in", p), 0);
        *ne_part_state_get(ps, "in", 2) |= NE_PART_STARTED;
        *ne_part_state_get(ps, "in", 7) |= NE_PART_STARTED | NE_PART_PAUSED;
        *ne_part_state_get(ps, "in", 9) |= NE_PART_PAUSED;
        struct seen s = {0};
        ne_part_state_each(ps, NE_PART_ASSIGNED, count, &s);
        cr_assert_eq(s.n, 10);
        s = (struct seen){0};
        ne_part_state_each(ps, NE_PART_ASSIGNED | NE_PART_STARTED, count, &s);
        cr_assert_eq(s.n, 2);
        cr_assert_eq(s.sum, 9);
        s = (struct seen){0};
        ne_part_state_each(ps, NE_PART_ASSIGNED | NE_PART_PAUSED, count, &s);
        cr_assert_eq(s.n, 2);
        cr_assert_eq(s.sum, 16);
}

Test(part_state, rejects_partitions_out_of_range)
{
        cr_assert_eq(ne_part_state_assign(ps, "in", -1), -EINVAL);
        cr_assert_eq(ne_part_state_assign(ps, "in", 1000001), -EINVAL);
        cr_assert_eq(ne_part_state_assign(ps, "in", 1000000), 0);
        cr_assert_not_null(ne_part_state_get(ps, "in", 1000000));
}
