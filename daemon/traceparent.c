/* W3C Trace Context `traceparent`: strict parsing by the spec's version-00 grammar and its rules
 * for higher versions, new ids from getrandom(2), and the child value an enriched event carries.
 * Holds no state and never logs, so any thread may call it on the hot path. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ne/traceparent.h"

/* Offsets of the fields in "vv-<32>-<16>-ff". */
enum {
        OFF_TRACE = 3,
        OFF_PARENT = OFF_TRACE + 32 + 1,
        OFF_FLAGS = OFF_PARENT + 16 + 1,
};

/* Value of a lower-case hex digit, -1 for anything else: the spec's HEXDIGLC excludes A-F. */
static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Decodes 2 * n hex digits into n bytes; false on a non-hex or upper-case digit. */
static bool unhex(const char *s, uint8_t *out, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return false;
                out[i] = (uint8_t)(hi << 4 | lo);
        }
        return true;
}

static bool all_zero(const uint8_t *b, size_t n)
{
        uint8_t acc = 0;
        for (size_t i = 0; i < n; i++)
                acc |= b[i];
        return acc == 0;
}

int ne_traceparent_parse(const char *s, size_t len, struct ne_traceparent *ret)
{
        struct ne_traceparent tp;

        if (!s || len < NE_TRACEPARENT_LEN)
                return -EINVAL;
        if (!unhex(s, &tp.version, 1) || tp.version == 0xff || s[2] != '-')
                return -EINVAL;
        /* Version 00 has exactly four fields; a later version may append more after a dash. */
        if (tp.version == 0 && len != NE_TRACEPARENT_LEN)
                return -EINVAL;
        if (len > NE_TRACEPARENT_LEN && s[NE_TRACEPARENT_LEN] != '-')
                return -EINVAL;
        if (s[OFF_PARENT - 1] != '-' || s[OFF_FLAGS - 1] != '-')
                return -EINVAL;
        if (!unhex(s + OFF_TRACE, tp.trace_id, sizeof(tp.trace_id)) ||
            !unhex(s + OFF_PARENT, tp.parent_id, sizeof(tp.parent_id)) ||
            !unhex(s + OFF_FLAGS, &tp.flags, 1))
                return -EINVAL;
        if (all_zero(tp.trace_id, sizeof(tp.trace_id)) ||
            all_zero(tp.parent_id, sizeof(tp.parent_id)))
                return -EINVAL;
        if (tp.version != 0)
                tp.flags &= NE_TRACEPARENT_FLAG_SAMPLED;
        *ret = tp;
        return 0;
}

/* Last resort when getrandom(2) fails (ENOSYS under an old seccomp filter): ids need only be
 * unique, not secret, so a splitmix64 stream seeded from the clock, the pid and a counter does. */
static void weak_random(uint8_t *out, size_t n)
{
        static _Atomic uint64_t counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        x ^= (uint64_t)getpid() << 32;
        x += ++counter * 0x9e3779b97f4a7c15u;
        for (size_t i = 0; i < n; i++) {
                x += 0x9e3779b97f4a7c15u;
                uint64_t z = x;
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
                out[i] = (uint8_t)(z ^ (z >> 31));
        }
}

static void fill_random(uint8_t *out, size_t n)
{
        size_t got = 0;
        while (got < n) {
                ssize_t r = getrandom(out + got, n - got, 0);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        weak_random(out + got, n - got);
                        return;
                }
                got += (size_t)r;
        }
}

/* A random id that is not all zero (the spec makes all-zero ids invalid). */
static void random_id(uint8_t *out, size_t n)
{
        do
                fill_random(out, n);
        while (all_zero(out, n));
}

void ne_traceparent_new(struct ne_traceparent *ret)
{
        memset(ret, 0, sizeof(*ret));
        random_id(ret->trace_id, sizeof(ret->trace_id));
        random_id(ret->parent_id, sizeof(ret->parent_id));
}

void ne_traceparent_child(const struct ne_traceparent *parent, struct ne_traceparent *ret)
{
        struct ne_traceparent tp = *parent;
        tp.version = 0;
        /* A new id for this hop; equal to the incoming one only by a 2^-64 chance, and then
         * still a valid (if confusing) value, so no loop is needed. */
        random_id(tp.parent_id, sizeof(tp.parent_id));
        *ret = tp;
}

static char *hex(char *out, const uint8_t *b, size_t n)
{
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                *out++ = digits[b[i] >> 4];
                *out++ = digits[b[i] & 0x0f];
        }
        return out;
}

void ne_traceparent_format(const struct ne_traceparent *tp, char out[NE_TRACEPARENT_LEN + 1])
{
        char *p = out;
        *p++ = '0';
        *p++ = '0';
        *p++ = '-';
        p = hex(p, tp->trace_id, sizeof(tp->trace_id));
        *p++ = '-';
        p = hex(p, tp->parent_id, sizeof(tp->parent_id));
        *p++ = '-';
        p = hex(p, &tp->flags, 1);
        *p = '\0';
}

bool ne_traceparent_is_sampled(const struct ne_traceparent *tp)
{
        return (tp->flags & NE_TRACEPARENT_FLAG_SAMPLED) != 0;
}
