/* RFC 3339 date-times to epoch milliseconds, for JSON inputs that give published_at as a
 * string. Pure arithmetic on the proleptic Gregorian calendar (no timegm(), which is not
 * POSIX, and no time zone database: RFC 3339 carries its own offset). */
#include <errno.h>
#include <stdbool.h>

#include "codec_internal.h"

static bool digits(const char *s, size_t len, size_t pos, int n, int *ret)
{
        if (pos + (size_t)n > len)
                return false;
        int v = 0;
        for (int i = 0; i < n; i++) {
                char c = s[pos + (size_t)i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *ret = v;
        return true;
}

static bool is_leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int ne_rfc3339_parse(const char *s, size_t len, int64_t *ret_ms)
{
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int year, mon, day, hour, min, sec;
        size_t pos = 0;

        if (!digits(s, len, 0, 4, &year) || len < 19 || s[4] != '-' ||
            !digits(s, len, 5, 2, &mon) || s[7] != '-' || !digits(s, len, 8, 2, &day) ||
            (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, len, 11, 2, &hour) ||
            s[13] != ':' || !digits(s, len, 14, 2, &min) || s[16] != ':' ||
            !digits(s, len, 17, 2, &sec))
                return -EINVAL;
        if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] + (mon == 2 && is_leap(year)) ||
            hour > 23 || min > 59 ||
            sec > 60) /* 60: a leap second, which lands on the next minute's first second */
                return -EINVAL;
        pos = 19;

        int64_t ms = 0;
        if (pos < len && s[pos] == '.') {
                pos++;
                size_t first = pos;
                int scale = 100;
                while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
                        ms +=
                            (int64_t)(s[pos] - '0') * scale; /* digits past milliseconds truncate */
                        scale /= 10;
                        pos++;
                }
                if (pos == first)
                        return -EINVAL;
        }

        int64_t offset_min = 0;
        if (pos < len && (s[pos] == 'Z' || s[pos] == 'z')) {
                pos++;
        } else if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
                int oh, om;
                if (!digits(s, len, pos + 1, 2, &oh) || pos + 3 >= len || s[pos + 3] != ':' ||
                    !digits(s, len, pos + 4, 2, &om) || oh > 23 || om > 59)
                        return -EINVAL;
                offset_min = (s[pos] == '-' ? -1 : 1) * ((int64_t)oh * 60 + om);
                pos += 6;
        } else {
                return -EINVAL;
        }
        if (pos != len)
                return -EINVAL;

        int64_t secs = days_from_civil(year, mon, day) * 86400 + (int64_t)hour * 3600 +
                       (int64_t)min * 60 + sec - offset_min * 60;
        *ret_ms = secs * 1000 + ms;
        return 0;
}
