/* sd_notify(3) wrapper: formats the protocol lines the daemon sends to systemd and nothing else.
 * It must not log or decide policy (the main loop decides when to call and logs failures), and it
 * must never unset NOTIFY_SOCKET: the daemon notifies many times over its life. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "ne/notify.h"

/* sd_notify() returns > 0 when sent, 0 when NOTIFY_SOCKET is unset, negative errno otherwise;
 * normalise "sent" to 1 so callers can compare. */
static int notify(const char *state)
{
        int r = sd_notify(0, state);
        return r > 0 ? 1 : r;
}

int ne_notify_ready(void)
{
        return notify("READY=1");
}

int ne_notify_status(const char *fmt, ...)
{
        char line[7 + 256] = "STATUS=";
        va_list ap;

        va_start(ap, fmt);
        int n = vsnprintf(line + 7, sizeof(line) - 7, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        /* A newline would end STATUS and let the text inject other assignments (READY=1). */
        for (char *p = line + 7; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        return notify(line);
}

int ne_notify_reloading(void)
{
        struct timespec ts;
        char line[64];

        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
                return -errno;
        uint64_t usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        snprintf(line, sizeof(line), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
        return notify(line);
}

int ne_notify_stopping(void)
{
        return notify("STOPPING=1");
}

int ne_notify_watchdog(void)
{
        return notify("WATCHDOG=1");
}

int ne_notify_watchdog_interval_us(uint64_t *ret)
{
        uint64_t usec = 0;
        int r = sd_watchdog_enabled(0, &usec);

        if (r < 0)
                return r;
        if (r == 0 || usec == 0) {
                *ret = 0;
                return 0;
        }
        /* Half the timeout: a tick delayed by up to one interval still arrives in time. */
        *ret = usec / 2 ? usec / 2 : 1;
        return 1;
}
