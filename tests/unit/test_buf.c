/* Unit tests for the growable buffer and the diag helpers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ne/buf.h"
#include "ne/diag.h"

Test(buf, appends_and_terminates)
{
        struct ne_buf b = {0};
        cr_assert_eq(ne_buf_append_str(&b, "abc"), 0);
        cr_assert_eq(ne_buf_appendf(&b, "-%d-", 42), 0);
        cr_assert_eq(b.len, 7);
        cr_assert_str_eq(b.data, "abc-42-");
        ne_buf_reset(&b);
        cr_assert_eq(b.len, 0);
        cr_assert_str_eq(b.data, "");
        ne_buf_release(&b);
        ne_buf_release(NULL);
}

Test(buf, grows_past_many_doublings)
{
        struct ne_buf b = {0};
        char chunk[1000];
        memset(chunk, 'x', sizeof(chunk));
        for (int i = 0; i < 1000; i++)
                cr_assert_eq(ne_buf_append(&b, chunk, sizeof(chunk)), 0);
        cr_assert_eq(b.len, 1000000);
        cr_assert_geq(b.cap, b.len + 1);
        cr_assert_eq(b.data[b.len], '\0');
        ne_buf_release(&b);
}

Test(diag, set_returns_error_and_formats)
{
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(d.offset, -1);
        cr_assert_eq(ne_diag_set(&d, -EINVAL, "bad %s at %d", "key", 3), -EINVAL);
        cr_assert_str_eq(d.msg, "bad key at 3");
        cr_assert_eq(ne_diag_set(NULL, -ENOENT, "x"), -ENOENT);
}
